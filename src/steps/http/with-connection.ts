/**
 * @module steps/http/with-connection
 * What an `http` step asks of its connection: apply it to a request, renew its credentials
 * after a 401, its secrets (for redaction) and its dispatcher. A connection's failure becomes
 * a StepError naming it, with the connection's own code (needs_authorization, …) and its
 * message redacted.
 */
import { HookflowError } from '../../errors.js';
import type { HttpStep } from '../../workflow/types.js';
import { redactSecretsInText } from '../redact.js';
import { StepError } from '../types.js';
import type { OutboundRequest, SecretFields, StepContext } from '../types.js';
import { httpStepError } from './errors.js';
import type { HttpStepInput } from './http-step.js';

export async function applyConnection(
  step: HttpStep,
  ctx: StepContext,
  request: OutboundRequest,
  input: HttpStepInput,
  tries: number,
): Promise<OutboundRequest> {
  if (!step.connection) return request;
  if (!ctx.connections) {
    throw httpStepError(
      'connection_unavailable',
      `the step uses connection '${step.connection}', but no connections are available to this run`,
      { input, attempts: tries - 1 },
    );
  }
  const copy: OutboundRequest = { ...request, headers: { ...request.headers } };
  try {
    return await ctx.connections.apply(step.connection, copy);
  } catch (e) {
    throw connectionFailure(step, ctx, e, input, tries - 1);
  }
}

/** Asks the connection to renew its credentials after a 401; true: send again. */
export async function renewConnection(
  step: HttpStep,
  ctx: StepContext,
  sent: OutboundRequest,
  input: HttpStepInput,
  tries: number,
): Promise<boolean> {
  const renew = ctx.connections?.onUnauthorized;
  if (!step.connection || !renew) return false;
  try {
    return await renew.call(ctx.connections, step.connection, sent);
  } catch (e) {
    throw connectionFailure(step, ctx, e, input, tries, ' after the server answered 401');
  }
}

function connectionFailure(
  step: HttpStep,
  ctx: StepContext,
  e: unknown,
  input: HttpStepInput,
  attempts: number,
  when = '',
): StepError {
  const secrets = connectionSecrets(step, ctx);
  const message = redactSecretsInText(e instanceof Error ? e.message : String(e), secrets);
  // A connection's own codes (needs_authorization, oauth_failed…) say more than a generic one.
  const code = e instanceof HookflowError ? e.code : 'connection_failed';
  return new StepError(code, `connection '${step.connection}'${when}: ${message}`, {
    input,
    attempts,
  });
}

/** The milliseconds an http step waited for its connection's turn, over all its exchanges. */
export interface WaitTally {
  ms: number;
}

/**
 * Waits for the connection's turn to send (its `rate`, a pause an upstream asked for) and adds
 * the time to `waits`. A paused connection the step will not wait for fails it
 * (`connection_paused`); the job's cancellation, `aborted`.
 */
export async function awaitConnectionTurn(
  step: HttpStep,
  ctx: StepContext,
  waits: WaitTally | undefined,
  input: HttpStepInput,
  tries: number,
): Promise<void> {
  const awaitTurn = ctx.connections?.awaitTurn;
  if (!step.connection || !awaitTurn) return;
  const started = Date.now();
  try {
    const waited = await awaitTurn.call(ctx.connections, step.connection, ctx.signal);
    if (waits) waits.ms += waited;
  } catch (e) {
    if (waits) waits.ms += Date.now() - started;
    if (ctx.signal?.aborted) {
      throw httpStepError(
        'aborted',
        'the step was cancelled with its job while waiting for its connection',
        {
          input,
          attempts: tries - 1,
        },
      );
    }
    throw connectionFailure(step, ctx, e, input, tries - 1);
  }
}

/**
 * The upstream answered `status` with Retry-After `ms`: pause the connection for every job.
 * True when it was paused: the step's next try waits for the pause like every other request.
 */
export async function pauseConnection(
  step: HttpStep,
  ctx: StepContext,
  ms: number,
  status: number,
  input: HttpStepInput,
  tries: number,
): Promise<boolean> {
  const pause = ctx.connections?.pause;
  if (!step.connection || !pause) return false;
  try {
    return await pause.call(ctx.connections, step.connection, ms, status);
  } catch (e) {
    throw connectionFailure(
      step,
      ctx,
      e,
      input,
      tries,
      ` pausing after the server answered ${status}`,
    );
  }
}

export function connectionSecrets(step: HttpStep, ctx: StepContext): string[] {
  return step.connection ? (ctx.connections?.secrets(step.connection) ?? []) : [];
}

export function connectionSecretFields(step: HttpStep, ctx: StepContext): SecretFields {
  const fields = step.connection ? ctx.connections?.secretFields?.(step.connection) : undefined;
  return fields ?? { headers: [], query: [] };
}

export function connectionDispatcher(step: HttpStep, ctx: StepContext) {
  return step.connection ? ctx.connections?.dispatcher?.(step.connection) : undefined;
}

/** Names of the headers the connection added or changed: its credentials. */
export function addedHeaders(
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  return Object.keys(after).filter((name) => before[name] !== after[name]);
}
