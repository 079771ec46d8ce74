/**
 * @module engine/thread/protocol
 * What the main thread gives the engine thread at start, and the shapes of their messages.
 */
export interface EngineThreadData {
  sqliteFile: string;
  logLevel: string;
  /** Variables visible to expressions as `env`. */
  env: Record<string, string>;
  /** The user's connectors directory (the built-ins are always there). */
  connectorsDir: string | null;
  outbound: OutboundSettings;
  workflows: WorkflowDoc[];
}

/** What the SSRF guard of outbound requests lets through (config's settings of the name). */
export interface OutboundSettings {
  allowPrivateNetworks: boolean;
  allowedNetworks: string[];
}

/** A workflow as it crosses threads: its text, compiled again on the other side. */
export interface WorkflowDoc {
  text: string;
  file: string;
  enabled: boolean;
  /** The values of its `${env:NAME}` references. */
  env: Record<string, string>;
}

/** Finished jobs by workflow and status. */
export type JobCounts = Record<string, { succeeded: number; failed: number }>;

/** How often the engine thread reports finished jobs and the queue's depth. */
export const REPORT_INTERVAL_MS = 250;
