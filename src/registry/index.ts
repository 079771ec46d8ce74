/**
 * @module registry
 * The workflows this server runs: loaded from the workflows directory (and, later, the API),
 * each enabled webhook workflow given its route. A workflow without a `path` gets
 * `<36-character token>/<name>`; the token is kept in the store so the URL survives restarts.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/types.js';
import type { Workflow } from '../workflow/types.js';
import { RouteTable } from '../ingress/router.js';
import type { RouteEntry } from '../ingress/router.js';

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** 36 characters of [a-z0-9]: about 186 bits, unguessable. */
export function generateToken(): string {
  const bytes = randomBytes(36);
  let out = '';
  for (const b of bytes) out += TOKEN_ALPHABET[b % TOKEN_ALPHABET.length];
  return out;
}

/** One workflow added, changed (source or enabled flag), or removed. */
export interface WorkflowChange {
  name: string;
  before: Workflow | undefined;
  after: Workflow | undefined;
}

export type ChangeListener = (changes: WorkflowChange[]) => Promise<void>;

export { WorkflowCatalog } from './catalog.js';
export type { WorkflowOrigin } from './catalog.js';

export class WorkflowRegistry {
  private workflows = new Map<string, Workflow>();
  private paths = new Map<string, string>();
  private table = new RouteTable([]);
  private readonly listeners: ChangeListener[] = [];

  constructor(private readonly store: Store) {}

  /** Called after every change of the set, with what changed (trigger lifecycle, metrics…). */
  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Replaces the whole set (start-up, reload). Throws on a route conflict, leaving the old set. */
  async replaceAll(workflows: readonly Workflow[]): Promise<WorkflowChange[]> {
    const { paths, table } = await this.routesOf(workflows);
    const next = new Map(workflows.map((wf) => [wf.name, wf]));
    const changes: WorkflowChange[] = [];
    for (const [name, before] of this.workflows) {
      const after = next.get(name);
      if (!after || after.hash !== before.hash || after.enabled !== before.enabled) {
        changes.push({ name, before, after });
      }
    }
    for (const [name, after] of next) {
      if (!this.workflows.has(name)) changes.push({ name, before: undefined, after });
    }
    this.workflows = next;
    this.paths = paths;
    this.table = table;
    if (changes.length > 0) for (const l of this.listeners) await l(changes);
    return changes;
  }

  /** Throws `route_conflict` when this set could not be served; changes nothing. */
  async checkRoutes(workflows: readonly Workflow[]): Promise<void> {
    await this.routesOf(workflows);
  }

  /** Adds or replaces one workflow. */
  put(workflow: Workflow): Promise<WorkflowChange[]> {
    return this.replaceAll([...this.list().filter((w) => w.name !== workflow.name), workflow]);
  }

  /** Removes one workflow; false when there was none of that name. */
  async remove(name: string): Promise<boolean> {
    if (!this.workflows.has(name)) return false;
    await this.replaceAll(this.list().filter((w) => w.name !== name));
    return true;
  }

  /** Enables or disables one workflow; false when there is none of that name. */
  async setEnabled(name: string, enabled: boolean): Promise<boolean> {
    const wf = this.workflows.get(name);
    if (!wf) return false;
    if (wf.enabled !== enabled) await this.put({ ...wf, enabled });
    return true;
  }

  get(name: string): Workflow | undefined {
    return this.workflows.get(name);
  }

  list(): Workflow[] {
    return [...this.workflows.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The path below `/hooks/` this workflow is served at. */
  pathOf(name: string): string | undefined {
    return this.paths.get(name);
  }

  routes(): RouteTable {
    return this.table;
  }

  private async routesOf(workflows: readonly Workflow[]) {
    const paths = new Map<string, string>();
    for (const wf of workflows) {
      const path = await this.routePath(wf);
      if (path !== null) paths.set(wf.name, path);
    }
    const entries: RouteEntry[] = workflows.flatMap((wf) =>
      wf.enabled && (wf.trigger.type === 'webhook' || wf.trigger.type === 'connector')
        ? [{ path: paths.get(wf.name)!, method: wf.trigger.method, workflow: wf }]
        : [],
    );
    return { paths, table: new RouteTable(entries) };
  }

  /** null for triggers that are not served over HTTP (poll, schedule). */
  private async routePath(wf: Workflow): Promise<string | null> {
    if (wf.trigger.type === 'poll' || wf.trigger.type === 'schedule') return null;
    if (wf.trigger.path !== null) return wf.trigger.path;
    const key = `webhook-token:${wf.name}`;
    let token = await this.store.getMeta(key);
    if (!token) {
      token = generateToken();
      await this.store.setMeta(key, token);
    }
    return `${token}/${wf.name}`;
  }
}
