/**
 * @module workflow/types
 * The compiled form of a workflow file. The loader parses YAML/JSON once, validates it with
 * file:line errors and compiles every `{{ }}` into a {@link Template}; nothing past the loader
 * sees raw workflow input.
 */
import type { Retention } from './read-retention.js';
import type { MatchPath } from '../search/index.js';
import type { Verifier } from '../ingress/verify/index.js';
import type { BodyEncoding } from './binary.js';

/** Values visible to an expression: `trigger`, `steps`, `job`, `env`, `now`, or a request scope. */
export type Scope = Record<string, unknown>;

/** A compiled value that may hold `{{ JSONata }}` anywhere inside it (objects and lists walked). */
export interface Template {
  /** True when the value holds no expression; `render` then returns it unchanged. */
  readonly isStatic: boolean;
  /** Where it came from, for error messages: e.g. `steps.order.http.url`. */
  readonly where: string;
  /** Evaluates every expression; throws an ExpressionError naming `where` on failure/time-out. */
  render(scope: Scope): Promise<unknown>;
}

export type Delivery = 'fire_and_forget' | 'acknowledge' | 'request_response';
export type BodyFormat = 'auto' | 'json' | 'xml' | 'form' | 'text' | 'raw';
export type ResponseFormat = 'auto' | 'json' | 'xml' | 'text' | 'binary';

/** `reply`, `reject` and the reply step: each part may hold expressions. */
export interface ReplyTemplate {
  status: Template;
  headers: Template;
  body: Template;
  /** `base64`: the body renders to base64 text, sent as the bytes it encodes. */
  bodyEncoding: BodyEncoding;
}

/** What is sent back to a webhook caller, after rendering. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  /** Text (sent as UTF-8), null, a JSON value, or with `bodyEncoding` the bytes as base64. */
  body: unknown;
  /** Exact bytes: `body` is their base64 (replies cross threads and are stored as JSON). */
  bodyEncoding?: 'base64';
}

export interface WebhookTrigger {
  type: 'webhook';
  /** Upper-case method, e.g. `POST`. */
  method: string;
  /** Route below `/hooks/`, without leading slash; null → a generated `<token>/<name>` path. */
  path: string | null;
  format: BodyFormat;
  delivery: Delivery;
  /** request_response: the longest wait for the reply. */
  timeoutMs: number;
  example?: unknown;
  filter?: Template;
  reject?: ReplyTemplate;
  dedupe?: Template;
  dedupeWindowMs: number;
  /** Sender verification options (§4), kept as given; checked by ingress. */
  verify?: Record<string, unknown>;
  /** `verify` compiled: run by the ingress on the headers and raw bytes, before decoding. */
  verifier?: Verifier;
  reply?: ReplyTemplate;
  /** Body size limit for this route; falls back to the server's `HOOKFLOW_MAX_BODY`. */
  maxBodyBytes?: number;
  /** `rate_limit`: events above it are answered 429 and not stored. */
  rateLimit?: RateLimit;
}

/** At most `limit` events per `perMs` (a fixed window), counted per value of `key`. */
export interface RateLimit {
  limit: number;
  perMs: number;
  /** Evaluated in the webhook's request scope; absent: one count for the workflow. */
  key?: Template;
}

/**
 * Trailing debounce: the events of one value of `key` become one job with the last event's
 * trigger data, started `waitMs` after the last event, at the latest `maxWaitMs` after the first.
 */
export interface Debounce {
  waitMs: number;
  maxWaitMs: number;
  /** Evaluated with `trigger` in scope as the event is accepted; absent: the whole workflow. */
  key?: Template;
}

/** At most `limit` jobs per value of `key` run at once; the others wait queued, in order. */
export interface Concurrency {
  limit: number;
  /** Evaluated with `trigger` in scope when the job is created; absent: the whole workflow. */
  key?: Template;
}

/**
 * A connector's trigger (§7): `trigger: {github: {…}}` or `{mailchimp.subscribe: {…}}`. It is
 * served like a webhook; the connector's hooks run around the same ingest pipeline.
 */
export interface ConnectorTrigger {
  type: 'connector';
  /** As written: `github` or `mailchimp.subscribe`. */
  key: string;
  connector: string;
  trigger: string;
  /** The params as the trigger's schema gave them back (after `${env:}` substitution). */
  params: unknown;
  connection: string | null;
  method: string;
  path: string | null;
  format: BodyFormat;
  delivery: Delivery;
  timeoutMs: number;
  dedupeWindowMs: number;
  maxBodyBytes?: number;
  example?: unknown;
  verifier?: Verifier;
}

/** When a time-driven trigger fires: a fixed interval, or a cron pattern in a time zone. */
export type Timing =
  | {
      kind: 'every';
      ms: number;
      /** As written (`5m`), for the API and messages. */
      text: string;
    }
  | {
      kind: 'cron';
      /** 5 fields (minute first), or 6 with seconds first. */
      pattern: string;
      /** IANA name, e.g. `Europe/Berlin`; `UTC` when not given. */
      timezone: string;
    };

