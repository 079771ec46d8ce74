/**
 * @module sdk
 * What a connector gets for `import … from 'hookflow'`: the connector SDK and `z`. The running
 * server hands connectors this entry rather than the whole package (`index.ts`), so loading a
 * connector does not load the server a second time in the worker thread.
 */
export * from './connectors/sdk/index.js';
export { z } from 'zod';
export { HookflowError } from './errors.js';
