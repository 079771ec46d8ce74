/**
 * @module store/types/versions
 * Workflow versions: the text of each version of a workflow, kept once, keyed by its content
 * hash, so that a job can be run again with the steps it first ran with.
 *
 * @example
 *   await store.putWorkflowVersion({ workflow: 'orders', version, file: 'orders.yaml', text });
 *   const old = await store.getWorkflowVersion('orders', job.version);
 */

export interface WorkflowVersion {
  workflow: string;
  /** The content hash of the text (see `workflowVersion`). */
  version: string;
  /** The file name it was read from (`api:NAME.yaml` for a pushed one): its extension says the format. */
  file: string;
  text: string;
  /** When this version was first stored. */
  createdAt: string;
}

/** A job at one end of a version's history. */
export interface VersionJob {
  id: string;
  createdAt: string;
}

export interface WorkflowVersionSummary {
  version: string;
  createdAt: string;
  /** null while no job ran with this version (or all were pruned). */
  firstJob: VersionJob | null;
  lastJob: VersionJob | null;
}

export interface WorkflowVersionStore {
  /** Stores the version's text unless that version is already stored. */
  putWorkflowVersion(version: Omit<WorkflowVersion, 'createdAt'>): Promise<void>;
  getWorkflowVersion(workflow: string, version: string): Promise<WorkflowVersion | null>;
  /** Every stored version of the workflow, newest first, with its first and last job. */
  listWorkflowVersions(workflow: string): Promise<WorkflowVersionSummary[]>;
}
