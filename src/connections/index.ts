/**
 * @module connections
 * Outbound auth (§5): connections of type none, basic, header, query, custom and oauth2, read
 * from `connections/*.yaml` or pushed through the API; secrets sealed at rest with
 * HOOKFLOW_SECRET_KEY; OAuth2 authorization code (PKCE, state) and client credentials on
 * oauth4webapi; and the SSRF guard, an undici dispatcher refusing private addresses.
 *
 * @example
 *   const vault = await openVault(store, config.secretKey);
 *   const dispatcher = createOutboundAgent({ allowPrivate: config.allowPrivateNetworks, allowNetworks });
 *   const { connections: files, problems } = loadConnections('connections/');
 *   const connections = await ConnectionRegistry.open({ store, vault, log, dispatcher, allowPrivateNetworks }, files);
 *   const engine = new Engine({ ..., connections, dispatcher });
 */
export { ConnectionRegistry, apiLabel } from './registry.js';
export type { ConnectionRegistryDeps } from './registry.js';
export { loadConnections, parseConnection } from './load-connections.js';
export { readConnection, CONNECTION_NAME } from './read-connection.js';
export {
  startAuthorization,
  completeAuthorization,
  AUTHORIZATION_TTL_MS,
} from './authorization.js';
export { testConnection } from './connection-test.js';
export { ConnectionThrottle, MAX_PAUSE_MS, MAX_PAUSE_WAIT_MS } from './throttle.js';
export type { ThrottleObserver } from './throttle.js';
export type { ConnectionTestResult } from './connection-test.js';
export { createOutboundAgent } from './outbound-agent.js';
export type { OutboundAgentOptions } from './outbound-agent.js';
export { classifyAddress, classifyHost, parseNetworks } from './address-guard.js';
export type { AddressVerdict, AllowedNetworks, HostClass } from './address-guard.js';
export { openVault, createSecretBox, MIN_SECRET_KEY_LENGTH } from './secret-box.js';
export type { Vault, SecretBox } from './secret-box.js';
export { joinBaseUrl, applyAuth } from './apply-auth.js';
export { ConnectionError, ConnectionFileError } from './errors.js';
export type { ConnectionErrorCode } from './errors.js';
export { DEFAULT_REFRESH_MARGIN_MS } from './oauth2-session.js';
export type * from './types.js';
