/**
 * @module connectors/sdk/types
 * The types a connector author writes against. A connector is a name, triggers and actions;
 * see {@link defineConnector}. Hooks receive plain data and return plain data (or promises of
 * it); Hookflow does the HTTP, the storage and the retries around them.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Delivery } from '../../workflow/types.js';

export type { StandardSchemaV1 };

export type Awaitable<T> = T | Promise<T>;
export type TriggerMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type TriggerFormat = 'auto' | 'json' | 'xml' | 'form' | 'text' | 'raw';

/** The incoming request, as `filter`, `before`, `reply` and `uniqueId` see it. */
export interface HttpRequest {
  method: string;
  /** The full path, e.g. `/hooks/github/events`. */
  path: string;
  /** `:param` segments of the trigger's path. */
  params: Record<string, string>;
  /** A key given twice is a list. */
  query: Record<string, string | string[]>;
  /** Lower-case names, as received (signatures included). */
  headers: Record<string, string | string[]>;
  /** Decoded by Content-Type or the trigger's `format` (JSON, form, XML, text…). */
  body: unknown;
  /** The exact bytes received: what signatures are computed over. */
  rawBody: Buffer;
}

/** An HTTP answer: the acknowledge reply, or what a {@link NoTrigger} sends. */
export interface Reply {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /**
   * A string is sent as it is (text/plain unless a Content-Type is given); a Buffer as its
   * exact bytes (application/octet-stream unless a Content-Type is given); else JSON.
   */
  body?: unknown;
}

/** What the per-request hooks know besides the request. */
export interface RequestContext<S> {
  workflow: string;
  /**
   * The event's id: its job's id, and the `id` the sender is answered with (tray's
   * `uniqueWebhookID`). When `split` makes several jobs, the first job's id.
   */
  id: string;
  /** What `init` returned; null until it has succeeded (or when there is no `init`). */
  state: S | null;
  /** The connection named in the workflow, if any. */
  connection: string | null;
  /**
   * Outbound HTTP, as in `init`: through the trigger's connection unless a request names
   * another, with the outbound guard and retries. Every request must end within the trigger's
   * `timeout` (the sender is waiting): past it, requests are aborted.
   */
  http: HttpClient;
  /** Fires when the trigger's `timeout` has passed. */
  signal: AbortSignal;
}

/** Logs through Hookflow's logger, tagged with the workflow and the connector. */
export interface ConnectorLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** An outbound request from connector code; the same options as an `http` step. */
export interface HttpClientRequest {
  method?: string;
  /** Absolute, or relative to the connection's `base_url`. */
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  body?: unknown;
  /** How `body` is encoded: json (default), form or raw. */
  bodyType?: 'json' | 'form' | 'raw';
  /** How the response body is read: auto (default, by Content-Type), json, xml, text, binary. */
  response?: 'auto' | 'json' | 'xml' | 'text' | 'binary';
  /** Default 30 s. */
  timeoutMs?: number;
  /** Total tries on network errors, 429 and 5xx (default 1: none). */
  attempts?: number;
  /** First wait between tries, doubled each time (default 1 s). */
  backoffMs?: number;
  /** `fail` (default): a non-2xx response throws. `continue`: it is returned. */
  errors?: 'fail' | 'continue';
  /** Another connection than the workflow's; null for none. */
  connection?: string | null;
}

export interface HttpClientResponse<B = unknown> {
  status: number;
  headers: Record<string, string | string[]>;
  body: B;
}

/**
 * Outbound HTTP for connector code. Requests go through the machinery of the `http` step:
 * the connection's base URL and credentials, the outbound address guard, retries, size limits
 * and redaction of credentials in errors.
 */
export interface HttpClient {
  request<B = unknown>(req: HttpClientRequest): Promise<HttpClientResponse<B>>;
  get<B = unknown>(
    url: string,
    opts?: Omit<HttpClientRequest, 'url' | 'method'>,
  ): Promise<HttpClientResponse<B>>;
  post<B = unknown>(
    url: string,
    body?: unknown,
    opts?: Omit<HttpClientRequest, 'url' | 'method' | 'body'>,
  ): Promise<HttpClientResponse<B>>;
  put<B = unknown>(
    url: string,
    body?: unknown,
    opts?: Omit<HttpClientRequest, 'url' | 'method' | 'body'>,
  ): Promise<HttpClientResponse<B>>;
  patch<B = unknown>(
    url: string,
    body?: unknown,
    opts?: Omit<HttpClientRequest, 'url' | 'method' | 'body'>,
  ): Promise<HttpClientResponse<B>>;
  delete<B = unknown>(
    url: string,
    opts?: Omit<HttpClientRequest, 'url' | 'method'>,
  ): Promise<HttpClientResponse<B>>;
}

