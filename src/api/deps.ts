/**
 * @module api/deps
 * What the API routes are given by `app.ts`.
 */
import type { ConnectionRegistry } from '../connections/index.js';
import type { CaptureHub } from '../ingress/capture.js';
import type { Metrics } from '../metrics/index.js';
import type { Intake } from '../queue/index.js';
import type { WorkflowCatalog, WorkflowRegistry } from '../registry/index.js';
import type { Store } from '../store/types.js';
import type { LifecycleStatus } from '../triggers/lifecycle/index.js';
import type { Workflow } from '../workflow/types.js';
import type { TriggerRuntime } from '../triggers/index.js';

export interface ApiDeps {
  registry: WorkflowRegistry;
  store: Store;
  /** Reruns commit their job through it. */
  intake: Intake;
  apiToken: string | null;
  /** Connector triggers' init/destroy status, shown with each workflow. */
  lifecycle?: { statusOf(wf: Workflow): LifecycleStatus | null };
  /** The status of poll and schedule triggers; left out, they show no status. */
  triggers?: TriggerRuntime;
  connections: ConnectionRegistry;
  /**
   * Where the server is reached: HOOKFLOW_PUBLIC_URL, else its own bound URL. Webhook URLs and
   * the OAuth2 redirect URI are built on it, never on a request's Host.
   */
  baseUrl(): string;
  /** Where workflows come from; changes made over the API go through it. */
  catalog: WorkflowCatalog;
  /** Served at `/metrics` when given. */
  metrics?: Metrics;
  /** Listening for test events; without it, the capture routes are absent. */
  captures?: CaptureHub;
  /** HOOKFLOW_TRACE_URL: a job's `traceUrl` is this with `{traceId}` replaced. */
  traceUrl?: string | null;
  /** Bulk replays: the rate of one that names none (HOOKFLOW_REPLAY_RATE); told of each new one. */
  replays?: { defaultRate: number; created(): void };
}
