/**
 * @module config
 * Settings from flags, else environment, else defaults — compiled once at start-up into a
 * typed {@link Config}. A bad value throws a ConfigError whose message is one line naming the
 * setting, printed as is by the CLI.
 *
 * @example
 *   const config = loadConfig({ port: '0' }, process.env);
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { HookflowError, errorMessage } from '../errors.js';
import { DEFAULT_MAX_DEPTH, MAX_DEPTH_SETTING } from '../ingress/body/index.js';
import { DURATION_HINT, parseDuration } from '../workflow/units.js';
import { parseRetention } from '../workflow/read-retention.js';
import type { Retention } from '../workflow/read-retention.js';

export type Role = 'all' | 'ingress' | 'worker';
export type LogFormat = 'auto' | 'pretty' | 'json';
const LOG_FORMATS: readonly LogFormat[] = ['auto', 'pretty', 'json'];

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  workflowsDir: string | null;
  connectionsDir: string | null;
  connectorsDir: string | null;
  apiToken: string | null;
  maxBodyBytes: number;
  /** HOOKFLOW_MAX_DEPTH: JSON and XML bodies nested deeper are refused with 400 body_too_deep. */
  maxDepth: number;
  secretKey: string | null;
  /** HOOKFLOW_DATABASE_URL: the PostgreSQL store (`postgres://…`); null: SQLite in dataDir. */
  databaseUrl: string | null;
  /** HOOKFLOW_DATABASE_SCHEMA: the PostgreSQL schema Hookflow's tables are in. Default `public`. */
  databaseSchema: string;
  /** What this process runs (`--role`): ingress and worker need PostgreSQL. */
  role: Role;
  /** Jobs run at once by this process's worker pool. */
  concurrency: number;
  /** Names of environment variables visible to expressions as `env`. */
  envAllow: string[];
  logLevel: string;
  /** HOOKFLOW_LOG_FORMAT: `auto` (pretty on a terminal, else JSON lines), `pretty` or `json`. */
  logFormat: LogFormat;
  /** HOOKFLOW_PUBLIC_URL: the server's address as browsers and providers reach it (the OAuth2
   * redirect URI, the URL connector triggers register); else the server's own URL. */
  publicUrl: string | null;
  /** HOOKFLOW_ON_FAILURE: the error workflow of workflows without `on_failure:`. */
  onFailure: string | null;
  /** HOOKFLOW_TRIGGER_FAILURES: a poll or schedule failing this many times in a row runs its error workflow. */
  triggerFailures: number;
  /** HOOKFLOW_RETENTION: what is kept of finished jobs (a workflow's `retention:` wins). */
  retention: Retention;
  /** HOOKFLOW_REPLAY_RATE: new jobs per second of a bulk replay that names no `rate`. */
  replayRate: number;
  /** Connector trigger init/destroy: tries before giving up, and the first wait (doubled). */
  lifecycleAttempts: number;
  lifecycleBackoffMs: number;
  /** HOOKFLOW_ALLOW_PRIVATE_NETWORKS=1: outbound requests may reach private and loopback addresses. */
  allowPrivateNetworks: boolean;
  /** HOOKFLOW_ALLOW_PRIVATE_NETWORKS=10.0.0.0/8,…: only these private networks may be reached. */
  allowedNetworks: string[];
  /** Sockets and shutdown (SPEC §9): how long a sender may take, how many may connect. */
  http: HttpLimits;
  /** HOOKFLOW_TRACE_URL: a trace viewer's URL with `{traceId}`, linked from the job inspector. */
  traceUrl: string | null;
}

/** A replay's new jobs per second unless it says otherwise: gentle on an upstream just back. */
export const DEFAULT_REPLAY_RATE = 20;
export const MAX_REPLAY_RATE = 1000;

export interface HttpLimits {
  /** A request's headers must arrive within this (a connection that sends nothing is closed). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this; the answer is not counted. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are closed as soon as they are accepted. */
  maxConnections: number;
  /** On SIGTERM, how long in-flight requests get to be answered before connections are closed. */
  shutdownGraceMs: number;
}

