/**
 * @module triggers/http-poll-source
 * The `poll` trigger's source: its `request` sent through the http step's executor (so
 * connections, retries, redaction and the SSRF guard apply as to any step), `items` read out of
 * the output `{status, headers, body}`, then `id` and `updated` of each item.
 *
 * Templates render asynchronously and PollSource's `id`/`updated` are synchronous, so `poll`
 * renders them once per item and `id`/`updated` read what it found.
 *
 * @example
 *   const source = httpPollSource('orders', trigger, { env: {} });
 *   const { items } = await source.poll({ state: null, since: new Date(), signal });
 */
import type { Dispatcher } from 'undici';
import { executeHttpStep } from '../steps/index.js';
import type { ConnectionResolver } from '../steps/index.js';
import type { PollTrigger, Scope } from '../workflow/index.js';
import { pollFailed } from './errors.js';
import type { PollSource } from './poll-source.js';

export interface HttpPollDeps {
  /** Variables visible as `env` (HOOKFLOW_ENV_ALLOW). */
  env: Record<string, string>;
  connections?: ConnectionResolver;
  dispatcher?: Dispatcher;
}

export interface Identity {
  id: string;
  updated: string | null;
}

export function httpPollSource(
  workflow: string,
  trigger: PollTrigger,
  deps: HttpPollDeps,
): PollSource {
  // Keyed by the item itself: the runtime asks for the items `poll` just returned.
  let identities = new Map<unknown, Identity>();
  const known = (item: unknown): Identity => {
    const found = identities.get(item);
    if (!found) throw pollFailed('an item that this poll did not return');
    return found;
  };
  return {
    async poll({ since, signal }) {
      const scope: Scope = {
        since: since?.toISOString() ?? null,
        now: new Date().toISOString(),
        env: deps.env,
      };
      const { output } = await executeHttpStep(trigger.request, {
        scope,
        jobId: `poll:${workflow}`,
        workflow,
        signal,
        ...(deps.connections ? { connections: deps.connections } : {}),
        ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
      });
      const items = toList(await trigger.items.render(output as Scope));
      const next = await identify(trigger, items);
      identities = next;
      return { items };
    },
    id: (item) => known(item).id,
    updated: (item) => known(item).updated,
  };
}

/** Each item's id and version, rendered with the item as scope. */
export async function identify(
  trigger: PollTrigger,
  items: readonly unknown[],
): Promise<Map<unknown, Identity>> {
  const out = new Map<unknown, Identity>();
  for (const [i, item] of items.entries()) {
    const scopeOfItem = item as Scope;
    const id = textOf(await trigger.id.render(scopeOfItem));
    if (id === null) {
      throw pollFailed(
        `trigger.poll.id gave nothing usable for item ${i} (${preview(item)}); it must give a text or a number that tells the items apart`,
      );
    }
    const updated = trigger.updated ? textOf(await trigger.updated.render(scopeOfItem)) : null;
    out.set(item, { id, updated });
  }
  return out;
}

/** A list as is; nothing as no items; one value (JSONata's single match) as one item. */
function toList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return [];
  return [value];
}

/** Text for an id or version: strings and numbers as they are, other values as JSON. */
function textOf(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function preview(item: unknown): string {
  const text = JSON.stringify(item) ?? String(item);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
