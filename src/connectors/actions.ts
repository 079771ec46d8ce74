/**
 * @module connectors/actions
 * Runs a connector action step: renders its params, validates them with the action's schema,
 * calls `run` with an HTTP client bound to the step's connection, and records the rendered
 * params as input and the return value as output.
 *
 * @example
 *   const runner = createActionRunner({ catalog, http: { connections, dispatcher }, log });
 *   const outcome = await runner.run(step, { scope, jobId, workflow });
 */
import type { Logger } from 'pino';
import { errorMessage } from '../errors.js';
import { redactSecrets, StepError } from '../steps/index.js';
import type { StepContext, StepOutcome } from '../steps/index.js';
import type { ActionStep } from '../workflow/types.js';
import type { ConnectorCatalog } from './catalog.js';
import { connectorLog } from './connector-log.js';
import { createHttpClient } from './http-client.js';
import type { HttpClientDeps } from './http-client.js';
import { describeIssues, validateParams } from './validate-params.js';

export interface ActionRunner {
  run(step: ActionStep, ctx: StepContext): Promise<StepOutcome>;
}

export interface ActionRunnerDeps {
  catalog: ConnectorCatalog;
  http: HttpClientDeps;
  log: Logger;
}

export function createActionRunner(deps: ActionRunnerDeps): ActionRunner {
  return {
    async run(step, ctx) {
      const resolved = deps.catalog.resolveAction(step.key);
      if ('problem' in resolved) throw new StepError('action_unavailable', resolved.problem);
      const secrets = step.connection
        ? (deps.http.connections?.secrets(step.connection) ?? [])
        : [];
      const rendered = await step.params.render(ctx.scope);
      const input = redactSecrets(rendered, secrets);
      const checked = await validateParams(resolved.definition.params, rendered);
      if ('issues' in checked) {
        throw new StepError('invalid_params', describeIssues(step.key, checked.issues), { input });
      }
      let waitedMs = 0;
      const signal = AbortSignal.any(
        [ctx.signal, AbortSignal.timeout(step.timeoutMs)].filter((s): s is AbortSignal => !!s),
      );
      try {
        const output = await untilAborted(
          resolved.definition.run({
            workflow: ctx.workflow,
            job: { id: ctx.jobId },
            params: checked.value,
            connection: step.connection,
            http: createHttpClient({
              deps: deps.http,
              connection: step.connection,
              workflow: ctx.workflow,
              jobId: ctx.jobId,
              signal,
              onWaited: (ms) => (waitedMs += ms),
            }),
            signal,
            log: connectorLog(deps.log, {
              workflow: ctx.workflow,
              action: step.key,
              job: ctx.jobId,
            }),
          }),
          signal,
          step.timeoutMs,
        );
        const outcome = { input, output: redactSecrets(output ?? null, secrets), attempts: 1 };
        return waitedMs > 0 ? { ...outcome, waitedMs } : outcome;
      } catch (e) {
        if (e instanceof StepError) {
          throw new StepError(e.code, e.message, {
            input,
            output: e.output,
            attempts: e.attempts,
            waitedMs,
          });
        }
        throw new StepError('action_failed', `${step.key}: ${errorMessage(e)}`, {
          input,
          waitedMs,
        });
      }
    },
  };
}

/** The engine's one case for action steps. */
export function runAction(
  runner: ActionRunner | undefined,
  step: ActionStep,
  ctx: StepContext,
): Promise<StepOutcome> {
  if (!runner) {
    return Promise.reject(
      new StepError(
        'action_unavailable',
        `${step.key}: connector actions are not available to this run`,
      ),
    );
  }
  return runner.run(step, ctx);
}

/** Connector code may ignore the signal; the step still ends at its timeout. */
function untilAborted<T>(work: Promise<T> | T, signal: AbortSignal, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(
        signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
          ? new StepError('timeout', `no result within ${timeoutMs} ms`)
          : new StepError('aborted', 'cancelled with its job'),
      );
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(work).then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
