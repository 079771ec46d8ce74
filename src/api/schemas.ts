/**
 * @module api/schemas
 * JSON schemas of the management API's requests and answers. Fastify validates requests with
 * them and serializes answers with them; `@fastify/swagger` turns the same objects into
 * `/api/openapi.json`. Objects allow more properties than they list, so a field added by one
 * part of the server (a trigger's status, a connector's lifecycle) is never dropped on the way.
 *
 * @example
 *   api.get('/jobs/:id', { schema: { params: idParams, response: withErrors({ 200: jobDetail }) } }, …)
 */
import { JOB_STATUSES } from '../store/types.js';

const open = { type: 'object', additionalProperties: true } as const;
const nullableString = { type: ['string', 'null'] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
/** Any JSON value (trigger data, a step's input and output, a reply's body). */
const anyValue = {} as const;

export const errorAnswer = {
  ...open,
  description: 'An error: `{"error": {"code", "message"}}`, sometimes with more fields.',
  required: ['error'],
  properties: {
    error: {
      ...open,
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        problems: {
          type: 'array',
          description: 'invalid_workflow: every problem of the document',
          items: {
            type: 'object',
            properties: {
              file: { type: 'string' },
              line: { type: 'integer' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;

/** The answers of a route plus the error answers every API route may give. */
export function withErrors<T extends Record<number, unknown>>(answers: T) {
  return { ...answers, '4xx': errorAnswer, '5xx': errorAnswer };
}

export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', description: 'the workflow name, [a-z0-9-]+' } },
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'a job id (ULID)' } },
} as const;

const jobStatus = { type: 'string', enum: [...JOB_STATUSES] } as const;

export const workflowSummary = {
  ...open,
  required: ['name', 'enabled', 'trigger', 'steps'],
  properties: {
    name: { type: 'string' },
    enabled: { type: 'boolean' },
    origin: {
      type: 'string',
      enum: ['file', 'api'],
      description: 'file: the workflows directory; api: pushed with PUT',
    },
    file: { ...nullableString, description: 'the file it was loaded from; null for api' },
    trigger: {
      ...open,
      required: ['type'],
      description:
        'webhook: {type, method, path, url, delivery}; other trigger kinds add their own fields',
      properties: {
        type: { type: 'string' },
        method: nullableString,
        path: nullableString,
        url: nullableString,
        delivery: nullableString,
      },
    },
    steps: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' } } },
    },
    lastJobStatus: { anyOf: [jobStatus, { type: 'null' }] },
  },
} as const;

export const workflowDetail = {
  ...workflowSummary,
  properties: {
    ...workflowSummary.properties,
    source: { ...anyValue, description: 'the document as written (no `${env:}` values)' },
  },
} as const;

export const workflowList = {
  type: 'object',
  required: ['workflows'],
  properties: { workflows: { type: 'array', items: workflowSummary } },
} as const;

export const workflowDocument = {
  description:
    'The workflow file as text: `application/yaml`, `text/yaml` or `application/json`. Its `name` must be the one in the URL.',
  type: 'string',
} as const;

export const jobsQuery = {
  type: 'object',
  properties: {
    workflow: { type: 'string' },
    status: jobStatus,
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', description: 'next_cursor of the previous page' },
    match: {
      type: 'array',
      items: { type: 'string' },
      maxItems: 8,
      description:
        'PATH:VALUE on the trigger data (e.g. body.order.id:123; repeat to AND several); needs workflow. Bad syntax: 400 invalid_match. See docs/jobs.md "Search by payload".',
    },
  },
} as const;

/** Why a queued job has not started (store JobWaiting); null unless queued. */
const jobWaiting = {
  description:
    'why a queued job has not started: `debounce` (its burst of events is still gathering, until `until`), `concurrency` (`limit` jobs of its concurrency key `key` run, or older ones of the key wait), `queue` (runnable, waiting for a free worker slot behind other jobs); null unless queued',
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      required: ['reason', 'until', 'count'],
      properties: {
        reason: { type: 'string', enum: ['debounce'] },
        until: { type: 'string', format: 'date-time' },
        count: { type: 'integer', description: 'events the job stands for so far' },
      },
    },
    {
      type: 'object',
      required: ['reason', 'key', 'limit'],
      properties: {
        reason: { type: 'string', enum: ['concurrency'] },
        key: {
          type: 'string',
          description: "the job's concurrency key ('' for the whole workflow)",
        },
        limit: { type: 'integer' },
      },
    },
    {
      type: 'object',
      required: ['reason'],
      properties: { reason: { type: 'string', enum: ['queue'] } },
    },
  ],
} as const;

const jobSummary = {
  ...open,
  required: ['id', 'workflow', 'status', 'createdAt', 'finishedAt', 'durationMs', 'waiting'],
  properties: {
    id: { type: 'string' },
    workflow: { type: 'string' },
    status: jobStatus,
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { ...nullableString, format: 'date-time' },
    durationMs: nullableNumber,
    waiting: jobWaiting,
  },
} as const;

export const jobPage = {
  type: 'object',
  required: ['jobs', 'next_cursor'],
  properties: {
    jobs: { type: 'array', items: jobSummary },
    next_cursor: { ...nullableString, description: 'null on the last page' },
  },
} as const;

const reply = {
  ...open,
  properties: {
    status: { type: 'integer' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: anyValue,
    bodyEncoding: {
      type: 'string',
      enum: ['base64'],
      description: 'present when the reply was exact bytes: `body` is their base64',
    },
  },
} as const;

export const jobDetail = {
  ...jobSummary,
  required: [
    ...jobSummary.required,
    'attempt',
    'rerunOf',
    'trigger',
    'steps',
    'reply',
    'error',
    'traceId',
    'traceUrl',
  ],
  properties: {
    ...jobSummary.properties,
    attempt: { type: 'integer' },
    rerunOf: nullableString,
    version: {
      ...nullableString,
      description: 'the version (content hash) of the workflow the job ran; null before versions',
    },
    failureOf: {
      ...nullableString,
      description: "an error workflow's job: the failed job whose summary is its trigger data",
    },
    replay: {
      ...nullableString,
      description: 'a job made by a bulk replay: the replay (`rerunOf` is the job it replays)',
    },
    trigger: { ...anyValue, description: "the trigger's output (secrets redacted)" },
    steps: {
      type: 'array',
      items: {
        ...open,
        properties: {
          seq: { type: 'integer' },
          id: { type: 'string' },
          type: { type: 'string' },
          status: { type: 'string', enum: ['succeeded', 'failed', 'skipped'] },
          input: anyValue,
          output: anyValue,
          error: nullableString,
          attempts: { type: 'integer' },
          startedAt: { type: 'string', format: 'date-time' },
          durationMs: { type: 'number' },
          waitedMs: {
            type: 'number',
            description:
              "of durationMs, the time spent waiting for the connection's throttle (rate slots, pauses after a 429/503 with Retry-After)",
          },
        },
      },
    },
    reply: { anyOf: [reply, { type: 'null' }] },
    error: nullableString,
    traceId: {
      ...nullableString,
      description:
        'the OpenTelemetry trace the job belongs to (32 hex digits); null when it was created with tracing off',
    },
    traceUrl: {
      ...nullableString,
      description: 'the trace in a trace viewer, when HOOKFLOW_TRACE_URL is set',
    },
  },
} as const;

export const rerunAnswer = {
  type: 'object',
  required: ['id', 'rerunOf', 'status'],
  properties: {
    id: { type: 'string' },
    rerunOf: { type: 'string' },
    status: { type: 'string', enum: ['queued'] },
  },
} as const;

export const rerunBody = {
  anyOf: [
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        version: {
          type: 'string',
          enum: ['original', 'current'],
          description:
            '`current` (default): the workflow as loaded now; `original`: the version the job ran with',
        },
      },
    },
    { type: 'null' },
  ],
} as const;

const versionJob = {
  anyOf: [
    {
      type: 'object',
      required: ['id', 'createdAt'],
      properties: { id: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } },
    },
    { type: 'null' },
  ],
} as const;

