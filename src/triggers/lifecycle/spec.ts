/**
 * @module triggers/lifecycle/spec
 * From a workflow to the lifecycle's view of its trigger, and back: the spec kept with a
 * record (params as written, `${env:}` unresolved), its fingerprint, and the params compiled
 * again from a spec when the workflow itself is gone (a destroy after a restart).
 */
import { createHash } from 'node:crypto';
import type { ConnectorCatalog } from '../../connectors/index.js';
import { describeIssues, validateParamsSync } from '../../connectors/index.js';
import { HookflowError } from '../../errors.js';
import type { ConnectorTrigger, Workflow } from '../../workflow/types.js';
import { CONNECTOR_TRIGGER_KEYS } from '../../workflow/read-connector.js';
import type { DesiredTrigger, LifecycleSpec } from './plan.js';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The desired lifecycle of a workflow, or null when its trigger has no init/destroy. */
export function desiredTrigger(
  wf: Workflow,
  catalog: ConnectorCatalog,
  webhookUrl: string,
): DesiredTrigger | null {
  const t = wf.trigger;
  if (!wf.enabled || t.type !== 'connector') return null;
  const found = catalog.resolveTrigger(t.key);
  if ('problem' in found || (!found.definition.init && !found.definition.destroy)) return null;
  const spec: LifecycleSpec = {
    key: t.key,
    params: sourceParams(wf, t),
    connection: t.connection,
    webhookUrl,
  };
  return { workflow: wf.name, fingerprint: fingerprint(t, webhookUrl), spec };
}

/**
 * Changes when what the third party was told would change: the connector, the params (after
 * `${env:}`), the connection or the URL. Editing only the steps keeps the subscription.
 */
function fingerprint(t: ConnectorTrigger, webhookUrl: string): string {
  const what = JSON.stringify([t.key, t.params, t.connection, webhookUrl]);
  return createHash('sha256').update(what).digest('hex');
}

/** The trigger's params as written in the file (the source is kept without secrets). */
function sourceParams(wf: Workflow, t: ConnectorTrigger): Record<string, unknown> {
  const trigger = (wf.source as { trigger?: Record<string, unknown> } | null)?.trigger;
  const raw = trigger?.[t.key];
  const out: Record<string, unknown> = {};
  if (typeof raw === 'object' && raw !== null) {
    for (const [k, v] of Object.entries(raw)) if (!CONNECTOR_TRIGGER_KEYS.includes(k)) out[k] = v;
  }
  return out;
}

/** The params of a spec, `${env:}` resolved and the schema applied, as the loader does. */
export function paramsOfSpec(
  spec: LifecycleSpec,
  catalog: ConnectorCatalog,
  env: Record<string, string | undefined> = process.env,
): unknown {
  const found = catalog.resolveTrigger(spec.key);
  if ('problem' in found) throw new HookflowError('connector_unavailable', found.problem);
  const checked = validateParamsSync(found.definition.params, resolveEnv(spec.params, env));
  if ('issues' in checked) {
    throw new HookflowError(
      'invalid_params',
      describeIssues(`trigger.${spec.key}`, checked.issues),
    );
  }
  return checked.value;
}

function resolveEnv(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_whole, name: string) => {
      const v = env[name];
      if (v === undefined)
        throw new HookflowError('invalid_params', `environment variable ${name} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveEnv(v, env));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnv(v, env)]));
  }
  return value;
}
