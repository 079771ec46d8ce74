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

export class WorkflowRegistry {
  private workflows = new Map<string, Workflow>();
  private paths = new Map<string, string>();
  private table = new RouteTable([]);

  constructor(private readonly store: Store) {}

  /** Replaces the whole set (start-up, reload). Throws on a route conflict, leaving the old set. */
  async replaceAll(workflows: readonly Workflow[]): Promise<void> {
    const paths = new Map<string, string>();
    for (const wf of workflows) paths.set(wf.name, await this.routePath(wf));
    const entries: RouteEntry[] = workflows
      .filter((wf) => wf.enabled && wf.trigger.type === 'webhook')
      .map((wf) => ({ path: paths.get(wf.name)!, method: wf.trigger.method, workflow: wf }));
    const table = new RouteTable(entries);
    this.workflows = new Map(workflows.map((wf) => [wf.name, wf]));
    this.paths = paths;
    this.table = table;
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

  private async routePath(wf: Workflow): Promise<string> {
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
