/**
 * @module connectors/http-client
 * The HTTP client connector code gets (`ctx.http`). Each request runs as an `http` step would:
 * same request building, connection (base URL, credentials, refresh), outbound guard
 * (the dispatcher), retries, response parsing, size limit, credentials redacted in errors.
 *
 * @example
 *   const http = createHttpClient({ connection: 'mailchimp', workflow: 'subs', jobId: 'init', deps });
 *   const res = await http.post('/lists/abc/webhooks', { url }, { response: 'json' });
 */
import type { Dispatcher } from 'undici';
import { executeHttpStep, StepError } from '../steps/index.js';
import type { ConnectionResolver, HttpResponseOutput, StepOutcome } from '../steps/index.js';
import { staticTemplate } from '../workflow/index.js';
import type { HttpStep } from '../workflow/types.js';
import type { HttpClient, HttpClientRequest, HttpClientResponse } from './sdk/types.js';

export interface HttpClientDeps {
  connections?: ConnectionResolver;
  dispatcher?: Dispatcher;
}

export interface HttpClientOptions {
  deps: HttpClientDeps;
  /** The connection requests use unless they name another (or null). */
  connection: string | null;
  workflow: string;
  /** The job, or a label such as `init` for lifecycle calls. */
  jobId: string;
  signal?: AbortSignal;
  /** Told the time each request waited for its connection's throttle. */
  onWaited?(ms: number): void;
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  async function request<B>(req: HttpClientRequest): Promise<HttpClientResponse<B>> {
    const connection = req.connection === undefined ? opts.connection : req.connection;
    const where = `connector request ${req.method ?? 'GET'} ${req.url}`;
    const step: HttpStep = {
      id: 'connector',
      line: 0,
      type: 'http',
      method: (req.method ?? 'GET').toUpperCase(),
      // Static: a connector's URL or body holding `{{` is data, not an expression.
      url: staticTemplate(req.url, `${where}.url`),
      bodyType: req.bodyType ?? 'json',
      response: req.response ?? 'auto',
      timeoutMs: req.timeoutMs ?? 30_000,
      retry: { attempts: req.attempts ?? 1, backoffMs: req.backoffMs ?? 1000 },
      errors: req.errors ?? 'fail',
    };
    if (connection) step.connection = connection;
    if (req.headers) step.headers = staticTemplate(req.headers, `${where}.headers`);
    if (req.query) step.query = staticTemplate(req.query, `${where}.query`);
    if (req.body !== undefined) step.body = staticTemplate(req.body, `${where}.body`);
    const { deps } = opts;
    let outcome: StepOutcome;
    try {
      outcome = await executeHttpStep(step, {
        scope: {},
        jobId: opts.jobId,
        workflow: opts.workflow,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(deps.connections ? { connections: deps.connections } : {}),
        ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
      });
    } catch (e) {
      if (e instanceof StepError && e.waitedMs > 0) opts.onWaited?.(e.waitedMs);
      throw e;
    }
    if (outcome.waitedMs) opts.onWaited?.(outcome.waitedMs);
    return outcome.output as HttpResponseOutput as HttpClientResponse<B>;
  }
  return {
    request,
    get: (url, o = {}) => request({ ...o, url, method: 'GET' }),
    delete: (url, o = {}) => request({ ...o, url, method: 'DELETE' }),
    post: (url, body, o = {}) => request({ ...o, url, body, method: 'POST' }),
    put: (url, body, o = {}) => request({ ...o, url, body, method: 'PUT' }),
    patch: (url, body, o = {}) => request({ ...o, url, body, method: 'PATCH' }),
  };
}