export const versionList = {
  type: 'object',
  required: ['versions'],
  properties: {
    current: { ...nullableString, description: 'the version loaded now' },
    versions: {
      type: 'array',
      description: 'newest first',
      items: {
        type: 'object',
        required: ['version', 'createdAt', 'firstJob', 'lastJob'],
        properties: {
          version: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          firstJob: versionJob,
          lastJob: versionJob,
        },
      },
    },
  },
} as const;

export const replayIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'a replay id (ULID)' } },
} as const;

export const replayBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    workflow: { type: 'string', description: 'only jobs of this workflow' },
    status: {
      type: 'string',
      enum: ['failed', 'succeeded'],
      default: 'failed',
      description: 'only jobs with this status; jobs still queued or running are not replayed',
    },
    since: {
      type: 'string',
      description:
        'jobs created at or after: a duration before now (`30m`, `2h`, `7d`) or an ISO time',
    },
    until: {
      type: 'string',
      description: 'jobs created before: a duration before now or an ISO time',
    },
    error: {
      type: 'string',
      maxLength: 1000,
      description: 'jobs whose error contains this text (case-insensitive), e.g. `answered 503`',
    },
    ids: {
      type: 'array',
      items: { type: 'string' },
      maxItems: 1000,
      description: 'only these jobs (the UI’s "replay selected")',
    },
    replayed: {
      type: 'boolean',
      description:
        'false: only jobs no replay has made a new job of yet (the Failed view’s default); true: only jobs one has',
    },
    dry_run: {
      type: 'boolean',
      default: false,
      description: 'true: answer the count and a sample; nothing is created',
    },
    sample: {
      type: 'integer',
      minimum: 0,
      maximum: 500,
      default: 10,
      description: 'dry run: how many of the newest matching jobs to show',
    },
    version: {
      type: 'string',
      enum: ['original', 'current'],
      default: 'current',
      description:
        '`current`: the workflow as loaded now; `original`: the version each job ran with',
    },
    rate: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      description: 'new jobs per second at most (default HOOKFLOW_REPLAY_RATE, 20)',
    },
  },
} as const;

