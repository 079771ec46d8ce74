/**
 * @module store/job-id
 * Job ids are ULIDs from one monotonic factory per process, so ids sort by creation time even
 * within the same millisecond. Ingress pre-generates the id it answers in the 202.
 *
 * @example
 *   const id = newJobId(); // '01J9Z3…', 26 characters
 */
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export function newJobId(): string {
  return nextUlid();
}