export class ConfigError extends HookflowError {
  constructor(setting: string, message: string) {
    super('invalid_config', `invalid configuration: ${setting}: ${message}`, { setting });
    this.name = 'ConfigError';
  }
}

/** Flag names as the CLI takes them (`--data` → `data`). */
export interface ConfigFlags {
  port?: string;
  host?: string;
  data?: string;
  workflows?: string;
  connections?: string;
  connectors?: string;
  role?: string;
  concurrency?: string;
}

type Env = Record<string, string | undefined>;

export function loadConfig(
  flags: ConfigFlags,
  env: Env = process.env,
  cwd = process.cwd(),
): Config {
  const pick = (flag: string | undefined, name: string): string | undefined => {
    if (flag !== undefined) return flag;
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const dir = (flag: string | undefined, name: string, fallback: string): string | null => {
    const given = pick(flag, name);
    if (given !== undefined) {
      const p = resolve(cwd, given);
      if (!existsSync(p)) throw new ConfigError(name, `directory ${p} does not exist`);
      return p;
    }
    const p = resolve(cwd, fallback);
    return existsSync(p) ? p : null;
  };

  const apiToken = pick(undefined, 'HOOKFLOW_API_TOKEN') ?? null;
  const host = pick(flags.host, 'HOOKFLOW_HOST') ?? '127.0.0.1';
  const role = pick(flags.role, 'HOOKFLOW_ROLE') ?? 'all';
  if (role !== 'all' && role !== 'ingress' && role !== 'worker') {
    throw new ConfigError('--role', `expected all, ingress or worker, got '${role}'`);
  }
  const databaseUrl = databaseUrlSetting(pick(undefined, 'HOOKFLOW_DATABASE_URL'));
  if (role !== 'all' && databaseUrl === null) {
    throw new ConfigError(
      '--role',
      `'${role}' runs beside other processes over one PostgreSQL database; set HOOKFLOW_DATABASE_URL=postgres://…, or run --role all (the default) on SQLite`,
    );
  }
  return {
    host,
    port: parseIntSetting(pick(flags.port, 'HOOKFLOW_PORT') ?? '8080', 'HOOKFLOW_PORT', 0, 65535),
    dataDir: resolve(cwd, pick(flags.data, 'HOOKFLOW_DATA_DIR') ?? '.hookflow'),
    workflowsDir: dir(flags.workflows, 'HOOKFLOW_WORKFLOWS', 'workflows'),
    connectionsDir: dir(flags.connections, 'HOOKFLOW_CONNECTIONS', 'connections'),
    connectorsDir: dir(flags.connectors, 'HOOKFLOW_CONNECTORS', 'connectors'),
    apiToken,
    maxBodyBytes: parseSizeSetting(
      pick(undefined, 'HOOKFLOW_MAX_BODY') ?? '10mb',
      'HOOKFLOW_MAX_BODY',
    ),
    maxDepth: parseIntSetting(
      pick(undefined, 'HOOKFLOW_MAX_DEPTH') ?? String(DEFAULT_MAX_DEPTH),
      'HOOKFLOW_MAX_DEPTH',
      1,
      MAX_DEPTH_SETTING,
    ),
    secretKey: secretKeySetting(pick(undefined, 'HOOKFLOW_SECRET_KEY')),
    databaseUrl,
    databaseSchema: databaseSchemaSetting(pick(undefined, 'HOOKFLOW_DATABASE_SCHEMA')),
    role,
    concurrency: parseIntSetting(
      pick(flags.concurrency, 'HOOKFLOW_CONCURRENCY') ?? '32',
      'HOOKFLOW_CONCURRENCY',
      1,
      10_000,
    ),
    envAllow: (pick(undefined, 'HOOKFLOW_ENV_ALLOW') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    logLevel: pick(undefined, 'HOOKFLOW_LOG_LEVEL') ?? 'info',
    logFormat: logFormatSetting(pick(undefined, 'HOOKFLOW_LOG_FORMAT')),
    publicUrl: publicUrlSetting(pick(undefined, 'HOOKFLOW_PUBLIC_URL')),
    onFailure: pick(undefined, 'HOOKFLOW_ON_FAILURE')?.trim() || null,
    triggerFailures: parseIntSetting(
      pick(undefined, 'HOOKFLOW_TRIGGER_FAILURES') ?? '3',
      'HOOKFLOW_TRIGGER_FAILURES',
      1,
      1000,
    ),
    retention: retentionSetting(pick(undefined, 'HOOKFLOW_RETENTION')),
    replayRate: parseIntSetting(
      pick(undefined, 'HOOKFLOW_REPLAY_RATE') ?? String(DEFAULT_REPLAY_RATE),
      'HOOKFLOW_REPLAY_RATE',
      1,
      MAX_REPLAY_RATE,
    ),
    lifecycleAttempts: parseIntSetting(
      pick(undefined, 'HOOKFLOW_LIFECYCLE_ATTEMPTS') ?? '8',
      'HOOKFLOW_LIFECYCLE_ATTEMPTS',
      1,
      1000,
    ),
    lifecycleBackoffMs: parseDurationSetting(
      pick(undefined, 'HOOKFLOW_LIFECYCLE_BACKOFF') ?? '1s',
      'HOOKFLOW_LIFECYCLE_BACKOFF',
    ),
    ...privateNetworksSetting(pick(undefined, 'HOOKFLOW_ALLOW_PRIVATE_NETWORKS')),
    http: httpLimits((name) => pick(undefined, name)),
    traceUrl: traceUrlSetting(pick(undefined, 'HOOKFLOW_TRACE_URL')),
  };
}

function traceUrlSetting(v: string | undefined): string | null {
  if (v === undefined) return null;
  if (!v.includes('{traceId}') || !/^https?:\/\/[^/]/.test(v)) {
    throw new ConfigError(
      'HOOKFLOW_TRACE_URL',
      `expected an http(s) URL holding {traceId}, like http://jaeger:16686/trace/{traceId}; got '${v}'`,
    );
  }
  return v;
}

function logFormatSetting(v: string | undefined): LogFormat {
  const format = (v ?? 'auto').trim().toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
  throw new ConfigError('HOOKFLOW_LOG_FORMAT', `expected pretty, json or auto, got '${v}'`);
}

function httpLimits(setting: (name: string) => string | undefined): HttpLimits {
  const duration = (name: string, fallback: string) =>
    parseDurationSetting(setting(name) ?? fallback, name);
  const limits: HttpLimits = {
    headersTimeoutMs: duration('HOOKFLOW_HEADERS_TIMEOUT', '30s'),
    // The default body limit (10 MB) at 1 Mbit/s takes about 84 s.
    requestTimeoutMs: duration('HOOKFLOW_REQUEST_TIMEOUT', '120s'),
    // Longer than the 60 s idle timeout of common load balancers: they close first, and never
    // send on a connection Hookflow has just closed.
    keepAliveTimeoutMs: duration('HOOKFLOW_KEEP_ALIVE_TIMEOUT', '72s'),
    maxConnections: parseIntSetting(
      setting('HOOKFLOW_MAX_CONNECTIONS') ?? String(defaultMaxConnections()),
      'HOOKFLOW_MAX_CONNECTIONS',
      1,
      1_000_000,
    ),
    shutdownGraceMs: duration('HOOKFLOW_SHUTDOWN_GRACE', '10s'),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      'HOOKFLOW_HEADERS_TIMEOUT',
      `must not be longer than HOOKFLOW_REQUEST_TIMEOUT (${limits.requestTimeoutMs} ms), got ${limits.headersTimeoutMs} ms`,
    );
  }
  return limits;
}

/** Descriptors kept for the store, the engine and outbound requests when sockets are capped. */
const RESERVED_DESCRIPTORS = 256;

/**
 * 10,000, or fewer when the process may open fewer files: connections past the descriptor
 * limit would fail anyway, and take the store's and outbound requests' descriptors with them.
 */
function defaultMaxConnections(): number {
  let soft = Infinity;
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) soft = Number(m[1]);
  } catch {
    // not Linux: the fixed default
  }
  return Math.max(64, Math.min(10_000, soft - RESERVED_DESCRIPTORS));
}

