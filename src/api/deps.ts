/**
 * @module api/deps
 * What the API routes are given by `app.ts`.
 */
import type { Queue } from '../queue/types.js';
import type { WorkflowRegistry } from '../registry/index.js';
import type { Store } from '../store/types.js';
import type { TriggerRuntime } from '../triggers/index.js';

export interface ApiDeps {
  registry: WorkflowRegistry;
  store: Store;
  queue: Queue;
  apiToken: string | null;
  /** The status of poll and schedule triggers; left out, they show no status. */
  triggers?: TriggerRuntime;
}
