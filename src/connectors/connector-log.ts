/**
 * @module connectors/connector-log
 * The `log` connector code gets: Hookflow's pino logger, tagged with where it runs.
 */
import type { Logger } from 'pino';
import type { ConnectorLog } from './sdk/types.js';

export function connectorLog(log: Logger, tags: Record<string, string>): ConnectorLog {
  const child = log.child(tags);
  return {
    info: (message, data) => child.info(data ?? {}, message),
    warn: (message, data) => child.warn(data ?? {}, message),
    error: (message, data) => child.error(data ?? {}, message),
  };
}
