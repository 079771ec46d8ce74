/**
 * @module roles/cluster/messages
 * What the processes over one PostgreSQL database tell each other by NOTIFY: one channel per
 * concern, one typed payload per channel. Payloads stay far below PostgreSQL's 8,000 bytes:
 * a reply too large to travel is read from the store by the side that waits.
 */
import type { ConnectionStatus } from '../../connections/index.js';
import type { HttpReply } from '../../workflow/types.js';

export const CHANNELS = {
  replies: 'hookflow_replies',
  workflows: 'hookflow_workflows',
  connections: 'hookflow_connections',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** A job's reply or finish, committed; `reply` left out when too large to travel. */
export type ReplyNotice =
  | { jobId: string; kind: 'reply'; reply?: HttpReply }
  | { jobId: string; kind: 'finished'; status: 'succeeded' | 'failed' };

/** Workflows were pushed, deleted, enabled or disabled over `from`'s API. */
export interface WorkflowsNotice {
  from: string;
}

export type ConnectionsNotice =
  /** Connections were stored or deleted over `from`'s API. */
  | { from: string; kind: 'changed' }
  /** A connection's OAuth2 status changed in `from` (a refresh refused, say). */
  | { from: string; kind: 'status'; name: string; status: ConnectionStatus };

export interface Notices {
  hookflow_replies: ReplyNotice;
  hookflow_workflows: WorkflowsNotice;
  hookflow_connections: ConnectionsNotice;
}

/** Room left in a notification for the rest of a reply notice. */
export const MAX_PAYLOAD_BYTES = 7_900;

/** The notice, or null for a payload that is not JSON of an object (another program's). */
export function parseNotice<C extends Channel>(_channel: C, payload: string): Notices[C] | null {
  try {
    const value: unknown = JSON.parse(payload);
    return value !== null && typeof value === 'object' ? (value as Notices[C]) : null;
  } catch {
    return null;
  }
}