/** Secrets are sealed with a key derived from it: too short a key is refused at start-up. */
export const MIN_SECRET_KEY_LENGTH = 32;

function secretKeySetting(v: string | undefined): string | null {
  if (v === undefined) return null;
  if (v.length < MIN_SECRET_KEY_LENGTH) {
    throw new ConfigError(
      'HOOKFLOW_SECRET_KEY',
      `must be at least ${MIN_SECRET_KEY_LENGTH} characters (got ${v.length}); make one with \`openssl rand -base64 32\``,
    );
  }
  return v;
}

/** `1`/`true`: every private network; `0`/`false`: none; else a list of addresses and CIDR ranges. */
function privateNetworksSetting(
  v: string | undefined,
): Pick<Config, 'allowPrivateNetworks' | 'allowedNetworks'> {
  const lower = (v ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(lower))
    return { allowPrivateNetworks: false, allowedNetworks: [] };
  if (['1', 'true', 'yes', 'on'].includes(lower))
    return { allowPrivateNetworks: true, allowedNetworks: [] };
  const list = lower
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of list) {
    const ok = entry.includes('/') ? ipaddr.isValidCIDR(entry) : ipaddr.isValid(entry);
    if (!ok) {
      throw new ConfigError(
        'HOOKFLOW_ALLOW_PRIVATE_NETWORKS',
        `expected 1, 0, or a comma-separated list of addresses and CIDR ranges (10.0.0.0/8,127.0.0.1); '${entry}' is neither`,
      );
    }
  }
  return { allowPrivateNetworks: false, allowedNetworks: list };
}

