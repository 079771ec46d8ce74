/**
 * @module steps/http/http-step
 * The `http` step: render the request, then one exchange (exchange.ts: connection, redirects,
 * retries, a renewal on 401, the response parsed, credentials redacted), or one per page when
 * it paginates (paginate.ts).
 *
 * @example
 *   const { input, output, attempts } = await executeHttpStep(step, ctx);
 *   // output: { status: 200, headers: { 'content-type': 'application/json' }, body: { id: 1 } }
 */
import type { HttpStep } from '../../workflow/types.js';
import { StepError } from '../types.js';
import type { StepContext, StepOutcome } from '../types.js';
import { buildRequest } from './build-request.js';
import { runExchange } from './exchange.js';
import { runPagination } from './paginate.js';
import type { ResponseHeaders } from './send-request.js';
import type { WaitTally } from './with-connection.js';

export { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_REDIRECTS } from './exchange.js';

export interface HttpStepOptions {
  /** Limit on a response body; default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
}

/** What an `http` step records as its input: the request as sent, redacted. */
export interface HttpStepInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  query: unknown;
  body: unknown;
}

/** The output when a response came back (any status with `errors: continue`). */
export interface HttpResponseOutput {
  status: number;
  /** Lower-cased names; a repeated header is a list. */
  headers: ResponseHeaders;
  body: unknown;
}

/** The output with `errors: continue` when no response came back. */
export interface HttpFailureOutput {
  status: 0;
  error: string;
  headers: Record<string, never>;
  body: null;
}

/** The output of a paginated step: every page's items, and the last page's status and headers. */
export interface HttpPagesOutput {
  status: number;
  headers: ResponseHeaders;
  items: unknown[];
  pages: number;
  /** false when max_pages stopped it with pages left, or a page failed (`errors: continue`). */
  complete: boolean;
  /** With `errors: continue`, the body of the page that failed. */
  body?: unknown;
  error?: string;
}

export type HttpStepOutput = HttpResponseOutput | HttpFailureOutput | HttpPagesOutput;

export async function executeHttpStep(
  step: HttpStep,
  ctx: StepContext,
  options: HttpStepOptions = {},
): Promise<StepOutcome> {
  const built = await buildRequest(step, ctx.scope);
  // Every exchange (each try, each page) adds the time it waited for the connection's turn.
  const waits: WaitTally = { ms: 0 };
  try {
    if (step.paginate) {
      const outcome = await runPagination(step, step.paginate, ctx, built, options, waits);
      return withWaits(outcome, waits);
    }
    const { input, output, attempts } = await runExchange(step, ctx, built, options, waits);
    return withWaits({ input, output, attempts }, waits);
  } catch (e) {
    if (!(e instanceof StepError) || waits.ms === 0) throw e;
    throw new StepError(e.code, e.message, {
      input: e.input,
      output: e.output,
      attempts: e.attempts,
      waitedMs: waits.ms,
    });
  }
}

function withWaits(outcome: StepOutcome, waits: WaitTally): StepOutcome {
  return waits.ms === 0 ? outcome : { ...outcome, waitedMs: waits.ms };
}
