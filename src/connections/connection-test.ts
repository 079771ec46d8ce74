/**
 * @module connections/connection-test
 * `POST /api/connections/NAME/test`: sends the connection's `test` request (e.g. `GET /me`)
 * through the same http step machinery jobs use (base URL, credentials, OAuth2 refresh on a
 * 401, redirects, the SSRF guard) and says whether it answered 2xx. Without a `test`, an
 * OAuth2 connection is tested by obtaining a token, any other by a GET of its base URL.
 *
 * @example
 *   await testConnection(connections, 'jira'); // → { ok: true, status: 200, message: 'GET /rest/api/2/myself answered 200' }
 */
import { errorMessage } from '../errors.js';
import { executeHttpStep, redactSecretsInText } from '../steps/index.js';
import type { HttpResponseOutput } from '../steps/index.js';
import { staticTemplate } from '../workflow/index.js';
import type { HttpStep } from '../workflow/index.js';
import type { ConnectionRegistry } from './registry.js';

export interface ConnectionTestResult {
  ok: boolean;
  /** The test request's status; 0 when no response came back. */
  status: number;
  message: string;
}

const TEST_TIMEOUT_MS = 15_000;

export async function testConnection(
  connections: ConnectionRegistry,
  name: string,
): Promise<ConnectionTestResult> {
  const { connection, session } = connections.lookup(name);
  const test =
    connection.test ??
    (connection.baseUrl
      ? { method: 'GET', url: connection.baseUrl, headers: {}, query: {} }
      : null);
  if (!test) {
    if (session) {
      try {
        await session.accessToken();
        return {
          ok: true,
          status: 0,
          message: 'an access token was obtained (add test: {url: …} to call the API too)',
        };
      } catch (e) {
        return { ok: false, status: 0, message: errorMessage(e) };
      }
    }
    return {
      ok: false,
      status: 0,
      message: `connection '${name}' has no test request and no base_url; add test: {method: GET, url: /me}`,
    };
  }
  const where = `connections.${name}.test`;
  const step: HttpStep = {
    type: 'http',
    id: 'test',
    line: 1,
    connection: name,
    method: test.method,
    url: staticTemplate(test.url, `${where}.url`),
    headers: staticTemplate(test.headers, `${where}.headers`),
    query: staticTemplate(test.query, `${where}.query`),
    bodyType: 'json',
    response: 'auto',
    timeoutMs: TEST_TIMEOUT_MS,
    retry: { attempts: 1, backoffMs: 0 },
    errors: 'continue',
  };
  const label = `${test.method} ${test.url}`;
  try {
    const { output } = await executeHttpStep(step, {
      scope: {},
      jobId: 'connection-test',
      workflow: `connection:${name}`,
      connections,
      dispatcher: connections.deps.dispatcher,
    });
    const out = output as HttpResponseOutput & { error?: string };
    if (out.status === 0)
      return { ok: false, status: 0, message: `${label} failed: ${out.error ?? 'no response'}` };
    const ok = out.status >= 200 && out.status < 300;
    return {
      ok,
      status: out.status,
      message: `${label} answered ${out.status}${ok ? '' : detail(out.body, connections.secrets(name))}`,
    };
  } catch (e) {
    return { ok: false, status: 0, message: errorMessage(e) };
  }
}

/** A short, redacted part of an error body: what the service said was wrong. */
function detail(body: unknown, secrets: string[]): string {
  if (body === null || body === undefined) return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const short = text.length > 200 ? `${text.slice(0, 197)}...` : text;
  return short.trim() === '' ? '' : `: ${redactSecretsInText(short, secrets)}`;
}
