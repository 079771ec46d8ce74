export { Engine, isTruthy } from './engine.js';
export type { EngineDeps } from './engine.js';
export { createLocalReplyBus } from './reply-bus.js';
export type { PublishedOutcome, ReplyBus, ReplyOutcome, ReplySink } from './reply-bus.js';
export { UI_URL_META_KEY, jobUiUrl, triggerFailureJobFor, workflowUiUrl } from './failure.js';
export type { FailureDeps } from './failure.js';