/** What `init` gets, when the workflow is enabled (or changed). */
export interface LifecycleContext<P> {
  workflow: string;
  params: P;
  /** The public URL of this trigger, to register at the third party. */
  webhookUrl: string;
  connection: string | null;
  /** Goes through the workflow's connection unless a request names another. */
  http: HttpClient;
  /** Fires when Hookflow shuts down or the attempt runs too long. */
  signal: AbortSignal;
  log: ConnectorLog;
  /**
   * Stable for this workflow version across retries: send it as an idempotency key where the
   * third party takes one, so a retry after a lost answer creates nothing twice.
   */
  idempotencyKey: string;
}

/** What `destroy` gets: the same, with the state `init` returned. */
export interface DestroyContext<P, S> extends LifecycleContext<P> {
  state: S;
}

/**
 * A trigger that receives webhooks. Per request, in this order: `filter` → `before` → `split` →
 * `uniqueId` (per item) → `reply` (acknowledge delivery), then the event is stored and answered.
 *
 * - `P`: the params, as the `params` schema outputs them.
 * - `S`: the state `init` returns (kept in the store, given to `destroy` and every hook).
 * - `O`: the trigger output `before` returns (the request itself when there is no `before`).
 * - `I`: one job's output when `split` turns one request into several jobs.
 */
export interface TriggerDefinition<P = Record<string, unknown>, S = null, O = unknown, I = O> {
  title?: string;
  description?: string;
  /** Validates the workflow's trigger params at load time (any Standard Schema: zod, valibot…). */
  params?: StandardSchemaV1<unknown, P>;
  /** One mode, or the modes a workflow may choose from (the first is the default). */
  delivery?: Delivery | readonly Delivery[];
  /** The one method served (default POST). */
  method?: TriggerMethod;
  /** How the body is decoded (default auto, by Content-Type). */
  format?: TriggerFormat;
  /** On enable or change: e.g. create the webhook at the third party. Its result is the state. */
  init?(ctx: LifecycleContext<P>): Awaitable<S>;
  /** On disable, change or delete, with the state `init` returned. */
  destroy?(ctx: DestroyContext<P, S>): Awaitable<void>;
  /**
   * Synchronous. false → no job (the caller gets `200 {"accepted": false}`); throw a
   * {@link NoTrigger} to send another answer (a 401 for a bad signature, a challenge…). tray's
   * `'#no_trigger'` forms work too, thrown or as a rejected promise.
   */
  filter?(params: P, http: HttpRequest, ctx: RequestContext<S>): boolean;
  /** Shapes the trigger output (an object; Hookflow adds `id` and `receivedAt`). */
  before?(params: P, http: HttpRequest, ctx: RequestContext<S>): Awaitable<O>;
  /** One request, several jobs: each item is one job's output. Not with request_response. */
  split?(output: O, params: P): readonly I[];
  /** The dedupe key of a job: the same key again within the window makes no second job. */
  uniqueId?(
    params: P,
    http: HttpRequest,
    output: I,
    ctx: RequestContext<S>,
  ): string | null | undefined;
  /** The answer in acknowledge delivery (default `200 {"accepted": true, "id": …}`). */
  reply?(params: P, http: HttpRequest, output: O, ctx: RequestContext<S>): Awaitable<Reply>;
}

/** What an action's `run` gets. */
export interface ActionContext<P> {
  workflow: string;
  job: { id: string };
  params: P;
  connection: string | null;
  http: HttpClient;
  signal: AbortSignal;
  log: ConnectorLog;
}

/** A workflow step: `- <connector>.<action>: {params…}`. Its return value is the step output. */
export interface ActionDefinition<P = Record<string, unknown>, R = unknown> {
  title?: string;
  description?: string;
  /** Validates the params after their expressions are rendered (any Standard Schema). */
  params?: StandardSchemaV1<unknown, P>;
  run(ctx: ActionContext<P>): Awaitable<R>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- a record of triggers of any params */
export type AnyTrigger = TriggerDefinition<any, any, any, any>;
export type AnyAction = ActionDefinition<any, any>;
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface ConnectorDefinition<
  T extends Record<string, AnyTrigger> = Record<string, AnyTrigger>,
  A extends Record<string, AnyAction> = Record<string, AnyAction>,
> {
  /** `[a-z0-9-]+`; workflows write `<name>.<trigger>` and `<name>.<action>`. */
  name: string;
  title?: string;
  description?: string;
  triggers?: T;
  actions?: A;
}
