/**
 * @module tracing/intake-spans
 * Jobs created without a request to continue — a rerun, `hookflow test` — start a trace of
 * their own at commit: a short root span (`rerun <workflow>`, `create <workflow>`) whose
 * context the job stores, so every attempt of it lands in one trace. A rerun's span links to
 * the original job's trace.
 *
 * @example
 *   const intake = traceIntake(createIntake(store, notify), store);
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Link } from '@opentelemetry/api';
import type { Intake } from '../queue/index.js';
import type { Store } from '../store/types.js';
import { ATTR_JOB_ID, ATTR_JOB_RERUN_OF, ATTR_WORKFLOW } from './attributes.js';
import { contextOf, storedTraceOf, tracer } from './spans.js';
import { tracingOn } from './state.js';

export function traceIntake(intake: Intake, store: Pick<Store, 'getJob'>): Intake {
  if (!tracingOn()) return intake;
  return {
    ...intake,
    async createJob(workflow, trigger, opts) {
      if (opts.trace || !tracingOn()) return intake.createJob(workflow, trigger, opts);
      const links: Link[] = [];
      const attributes: Record<string, string> = { [ATTR_WORKFLOW]: workflow };
      if (opts.rerunOf) {
        attributes[ATTR_JOB_RERUN_OF] = opts.rerunOf;
        const original = await store.getJob(opts.rerunOf);
        const linked = trace.getSpanContext(contextOf(original?.trace));
        if (linked) links.push({ context: linked });
      }
      const span = tracer().startSpan(
        `${opts.rerunOf ? 'rerun' : 'create'} ${workflow}`,
        { kind: SpanKind.PRODUCER, root: true, links, attributes },
        ROOT_CONTEXT,
      );
      try {
        const stored = storedTraceOf(trace.setSpan(ROOT_CONTEXT, span));
        const id = await intake.createJob(workflow, trigger, {
          ...opts,
          ...(stored && { trace: stored }),
        });
        span.setAttribute(ATTR_JOB_ID, id);
        return id;
      } catch (e) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw e;
      } finally {
        span.end();
      }
    },
  };
}
