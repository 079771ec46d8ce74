/**
 * @module registry/catalog
 * Where workflows come from, and what survives a restart. Two origins feed the registry:
 * the workflows directory (`file`) and `PUT /api/workflows/NAME` (`api`, kept in the store as
 * the text that was sent). A file wins a name: the API refuses to overwrite or delete a
 * file-defined workflow (409 `conflict`), since the file would win again at the next start.
 *
 * Enable/disable over the API is kept as an override for either origin. It holds while the
 * workflow's document is unchanged (same hash); a document changed after the toggle (an edited
 * file, a new PUT) says `enabled` itself again — the later change wins.
 *
 * Every change is checked first (document, name, routes), then persisted, then applied to the
 * registry, whose listeners (connector trigger lifecycle, timers) see it. Changes run one at a
 * time. A stored workflow that no longer loads (an `${env:}` now unset, a route a file took) is
 * skipped at start with an error in the log, never stopping the server.
 *
 * @example
 *   const catalog = new WorkflowCatalog(registry, store, log);
 *   await catalog.load(loadWorkflows('workflows/').workflows);
 *   await catalog.put('orders', yamlText, 'yaml');
 *   await catalog.setEnabled('orders', false);
 */
import type { Logger } from 'pino';
import { HookflowError } from '../errors.js';
import type { Store, WorkflowOverride } from '../store/types.js';
import type { ConnectorCatalog } from '../connectors/index.js';
import { parseWorkflow } from '../workflow/index.js';
import type { Workflow } from '../workflow/types.js';
import type { WorkflowRegistry } from './index.js';

export type WorkflowOrigin = 'file' | 'api';
export type DocumentFormat = 'yaml' | 'json';

export interface CatalogOptions {
  /** Values for `${env:NAME}` in API-pushed workflows; `process.env` when left out. */
  env?: Record<string, string | undefined>;
  /** The connection names known now; when given, a step naming another one is a problem. */
  connections?: () => ReadonlySet<string>;
  /** The connectors pushed workflows may use; the built-ins when left out. */
  connectors?: ConnectorCatalog;
}

export class WorkflowCatalog {
  private readonly fromFiles = new Map<string, string>();
  private readonly fromApi = new Set<string>();
  private overrides = new Map<string, WorkflowOverride>();
  private queue: Promise<unknown> = Promise.resolve();
  private files: readonly Workflow[] = [];
  /** What the last load read from the store: a reload finding the same skips the work. */
  private storedVersion = '';
  private readonly stored: Array<() => void> = [];

  constructor(
    private readonly registry: WorkflowRegistry,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly opts: CatalogOptions = {},
  ) {}

  /**
   * Start-up: the file workflows (a route conflict among them throws, as a bad directory
   * should), then each stored API workflow that loads and fits, then the overrides that still
   * apply. The registry gets the result in one `replaceAll`.
   */
  async load(files: readonly Workflow[]): Promise<void> {
    this.files = files;
    this.storedVersion = '';
    await this.loadStored();
  }

  /**
   * Reads the stored workflows and overrides again — another process changed them over its
   * API — and applies what changed to the registry. Does nothing when the store holds what
   * the last load read.
   */
  reload(): Promise<void> {
    return this.exclusive(() => this.loadStored());
  }

  /** Called after each change made here (put, remove, enable/disable) was stored. */
  onStored(listener: () => void): void {
    this.stored.push(listener);
  }

  private async loadStored(): Promise<void> {
    const files = this.files;
    const [storedWorkflows, overrides] = await Promise.all([
      this.store.listStoredWorkflows(),
      this.store.listWorkflowOverrides(),
    ]);
    const version = JSON.stringify([
      storedWorkflows.map((w) => [w.name, w.updatedAt, w.text.length]),
      overrides,
    ]);
    if (version === this.storedVersion) return;
    this.storedVersion = version;
    this.fromFiles.clear();
    this.fromApi.clear();
    for (const wf of files) this.fromFiles.set(wf.name, wf.file ?? wf.name);
    await this.registry.checkRoutes(files);
    this.overrides = new Map(overrides.map((o) => [o.name, o]));

    // Toggles apply before routes are checked: a disabled workflow holds no route, whatever
    // order the workflows are read in.
    const toggled = async (wf: Workflow): Promise<Workflow> => {
      const { workflow, stale } = this.withOverride(wf);
      if (stale) await this.dropOverride(wf.name);
      return workflow;
    };
    const set = new Map(files.map((wf) => [wf.name, wf]));
    for (const wf of files) {
      const next = await toggled(wf);
      if (next === wf) continue;
      try {
        await this.registry.checkRoutes([...set.values()].map((w) => (w === wf ? next : w)));
        set.set(wf.name, next);
      } catch (err) {
        this.log.warn({ workflow: wf.name, err }, 'an enable/disable toggle no longer fits');
      }
    }
    for (const stored of storedWorkflows) {
      if (this.fromFiles.has(stored.name)) {
        this.log.warn(
          { workflow: stored.name, file: this.fromFiles.get(stored.name) },
          'a workflow pushed over the API has the name of a file workflow; the file wins',
        );
        continue;
      }
      try {
        const wf = await toggled(this.parse(stored.name, stored.text, stored.format));
        await this.registry.checkRoutes([...set.values(), wf]);
        set.set(wf.name, wf);
        this.fromApi.add(wf.name);
      } catch (err) {
        this.log.error(
          { workflow: stored.name, err },
          'a workflow pushed over the API does not load; it is kept, and skipped until fixed',
        );
      }
    }
    await this.registry.replaceAll([...set.values()]);
  }

