/**
 * @module store/types/workflows
 * The workflows store: workflows pushed over the API, enable/disable overrides, and the small
 * key/value table of settings kept across restarts.
 *
 * @example
 *   await store.putStoredWorkflow({ name: 'orders', text, format: 'yaml' });
 */
/** A workflow pushed over the API (`PUT /api/workflows/NAME`), kept as the text it was sent as. */
export interface StoredWorkflow {
  name: string;
  text: string;
  format: 'yaml' | 'json';
  updatedAt: string;
}

/**
 * An enable/disable made over the API. It holds while the workflow's document still has `hash`:
 * a document changed after the toggle (an edited file, a new PUT) says `enabled` itself again.
 */
export interface WorkflowOverride {
  name: string;
  enabled: boolean;
  hash: string;
}

export interface WorkflowStore {
  /** Workflows pushed over the API, in name order. */
  listStoredWorkflows(): Promise<StoredWorkflow[]>;
  /** Creates or replaces the stored workflow of that name. */
  putStoredWorkflow(workflow: Omit<StoredWorkflow, 'updatedAt'>): Promise<void>;
  /** false when none of that name was stored. */
  deleteStoredWorkflow(name: string): Promise<boolean>;
  listWorkflowOverrides(): Promise<WorkflowOverride[]>;
  /** Sets the override of one workflow, or removes it with `null`. */
  setWorkflowOverride(name: string, override: Omit<WorkflowOverride, 'name'> | null): Promise<void>;

  /** A small key/value table: generated webhook tokens and other settings kept across restarts. */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
}