const replayFilter = {
  ...open,
  required: ['status'],
  properties: {
    workflow: { type: 'string' },
    status: jobStatus,
    since: { type: 'number', description: 'epoch ms' },
    until: { type: 'number', description: 'epoch ms' },
    error: { type: 'string' },
    ids: { type: 'array', items: { type: 'string' } },
    replayed: { type: 'boolean' },
  },
} as const;

export const replayAnswer = {
  ...open,
  required: [
    'id',
    'filter',
    'version',
    'rate',
    'status',
    'matched',
    'created',
    'skipped',
    'jobs',
    'error',
    'createdAt',
    'finishedAt',
  ],
  properties: {
    id: { type: 'string' },
    filter: replayFilter,
    version: { type: 'string', enum: ['original', 'current'] },
    rate: { type: 'integer', description: 'new jobs per second at most' },
    status: { type: 'string', enum: ['running', 'done', 'cancelled', 'failed'] },
    matched: { type: 'integer', description: 'jobs the filter matched when it was created' },
    created: { type: 'integer', description: 'new jobs made so far' },
    skipped: {
      type: 'integer',
      description:
        'matched jobs that got no new job: workflow no longer loaded, no stored version, pruned',
    },
    jobs: {
      type: 'object',
      description: 'the new jobs by their status now',
      properties: Object.fromEntries(JOB_STATUSES.map((s) => [s, { type: 'integer' }])),
    },
    error: { ...nullableString, description: 'why a failed replay stopped' },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { ...nullableString, format: 'date-time' },
  },
} as const;

export const replayDryRun = {
  type: 'object',
  required: ['dry_run', 'count', 'sample'],
  properties: {
    dry_run: { type: 'boolean', enum: [true] },
    count: { type: 'integer', description: 'jobs a replay would take now' },
    sample: {
      type: 'array',
      description: 'the newest matching jobs, newest first',
      items: {
        ...jobSummary,
        required: [...jobSummary.required, 'error'],
        properties: { ...jobSummary.properties, error: nullableString },
      },
    },
  },
} as const;

export const replayList = {
  type: 'object',
  required: ['replays'],
  properties: { replays: { type: 'array', description: 'newest first', items: replayAnswer } },
} as const;

export const replaysQuery = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
} as const;