  /** Where the workflow of that name comes from; undefined when none is loaded. */
  origin(name: string): WorkflowOrigin | undefined {
    if (this.fromFiles.has(name)) return 'file';
    return this.fromApi.has(name) ? 'api' : undefined;
  }

  /** Creates or replaces an API workflow from its text. */
  put(
    name: string,
    text: string,
    format: DocumentFormat,
  ): Promise<{ created: boolean; workflow: Workflow }> {
    return this.exclusive(async () => {
      this.refuseFileWorkflow(name, 'replace');
      // A push naming an unknown on_failure is refused; stored ones load as they are (the
      // workflow they name may be read after them).
      const known = new Set([name, ...this.registry.list().map((w) => w.name)]);
      const parsed = this.parse(name, text, format, known);
      if (parsed.name !== name) {
        throw new HookflowError(
          'invalid_request',
          `the document is named '${parsed.name}' but was sent to /api/workflows/${name}; use the same name in both`,
        );
      }
      const created = this.registry.get(name) === undefined;
      const { workflow, stale } = this.withOverride(parsed);
      await this.registry.checkRoutes(this.others(name).concat(workflow));
      await this.store.putStoredWorkflow({ name, text, format });
      if (stale) await this.dropOverride(name);
      this.fromApi.add(name);
      await this.registry.put(workflow);
      this.log.info({ workflow: name, created }, created ? 'workflow created' : 'workflow updated');
      this.changedHere();
      return { created, workflow };
    });
  }

  /** Deletes an API workflow (also one kept in the store that did not load). */
  remove(name: string): Promise<void> {
    return this.exclusive(async () => {
      this.refuseFileWorkflow(name, 'delete');
      const stored = await this.store.deleteStoredWorkflow(name);
      const loaded = await this.registry.remove(name);
      if (!stored && !loaded) throw notFound(name);
      this.fromApi.delete(name);
      await this.dropOverride(name);
      this.log.info({ workflow: name }, 'workflow deleted');
      this.changedHere();
    });
  }

  /** Enables or disables a workflow of either origin; kept across restarts. */
  setEnabled(name: string, enabled: boolean): Promise<Workflow> {
    return this.exclusive(async () => {
      const wf = this.registry.get(name);
      if (!wf) throw notFound(name);
      const next = { ...wf, enabled };
      await this.registry.checkRoutes(this.others(name).concat(next));
      const override = { name, enabled, hash: wf.hash };
      await this.store.setWorkflowOverride(name, { enabled, hash: wf.hash });
      this.overrides.set(name, override);
      await this.registry.setEnabled(name, enabled);
      this.log.info(
        { workflow: name, enabled },
        enabled ? 'workflow enabled' : 'workflow disabled',
      );
      this.changedHere();
      return this.registry.get(name) ?? next;
    });
  }

  private changedHere(): void {
    // The store changed under the last load's version: the next reload reads it all again.
    this.storedVersion = '';
    for (const listener of this.stored) listener();
  }

  private parse(
    name: string,
    text: string,
    format: DocumentFormat,
    workflows?: ReadonlySet<string>,
  ): Workflow {
    const connections = this.opts.connections?.();
    const wf = parseWorkflow(text, `api:${name}.${format}`, {
      env: this.opts.env ?? process.env,
      ...(workflows ? { workflows } : {}),
      ...(connections ? { connections } : {}),
      ...(this.opts.connectors ? { connectors: this.opts.connectors } : {}),
    });
    return { ...wf, file: undefined };
  }

  /** The workflow with its override applied, and whether the override is stale (other hash). */
  private withOverride(wf: Workflow): { workflow: Workflow; stale: boolean } {
    const o = this.overrides.get(wf.name);
    if (!o) return { workflow: wf, stale: false };
    if (o.hash !== wf.hash) return { workflow: wf, stale: true };
    return {
      workflow: o.enabled === wf.enabled ? wf : { ...wf, enabled: o.enabled },
      stale: false,
    };
  }

  private async dropOverride(name: string): Promise<void> {
    if (this.overrides.delete(name)) await this.store.setWorkflowOverride(name, null);
  }

  private refuseFileWorkflow(name: string, action: 'replace' | 'delete'): void {
    const file = this.fromFiles.get(name);
    if (file === undefined) return;
    throw new HookflowError(
      'conflict',
      `workflow '${name}' is defined by the file ${file}; ${action === 'replace' ? 'edit' : 'delete'} that file instead (it would win again at the next start)`,
    );
  }

  private others(name: string): Workflow[] {
    return this.registry.list().filter((w) => w.name !== name);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}

function notFound(name: string): HookflowError {
  return new HookflowError('not_found', `no workflow named '${name}'`);
}
