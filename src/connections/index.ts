/**
 * @module connections
 * Outbound requests: the SSRF guard, an undici dispatcher refusing private addresses.
 *
 * @example
 *   const dispatcher = createOutboundAgent({ allowPrivate: config.allowPrivateNetworks });
 *   const engine = new Engine({ ..., dispatcher });
 */
export { createOutboundAgent } from './outbound-agent.js';
export type { OutboundAgentOptions } from './outbound-agent.js';
export { classifyAddress, classifyHost, parseNetworks } from './address-guard.js';
export type { AddressVerdict, AllowedNetworks, HostClass } from './address-guard.js';
