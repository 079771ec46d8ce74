export { Engine, isTruthy } from './engine.js';
export type { EngineDeps } from './engine.js';
export { createLocalReplyBus } from './reply-bus.js';
export type { PublishedOutcome, ReplyBus, ReplyOutcome } from './reply-bus.js';
export { startEngineThread } from './thread/engine-thread.js';
export type { EngineThread, EngineThreadOptions } from './thread/engine-thread.js';
export type { JobCounts } from './thread/protocol.js';
