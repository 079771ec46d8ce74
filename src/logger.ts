/**
 * @module logger
 * The server's logger: readable lines for a person at a terminal, JSON lines for everything
 * else (log shippers, `docker logs`, tests). `HOOKFLOW_LOG_FORMAT` (`pretty`, `json`, `auto`)
 * decides; `auto` is pretty when standard output is a terminal. Colour only on a terminal, and
 * never when `NO_COLOR` is set (no-color.org), so a pretty line piped to a file stays plain text.
 *
 * @example
 *   const log = createLogger(config); // pino, pretty on a TTY
 *   log.info({ url }, 'Hookflow listening'); // [12:00:01.234] INFO: Hookflow listening {"url":…}
 */
import { createRequire } from 'node:module';
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { Config, LogFormat } from './config/index.js';

type Env = Record<string, string | undefined>;

export interface LogTarget {
  /** Where lines go: standard output unless given (tests pass a stream). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: Env;
}

/** The format `auto` stands for: pretty on a terminal, else JSON. */
export function chooseLogFormat(setting: LogFormat, isTTY: boolean): 'pretty' | 'json' {
  if (setting !== 'auto') return setting;
  return isTTY ? 'pretty' : 'json';
}

/** Colour is for terminals, and `NO_COLOR` (any non-empty value) turns it off. */
export function useColor(isTTY: boolean, env: Env): boolean {
  return isTTY && !env.NO_COLOR;
}

export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  target: LogTarget = {},
): Logger {
  const stream = target.stream ?? process.stdout;
  const isTTY = stream.isTTY === true;
  const format = chooseLogFormat(config.logFormat, isTTY);
  if (format === 'json') {
    return target.stream
      ? pino({ level: config.logLevel }, target.stream as DestinationStream)
      : pino({ level: config.logLevel });
  }
  // pino-pretty is loaded only for a terminal (or when asked for): servers log JSON.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const prettyStream = pretty({
    colorize: useColor(isTTY, target.env ?? process.env),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    // One line per event: the fields follow the message as compact JSON.
    singleLine: true,
    // Synchronous like pino's own stdout destination: the last lines before an exit are kept.
    sync: true,
    destination: target.stream ?? 1,
  });
  return pino({ level: config.logLevel }, prettyStream);
}
