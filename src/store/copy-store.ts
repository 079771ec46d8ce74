/**
 * @module store/copy-store
 * Copies what an installation needs to keep working from one store to another (`hookflow
 * migrate`), through the Store interface only, so any backend moves to any other: settings
 * (generated webhook tokens, the secret key's check), workflows pushed over the API and their
 * enable/disable overrides, connections with their sealed secrets and OAuth2 tokens, poll and
 * schedule state with the items polls have seen, connector trigger lifecycle records, the
 * dedupe keys still in their window, the jobs not finished yet and, with `history`, every
 * finished job with its steps.
 *
 * Large tables are read and written in pages, so memory stays bounded whatever the history.
 * Every write replaces or skips by primary key: copying twice gives the same target.
 * Pending OAuth2 authorizations (minutes long) are not copied: an authorization begun on the
 * old installation must be begun again.
 *
 * @example
 *   if (!(await isEmptyStore(target))) throw …;
 *   const copied = await copyStore(source, target, { history: true });
 */
import type { Page, PageRequest, Store } from './types.js';

export interface CopyOptions {
  /** Copy finished jobs too (else only queued and running ones). */
  history: boolean;
  /** Rows per page. Default 500. */
  pageSize?: number;
  /** Dedupe keys and seen items past their window at this time are left behind. Default now. */
  nowMs?: number;
  /** Called after each page of jobs, with the jobs copied so far. */
  onJobs?: (copied: number) => void;
}

/** How many of each were copied (jobs: inserted; already present ones are not counted). */
export interface CopySummary {
  settings: number;
  workflows: number;
  overrides: number;
  connections: number;
  tokens: number;
  lifecycles: number;
  triggerStates: number;
  seenItems: number;
  dedupeKeys: number;
  jobs: number;
}

/** True when the store holds nothing an installation would miss (a fresh database). */
export async function isEmptyStore(store: Store): Promise<boolean> {
  const counts = await Promise.all([
    store.listMeta().then((r) => r.length),
    store.listStoredWorkflows().then((r) => r.length),
    store.listConnections().then((r) => r.length),
    store.listTriggerLifecycles().then((r) => r.length),
    store.listTriggerStates().then((r) => r.length),
    store.listJobs({ limit: 1 }).then((r) => r.jobs.length),
  ]);
  return counts.every((n) => n === 0);
}

export async function copyStore(from: Store, to: Store, opts: CopyOptions): Promise<CopySummary> {
  const limit = opts.pageSize ?? 500;
  const nowMs = opts.nowMs ?? Date.now();

  const settings = await from.listMeta();
  for (const { key, value } of settings) await to.setMeta(key, value);

  const workflows = await from.listStoredWorkflows();
  for (const w of workflows)
    await to.putStoredWorkflow({ name: w.name, text: w.text, format: w.format });
  const overrides = await from.listWorkflowOverrides();
  for (const { name, ...override } of overrides) await to.setWorkflowOverride(name, override);

  const connections = await from.listConnections();
  for (const c of connections) await to.putConnection(c);
  const tokens = await from.listConnectionTokens();
  for (const t of tokens) await to.setConnectionTokens(t.name, t.sealed);

  const lifecycles = await from.listTriggerLifecycles();
  for (const record of lifecycles) await to.saveTriggerLifecycle(record);
  const triggerStates = await from.listTriggerStates();
  await to.importTriggerStates(triggerStates);

  const seenItems = await copyPages(
    (page) => from.exportSeenItems(nowMs, page),
    (items) => to.importSeenItems(items),
    limit,
  );
  const dedupeKeys = await copyPages(
    (page) => from.exportDedupeKeys(nowMs, page),
    (items) => to.importDedupeKeys(items),
    limit,
  );
  let jobs = 0;
  await copyPages(
    (page) => from.exportJobs({ ...page, unfinishedOnly: !opts.history }),
    async (items) => {
      jobs += await to.importJobs(items);
      opts.onJobs?.(jobs);
    },
    // Jobs carry payloads and steps: smaller pages keep memory bounded.
    Math.min(limit, 200),
  );

  return {
    settings: settings.length,
    workflows: workflows.length,
    overrides: overrides.length,
    connections: connections.length,
    tokens: tokens.length,
    lifecycles: lifecycles.length,
    triggerStates: triggerStates.length,
    seenItems,
    dedupeKeys,
    jobs,
  };
}

/** Reads every page of an export and writes each before reading the next; returns the rows. */
async function copyPages<T>(
  read: (page: PageRequest) => Promise<Page<T>>,
  write: (items: T[]) => Promise<void>,
  limit: number,
): Promise<number> {
  let after: string | null = null;
  let count = 0;
  do {
    const page: Page<T> = await read({ after, limit });
    if (page.items.length > 0) await write(page.items);
    count += page.items.length;
    after = page.next;
  } while (after !== null);
  return count;
}
