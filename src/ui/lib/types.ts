/**
 * The API's shapes as the UI reads them (docs/api.md). Jobs are the store's own types; the
 * fields other parts of the server add to workflows are optional here.
 */
import type { JobDetail as StoredJobDetail, JobStatus } from '../../store/types.js';

/** A job as `GET /api/jobs/:id` answers: the stored trace context becomes its trace id. */
export type JobDetail = Omit<StoredJobDetail, 'trace'> & {
  traceId: string | null;
  /** The trace in a trace viewer (HOOKFLOW_TRACE_URL), when one is set. */
  traceUrl: string | null;
};

export type {
  JobStatus,
  JobSummary,
  MatchedJob,
  Replay,
  JobWaiting,
  StepRecord,
  TriggerData,
} from '../../store/types.js';
export type { HttpReply } from '../../workflow/types.js';

export interface TriggerInfo {
  type: string;
  // webhook and connector triggers
  method?: string;
  path?: string | null;
  url?: string | null;
  delivery?: string;
  // poll and schedule
  every?: string;
  cron?: string;
  timezone?: string;
  status?: {
    lastRunAt?: string | null;
    lastSuccessAt?: string | null;
    lastError?: string | null;
    nextRunAt?: string | null;
  };
  // connector triggers
  connector?: string;
  trigger?: string;
  lifecycle?: { state: 'pending' | 'ready' | 'failed'; error?: string | null; attempts?: number };
}

export interface WorkflowInfo {
  name: string;
  enabled: boolean;
  origin?: 'file' | 'api';
  file: string | null;
  trigger: TriggerInfo;
  steps: Array<{ id: string; type: string }>;
  lastJobStatus: JobStatus | null;
  source?: unknown;
}

export interface Datatree {
  workflow: string;
  sources: Array<{
    source: string;
    pills: Array<{ path: string; type: string; sample: unknown }>;
  }>;
}

export interface ConnectionInfo {
  name: string;
  type: string;
  grant: string | null;
  base_url: string | null;
  state: 'ready' | 'needs_authorization' | 'error';
  message: string | null;
  file: string | null;
}
