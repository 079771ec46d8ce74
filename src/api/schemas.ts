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
  },
} as const;

const jobSummary = {
  ...open,
  required: ['id', 'workflow', 'status', 'createdAt', 'finishedAt', 'durationMs'],
  properties: {
    id: { type: 'string' },
    workflow: { type: 'string' },
    status: jobStatus,
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { ...nullableString, format: 'date-time' },
    durationMs: nullableNumber,
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
