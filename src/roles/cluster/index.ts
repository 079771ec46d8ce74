/**
 * @module roles/cluster
 * What makes several processes over one PostgreSQL database behave as one server: notices
 * between them (signals.ts), replies reaching the ingress that waits (reply-relay.ts), and
 * workflow and connection changes followed by all (follow-changes.ts). On SQLite (one process)
 * none of this runs. The once-only parts (poll, schedule tick, connector init/destroy, OAuth2
 * refresh) are the store's locks and compare-and-sets, used where they happen.
 */
export { CHANNELS } from './messages.js';
export type { ConnectionsNotice, ReplyNotice, WorkflowsNotice } from './messages.js';
export { openSignals } from './signals.js';
export type { Signals, SignalsOptions } from './signals.js';
export { noticeOf, relayReplies, replyNotifier, waitsForReply } from './reply-relay.js';
export { SAFETY_POLL_MS, followChanges } from './follow-changes.js';
export type { FollowOptions, Following } from './follow-changes.js';
