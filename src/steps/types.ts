/**
 * @module steps/types
 * The small interface every step type's executor shares. An executor returns what it was given
 * (`input`, already rendered, secrets redacted) and what it produced (`output`); a failure is
 * thrown as a StepError carrying the same, so the job history shows both either way.
 */
import type { Dispatcher } from 'undici';
import { HookflowError } from '../errors.js';
import type { Scope } from '../workflow/types.js';

/** A request about to leave Hookflow, after templates are rendered. */
export interface OutboundRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** The headers and query parameters a connection sets whose values are secret. */
export interface SecretFields {
  headers: string[];
  query: string[];
}

/**
 * The seam for connections (outbound auth): applies the named connection's base URL and
 * credentials to a request. What it adds must be reported for redaction: by place
 * (`secretFields`) and, where it can be a secret anywhere, by value (`secrets`).
 */
export interface ConnectionResolver {
  apply(name: string, req: OutboundRequest): Promise<OutboundRequest>;
  /** Secret values cut out of every string of job history (credentials, tokens, long keys). */
  secrets(name: string): string[];
  /** Headers and query parameters the connection sets secretly: redacted where it puts them. */
  secretFields?(name: string): SecretFields;
  /**
   * The server answered 401 to `sent`, a request made with this connection. True when the
   * connection renewed its credentials (an OAuth2 refresh; or another job's 401 renewed them
   * already), so the request is applied and sent once more; throws when renewal failed.
   */
  onUnauthorized?(name: string, sent: OutboundRequest): Promise<boolean>;
  /** A dispatcher of the connection's own (e.g. one that reaches private networks). */
  dispatcher?(name: string): Dispatcher | undefined;
  /**
   * Waits for a turn to send a request with this connection (a slot of its `rate`, the end of
   * a pause an upstream asked for); resolves with the milliseconds waited.
   */
  awaitTurn?(name: string, signal?: AbortSignal): Promise<number>;
  /**
   * The upstream answered `status` (429, 503) with a Retry-After of `ms`: pause the connection
   * for every job. True when it was paused (the next try then waits in `awaitTurn`).
   */
  pause?(name: string, ms: number, status: number): Promise<boolean>;
}

/**
 * Thrown by the outbound dispatcher when a request would reach an address the SSRF guard
 * refuses (loopback, private, link-local, metadata…). Never retried.
 */
export class AddressBlockedError extends Error {
  readonly code = 'address_blocked';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    const shown = host === address ? host : `${host} (${address})`;
    super(
      `${shown} is ${reason}; outbound requests to it are refused. Set HOOKFLOW_ALLOW_PRIVATE_NETWORKS=1, or allow_private: true on the connection, to allow it`,
    );
    this.name = 'AddressBlockedError';
  }
}

export interface StepContext {
  scope: Scope;
  jobId: string;
  workflow: string;
  signal?: AbortSignal;
  connections?: ConnectionResolver;
  /** undici dispatcher for outbound requests (the SSRF guard lives in it). */
  dispatcher?: Dispatcher;
}

export interface StepOutcome {
  input: unknown;
  output: unknown;
  attempts: number;
  /** Time spent waiting for connection throttles (rate slots, pauses); absent: none. */
  waitedMs?: number;
}

/** A step that failed. `output` is set when there was one (e.g. the non-2xx response). */
export class StepError extends HookflowError {
  readonly input: unknown;
  readonly output: unknown;
  readonly attempts: number;
  readonly waitedMs: number;

  constructor(
    code: string,
    message: string,
    info: { input?: unknown; output?: unknown; attempts?: number; waitedMs?: number } = {},
  ) {
    super(code, message);
    this.name = 'StepError';
    this.input = info.input;
    this.output = info.output;
    this.attempts = info.attempts ?? 1;
    this.waitedMs = info.waitedMs ?? 0;
  }
}
