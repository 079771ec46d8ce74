/**
 * @module hookflow
 * The package's public surface: embed the server, load and validate workflow files, and write
 * connectors (`defineConnector`, `defineTrigger`, `defineAction`, `NoTrigger`, `z`).
 */
export { createApp } from './app.js';
export type { App, AppOptions } from './app.js';
export { createWorkerApp } from './worker-app.js';
export type { WorkerApp, WorkerAppOptions } from './worker-app.js';
export { loadConfig, ConfigError } from './config/index.js';
export type { Config } from './config/index.js';
export { parseWorkflow, loadWorkflows, WorkflowError } from './workflow/index.js';
export type * from './workflow/types.js';
export type { JobDetail, JobSummary, JobStatus, StepRecord, TriggerData } from './store/types.js';
export * from './sdk.js';
export type { PollTriggerData, ScheduleTriggerData, TimedTriggerData } from './store/types.js';
export type { PollSource, PollContext, PollOptions, TriggerStatus } from './triggers/index.js';
export { buildDatatree, datatreeBody, unknownFields } from './datatree/index.js';
export type { Datatree, Pill, PillType } from './datatree/index.js';
