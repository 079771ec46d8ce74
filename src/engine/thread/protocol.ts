/**
 * @module engine/thread/protocol
 * What the main thread gives the engine thread at start, and the shapes of their messages.
 */
export interface EngineThreadData {
  sqliteFile: string;
  logLevel: string;
  /** Variables visible to expressions as `env`. */
  env: Record<string, string>;
  workflows: WorkflowDoc[];
}

/** A workflow as it crosses threads: its text, compiled again on the other side. */
export interface WorkflowDoc {
  text: string;
  file: string;
  enabled: boolean;
}

export interface FinishedJob {
  id: string;
  workflow: string;
  status: 'succeeded' | 'failed';
}
