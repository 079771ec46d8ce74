/**
 * @module connectors/sdk
 * What connector authors import from `hookflow`.
 */
export { defineAction, defineConnector, defineTrigger, isConnector } from './define-connector.js';
export type { Connector } from './define-connector.js';
export { NoTrigger } from './no-trigger.js';
export type * from './types.js';
