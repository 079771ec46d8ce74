/**
 * @module tracing/attributes
 * The attribute names Hookflow's spans carry: its own under `hookflow.`, HTTP ones from the
 * semantic conventions. Stable: dashboards and queries are written against them. Values are
 * names, ids, counts and statuses — never secrets, bodies or header values.
 */
export {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';

export const ATTR_WORKFLOW = 'hookflow.workflow';
export const ATTR_JOB_ID = 'hookflow.job.id';
export const ATTR_JOB_ATTEMPT = 'hookflow.job.attempt';
/** The workflow version the job runs (a content hash; absent for jobs stored before versions). */
export const ATTR_WORKFLOW_VERSION = 'hookflow.workflow.version';
export const ATTR_JOB_STATUS = 'hookflow.job.status';
/** ms from the job's commit to its first claim (first attempt only). */
export const ATTR_JOB_QUEUED_MS = 'hookflow.job.queued_ms';
export const ATTR_JOB_RERUN_OF = 'hookflow.job.rerun_of';
export const ATTR_STEP_ID = 'hookflow.step.id';
export const ATTR_STEP_TYPE = 'hookflow.step.type';
export const ATTR_STEP_STATUS = 'hookflow.step.status';
export const ATTR_STEP_ATTEMPTS = 'hookflow.step.attempts';
/** The connection a step's requests use (its name, never its credentials). */
export const ATTR_CONNECTION = 'hookflow.connection';
/** A connector action step: `connector.action`. */
export const ATTR_ACTION = 'hookflow.action';
