/**
 * @module datatree/workflow-datatree
 * The datatree of a workflow: one source for the trigger and one per `http` step (nested in
 * switches too), each the schema of what an expression finds there. The envelope is known from
 * the trigger or step type (`trigger.headers`, `steps.order.status`…); the payload part
 * (`trigger.body`, `steps.order.body`) comes from the `example`. A source is *described* when
 * its payload has an example (a schedule's output is fixed, so it always is): only then does
 * `validate` report fields that are not in it.
 *
 * A poll's `trigger.body` is one item: the poll's own `example`, or else the items its `items`
 * expression finds in the request's `example` (the answer's body).
 *
 * @example
 *   const tree = await buildDatatree(workflow);
 *   tree.sources[0]; // { source: 'trigger', described: true, schema }
 */
import type { HttpStep, PollTrigger, Scope, Step, Workflow } from '../workflow/index.js';
import { emptyNode, inferSchema, objectNode } from './schema.js';
import type { SchemaNode } from './schema.js';

export interface DatatreeSource {
  /** `trigger` or `steps.<id>`. */
  source: string;
  /** The payload has an example: names not in the schema are unknown. */
  described: boolean;
  /** What `trigger` or `steps.<id>` holds. */
  schema: SchemaNode;
}

export interface Datatree {
  workflow: string;
  sources: DatatreeSource[];
}

const text = (sample: unknown = null) => emptyNode('string', sample);
const openObject = () => emptyNode('object', null, true);

export async function buildDatatree(wf: Workflow): Promise<Datatree> {
  const sources: DatatreeSource[] = [await triggerSource(wf)];
  for (const step of httpSteps(wf.steps)) sources.push(stepSource(step));
  return { workflow: wf.name, sources };
}

async function triggerSource(wf: Workflow): Promise<DatatreeSource> {
  const t = wf.trigger;
  switch (t.type) {
    case 'webhook': {
      const params = Object.fromEntries(
        (t.path ?? '')
          .split('/')
          .filter((s) => s.startsWith(':'))
          .map((s) => [s.slice(1), text()]),
      );
      return source('trigger', exampleSchema(t.example), (body) =>
        objectNode({
          id: text(),
          method: text(t.method),
          path: text(t.path === null ? null : `/hooks/${t.path}`),
          params: objectNode(params),
          query: openObject(),
          headers: openObject(),
          body,
          rawBody: text(),
          rawBodyEncoding: text(),
          receivedAt: text(),
        }),
      );
    }
    case 'poll':
      return source('trigger', await pollItemSchema(t), (body) =>
        objectNode({
          id: text(),
          type: text('poll'),
          body,
          itemId: text(),
          updated: text(),
          receivedAt: text(),
        }),
      );
    case 'schedule':
      return {
        source: 'trigger',
        described: true,
        schema: objectNode({
          id: text(),
          type: text('schedule'),
          body: emptyNode('null'),
          scheduledAt: text(),
          timezone: text(t.timing.kind === 'cron' ? t.timing.timezone : null),
          receivedAt: text(),
        }),
      };
    default:
      // A trigger kind this datatree does not know: nothing is said about it.
      return { source: 'trigger', described: false, schema: openObject() };
  }
}

function stepSource(step: HttpStep): DatatreeSource {
  const payload = exampleSchema(step.example) ?? bodyOfFormat(step.response);
  return source(`steps.${step.id}`, payload, (body) =>
    objectNode({
      status: emptyNode('number'),
      headers: openObject(),
      body,
      // errors: continue and no answer at all: `{status: 0, error, headers, body: null}`.
      ...(step.errors === 'continue' ? { error: text() } : {}),
    }),
  );
}

/**
 * A step's body when it has no example but its `response` fixes the shape: `text` is a string,
 * `binary` the `{base64, contentType, size}` of parse-response; other formats say nothing.
 */
function bodyOfFormat(response: HttpStep['response']): SchemaNode | undefined {
  if (response === 'text') return text();
  if (response === 'binary') {
    return objectNode({ base64: text(), contentType: text(), size: emptyNode('number') });
  }
  return undefined;
}

/** A source built by `envelope` around its payload's schema (open when there is no example). */
function source(
  name: string,
  body: SchemaNode | undefined,
  envelope: (body: SchemaNode) => SchemaNode,
): DatatreeSource {
  return { source: name, described: body !== undefined, schema: envelope(body ?? openObject()) };
}

function exampleSchema(example: unknown): SchemaNode | undefined {
  return example === undefined ? undefined : inferSchema(example);
}

/** One item: the poll's example, or what its `items` finds in the request's example. */
async function pollItemSchema(t: PollTrigger): Promise<SchemaNode | undefined> {
  if (t.example !== undefined) return inferSchema(t.example);
  if (t.request.example === undefined) return undefined;
  let found: unknown;
  try {
    const answer: Scope = { status: 200, headers: {}, body: t.request.example };
    found = await t.items.render(answer);
  } catch {
    return undefined; // `items` fails on the example: the item is not described
  }
  const items = Array.isArray(found) ? found : found === undefined || found === null ? [] : [found];
  if (items.length === 0) return undefined;
  if (!items.every(isRecord)) return inferSchema(items[0]);
  // A list's schema holds its items' fields merged: that is one item's schema.
  return { ...inferSchema(items), type: 'object', sample: null };
}

function isRecord(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function* httpSteps(steps: readonly Step[]): Generator<HttpStep> {
  for (const step of steps) {
    if (step.type === 'http') yield step;
    else if (step.type === 'switch') for (const c of step.cases) yield* httpSteps(c.steps);
  }
}
