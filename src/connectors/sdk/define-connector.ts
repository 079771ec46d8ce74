/**
 * @module connectors/sdk/define-connector
 * `defineConnector` for connector authors. `defineTrigger` and `defineAction` give each trigger
 * and action its own typed params, state and output (a record of them cannot infer those).
 *
 * @example
 *   import { defineAction, defineConnector, defineTrigger, z } from 'hookflow';
 *   export default defineConnector({
 *     name: 'mailchimp',
 *     triggers: { subscribe: defineTrigger({ params: z.object({ list_id: z.string() }), … }) },
 *     actions: { add_member: defineAction({ params: z.object({ email: z.string() }), run: … }) },
 *   });
 */
import type {
  ActionDefinition,
  AnyAction,
  AnyTrigger,
  ConnectorDefinition,
  TriggerDefinition,
} from './types.js';

const BRAND = Symbol.for('hookflow.connector');

export type Connector<
  T extends Record<string, AnyTrigger> = Record<string, AnyTrigger>,
  A extends Record<string, AnyAction> = Record<string, AnyAction>,
> = ConnectorDefinition<T, A> & { readonly [BRAND]: true };

export function defineConnector<
  T extends Record<string, AnyTrigger> = Record<never, AnyTrigger>,
  A extends Record<string, AnyAction> = Record<never, AnyAction>,
>(definition: ConnectorDefinition<T, A>): Connector<T, A> {
  return Object.freeze({ ...definition, [BRAND]: true as const });
}

export function defineTrigger<P = Record<string, unknown>, S = null, O = unknown, I = O>(
  definition: TriggerDefinition<P, S, O, I>,
): TriggerDefinition<P, S, O, I> {
  return definition;
}

export function defineAction<P = Record<string, unknown>, R = unknown>(
  definition: ActionDefinition<P, R>,
): ActionDefinition<P, R> {
  return definition;
}

/** Whether a module's export was made by `defineConnector` (of any copy of the SDK). */
export function isConnector(value: unknown): value is Connector {
  return typeof value === 'object' && value !== null && BRAND in value;
}