function databaseUrlSetting(v: string | undefined): string | null {
  if (v === undefined) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(
      'HOOKFLOW_DATABASE_URL',
      'expected a PostgreSQL URL like postgres://user:password@host:5432/database',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      'HOOKFLOW_DATABASE_URL',
      `expected a postgres:// URL, got one starting ${url.protocol}//; leave it unset for the embedded SQLite store`,
    );
  }
  return v;
}

function databaseSchemaSetting(v: string | undefined): string {
  if (v === undefined) return 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(v)) {
    throw new ConfigError(
      'HOOKFLOW_DATABASE_SCHEMA',
      `expected a lowercase SQL name (letters, digits, _; at most 63 characters), got '${v}'`,
    );
  }
  return v;
}

function retentionSetting(v: string | undefined): Retention {
  if (v === undefined || v.trim() === '') return {};
  try {
    return parseRetention(v);
  } catch (e) {
    throw new ConfigError('HOOKFLOW_RETENTION', errorMessage(e));
  }
}

function publicUrlSetting(v: string | undefined): string | null {
  if (v === undefined) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError('HOOKFLOW_PUBLIC_URL', `expected an absolute http(s) URL, got '${v}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('HOOKFLOW_PUBLIC_URL', `expected an http(s) URL, got '${v}'`);
  }
  return v.replace(/\/+$/, '');
}

function parseIntSetting(v: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `expected a whole number, got '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `expected ${min} to ${max}, got ${n}`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `10mb`, `512kb`, `1048576` → bytes. */
export function parseSizeSetting(v: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(v.trim());
  if (!m)
    throw new ConfigError(
      name,
      `expected a size like 10mb, 512kb or a number of bytes, got '${v}'`,
    );
  const n = Math.floor(Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1));
  if (n <= 0) throw new ConfigError(name, 'must be greater than 0');
  return n;
}

function parseDurationSetting(v: string, name: string): number {
  try {
    const ms = parseDuration(v);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new ConfigError(name, `expected ${DURATION_HINT} (more than zero), got '${v}'`);
}
