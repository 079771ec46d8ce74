/**
 * @module workflow/version
 * A workflow's version: a content hash of its definition text, the same in every process
 * that reads the same text. Jobs record it; the text of each version is kept in the store.
 *
 * @example
 *   const version = workflowVersion(wf); // '3f9a0c1b2d4e'
 */
import type { Workflow } from './types.js';

/** The first 12 hex digits of the text's sha256: short to show, unique enough per workflow. */
export function workflowVersion(wf: Pick<Workflow, 'hash'>): string {
  return wf.hash.slice(0, 12);
}
