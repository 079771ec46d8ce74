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

/**
 * The seam for connections (outbound auth): applies the named connection's base URL and
 * credentials to a request. Values it adds must be reported by `secrets` for redaction.
 */
export interface ConnectionResolver {
  apply(name: string, req: OutboundRequest): Promise<OutboundRequest>;
  /** Secret values that must never appear in job history. */
  secrets(name: string): string[];
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
}

/** A step that failed. `output` is set when there was one (e.g. the non-2xx response). */
export class StepError extends HookflowError {
  readonly input: unknown;
  readonly output: unknown;
  readonly attempts: number;

  constructor(
    code: string,
    message: string,
    info: { input?: unknown; output?: unknown; attempts?: number } = {},
  ) {
    super(code, message);
    this.name = 'StepError';
    this.input = info.input;
    this.output = info.output;
    this.attempts = info.attempts ?? 1;
  }
}
