/**
 * @module connectors/builtins
 * The provider triggers that ship with Hookflow, written on the same SDK as user connectors.
 * (The generic `webhook`, `poll` and `schedule` triggers are the core's own.)
 */
import { ConnectorCatalog } from '../catalog.js';
import type { Connector } from '../sdk/define-connector.js';
import { github } from './github.js';
import { salesforce } from './salesforce.js';
import { shopify } from './shopify.js';
import { slack } from './slack.js';
import { standardWebhooks } from './standard-webhooks.js';
import { stripe } from './stripe.js';

export { SOAP_ACK } from './salesforce.js';

export const BUILTIN_CONNECTORS: readonly Connector[] = [
  github,
  stripe,
  slack,
  shopify,
  standardWebhooks,
  salesforce,
] as unknown as Connector[];

let builtins: ConnectorCatalog | undefined;

/** A catalog of the built-ins only (what workflows may use when no other catalog is given). */
export function builtinCatalog(): ConnectorCatalog {
  builtins ??= new ConnectorCatalog(BUILTIN_CONNECTORS);
  return builtins;
}
