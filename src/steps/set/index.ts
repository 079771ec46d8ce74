/**
 * @module steps/set
 * The `set` step. See {@link executeSetStep}.
 */
export { executeSetStep } from './set-step.js';
