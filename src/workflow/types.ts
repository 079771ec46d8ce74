/**
 * @module workflow/types
 * The compiled form of a workflow file. The loader parses YAML/JSON once, validates it with
 * file:line errors and compiles every `{{ }}` into a {@link Template}; nothing past the loader
 * sees raw workflow input.
 */

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
}

/** What is sent back to a webhook caller, after rendering. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
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
  reply?: ReplyTemplate;
  /** Body size limit for this route; falls back to the server's `HOOKFLOW_MAX_BODY`. */
  maxBodyBytes?: number;
}

export type Trigger = WebhookTrigger;

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

export type Step = HttpStep | SwitchStep | ReplyStep | SetStep;
export type StepType = Step['type'];

export interface Workflow {
  name: string;
  enabled: boolean;
  trigger: Trigger;
  steps: Step[];
  /** The file it was loaded from, when it came from one. */
  file?: string;
  /** The parsed document as written (after `${env:}` substitution is NOT applied: no secrets). */
  source: unknown;
  /** sha256 of the source text, to tell a changed workflow from an unchanged one. */
  hash: string;
}
