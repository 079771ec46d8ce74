/**
 * @module connectors
 * The connector SDK and what runs it: the catalog of known connectors (built-ins and the
 * user's), the loader of the connectors directory, action steps, and the hooks the ingress
 * calls for connector triggers.
 *
 * @example
 *   const catalog = await loadConnectors('connectors/'); // built-ins + the user's
 *   const actions = createActionRunner({ catalog, http: { connections, dispatcher }, log });
 */
export * from './sdk/index.js';
export { ConnectorCatalog, deliveriesOf, RESERVED_NAMES } from './catalog.js';
export type { ResolvedAction, ResolvedTrigger } from './catalog.js';
export { BUILTIN_CONNECTORS, builtinCatalog, SOAP_ACK } from './builtins/index.js';
export { createActionRunner, runAction } from './actions.js';
export type { ActionRunner, ActionRunnerDeps } from './actions.js';
export { noTriggerOf } from './sdk/no-trigger.js';
export { createHttpClient } from './http-client.js';
export type { HttpClientDeps, HttpClientOptions } from './http-client.js';
export { connectorLog } from './connector-log.js';
export { validateParams, validateParamsSync, describeIssues } from './validate-params.js';
export {
  CONNECTOR_EXTENSIONS,
  ConnectorError,
  loadConnectors,
  loadConnectorsOrThrow,
} from './load-connectors.js';