/** `trigger.poll` (docs/triggers.md): each new or changed item of a polled list starts a job. */
export interface PollTrigger {
  type: 'poll';
  timing: Timing;
  /** The request, with every field of an `http` step (its `id` is `request`). */
  request: HttpStep;
  /** The list of items, from the request's output `{status, headers, body}`. */
  items: Template;
  /** An item's identity, evaluated with the item as scope. */
  id: Template;
  /** An item's version (e.g. `updated_at`); a new value makes the item count as changed. */
  updated?: Template;
  /** The first poll starts jobs only for items updated at or after this: `now` or an ISO date. */
  since: 'now' | Date;
  /** How long an id is remembered after it last appeared in a poll. */
  seenWindowMs: number;
  /** A sample item (trigger.body), for the datatree. */
  example?: unknown;
}

/** `trigger.schedule`: one job per fire time. */
export interface ScheduleTrigger {
  type: 'schedule';
  timing: Timing;
}

export type Trigger = WebhookTrigger | ConnectorTrigger | PollTrigger | ScheduleTrigger;

interface StepBase {
  id: string;
  /** 1-based line in the source file, for messages. */
  line: number;
}

export interface RetryPolicy {
  /** Total tries, the first included (1 = no retry). */
  attempts: number;
  /** First wait; doubled after each failure, capped at 30 s. A Retry-After header wins. */
  backoffMs: number;
}

export interface HttpStep extends StepBase {
  type: 'http';
  connection?: string;
  method: string;
  url: Template;
  headers?: Template;
  query?: Template;
  body?: Template;
  /** How `body` is encoded: json (default), form (urlencoded) or raw (string/bytes as given). */
  bodyType: 'json' | 'form' | 'raw';
  /** `base64`: `body` renders to base64 text, sent as the bytes it encodes. Default `auto`. */
  bodyEncoding?: BodyEncoding;
  response: ResponseFormat;
  example?: unknown;
  timeoutMs: number;
  retry: RetryPolicy;
  errors: 'fail' | 'continue';
  /** Redirects followed (each checked by the SSRF guard); 0: a 3xx is the response. Default 5. */
  maxRedirects?: number;
  /** Fetch page after page; the output's `items` are every page's items, in order. */
  paginate?: HttpPagination;
}

/**
 * `paginate:` of an http step. Its expressions see the page just read (`status`, `headers`,
 * `body`, `links` from the Link header, `page: {number, items, total}`) beside the step's scope.
 */
export interface HttpPagination {
  /** Each page's items; default: the body, when it is a list. */
  items?: Template;
  /** Either the next page's URL (`next`), or a query parameter set to a new value each page. */
  next: { kind: 'url'; url: Template } | { kind: 'param'; param: string; value: Template };
  /** Read while true (evaluated after each page); default: until there is no next page. */
  while?: Template;
  maxPages: number;
}

export interface SwitchCase {
  /** null for `else`. */
  when: Template | null;
  steps: Step[];
}

export interface SwitchStep extends StepBase {
  type: 'switch';
  cases: SwitchCase[];
}

export interface ReplyStep extends StepBase {
  type: 'reply';
  reply: ReplyTemplate;
}

export interface SetStep extends StepBase {
  type: 'set';
  values: Template;
}

/** A connector's action: `- id: sub\n  mailchimp.subscribe: {connection: mc, list_id: …}`. */
export interface ActionStep extends StepBase {
  type: 'action';
  /** As written: `mailchimp.subscribe`. */
  key: string;
  connector: string;
  action: string;
  connection: string | null;
  /** Every other key of the mapping; may hold expressions. */
  params: Template;
  timeoutMs: number;
}

export type Step = HttpStep | SwitchStep | ReplyStep | SetStep | ActionStep;
export type StepType = Step['type'];

export interface Workflow {
  name: string;
  enabled: boolean;
  trigger: Trigger;
  steps: Step[];
  /** `on_failure:` the workflow run with the summary of each failed job, and its line. */
  onFailure?: { workflow: string; line: number };
  /** `retention:` what is kept of its finished jobs (else HOOKFLOW_RETENTION). */
  retention?: Retention;
  /** `search:` trigger data paths indexed with each job, for a fast `match` (docs/jobs.md). */
  search?: MatchPath[];
  /** `concurrency`: how many of its jobs may run at once, per key. */
  concurrency?: Concurrency;
  /** `debounce`: a burst of events of one key becomes one job. */
  debounce?: Debounce;
  /** The file it was loaded from, when it came from one. */
  file?: string;
  /** The parsed document as written (after `${env:}` substitution is NOT applied: no secrets). */
  source: unknown;
  /** The file's text as read (`${env:}` not substituted): other threads compile it again. */
  text: string;
  /** The values its `${env:NAME}` references got (secrets: never shown), to compile it again. */
  env: Record<string, string>;
  /** sha256 of the source text, to tell a changed workflow from an unchanged one. */
  hash: string;
  /** Every `{{ }}` of the steps with its line, for checks made after loading (datatree). */
  expressions?: readonly { where: string; line: number; source: string }[];
}
