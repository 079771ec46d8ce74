/**
 * @module workflow
 * The workflow file format: loading and validating YAML/JSON workflow files (every problem with
 * its file and line) and the `{{ JSONata }}` templates they hold.
 *
 * @example
 *   import { loadWorkflows, renderReply } from '../workflow/index.js';
 *   const { workflows, problems } = loadWorkflows('workflows/', { connections: new Set(['crm']) });
 */
export {
  parseWorkflow,
  loadWorkflows,
  listDocumentFiles,
  readFiles,
  sortProblems,
} from './loader.js';
export type { LoadOptions } from './loader.js';
export { WorkflowError, ExpressionError, ExpressionSyntaxError, formatProblem } from './errors.js';
export type { Problem } from './errors.js';
export { compileTemplate, setExpressionTimeout, staticTemplate } from './expressions.js';
export { compileReply, renderReply } from './reply.js';
export { BODY_ENCODINGS, bodyBytes, isBinaryValue, summarizeBytes } from './binary.js';
export type { BinaryValue, BodyEncoding, BytesSummary } from './binary.js';
export { parseDuration, parseSize } from './units.js';
export { parseRetention } from './read-retention.js';
export type { Retention } from './read-retention.js';
export { workflowVersion } from './version.js';
export { compileCron, MIN_EVERY_MS } from './read-timing.js';
export { expressionPaths } from './expression-paths.js';
export { parseExample } from './read-example.js';
export type { ExampleFormat } from './read-example.js';
export { editDistance } from './yaml-reader.js';
// For other document formats read the same way (connections): problems with file:line.
export { Reader, describe as describeNode } from './yaml-reader.js';
export type { MapView } from './yaml-reader.js';
export { substituteEnv } from './env.js';
export { MAX_DOCUMENT_DEPTH, parseYamlDocument } from './parse-document.js';
export type { DocumentFault, ParsedDocument } from './parse-document.js';
export type { Env } from './env.js';
export { METHODS } from './read-trigger.js';
export type {
  Scope,
  Template,
  Delivery,
  BodyFormat,
  ResponseFormat,
  ReplyTemplate,
  HttpReply,
  WebhookTrigger,
  ConnectorTrigger,
  PollTrigger,
  ScheduleTrigger,
  Timing,
  Trigger,
  RetryPolicy,
  HttpStep,
  HttpPagination,
  SwitchCase,
  SwitchStep,
  ReplyStep,
  SetStep,
  ActionStep,
  Step,
  StepType,
  Workflow,
  Concurrency,
  Debounce,
  RateLimit,
} from './types.js';
