/**
 * @module api/deps
 * What the API routes are given by `app.ts`.
 */
import type { ConnectionRegistry } from '../connections/index.js';
import type { Queue } from '../queue/types.js';
import type { WorkflowRegistry } from '../registry/index.js';
import type { Store } from '../store/types.js';

export interface ApiDeps {
  registry: WorkflowRegistry;
  store: Store;
  queue: Queue;
  apiToken: string | null;
  connections: ConnectionRegistry;
  /** HOOKFLOW_PUBLIC_URL; the OAuth2 redirect URI is built on it (else on the request's host). */
  publicUrl: string | null;
}
