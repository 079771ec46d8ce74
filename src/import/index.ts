/**
 * @module import
 * Turning what users already have into Hookflow documents (pure): a cURL command from an API's
 * docs → an `http` step and, when it carries credentials, a connection that keeps them out of
 * the workflow (`hookflow import curl`, the web UI's Import page).
 *
 * @example
 *   const out = importCurl(`curl -u me:pw https://api.acme.io/v1/items?page=2`);
 *   out.stepYaml; out.connection?.yaml; out.env; // [{ name: 'ACME_USER', … }, { name: 'ACME_PASSWORD', … }]
 */
import { curlToStep } from './curl-to-step.js';
import type { CurlImport, ImportOptions } from './curl-to-step.js';
import { parseCurl } from './parse-curl.js';

export { curlToStep, connectionNameFor } from './curl-to-step.js';
export type { CurlImport, ImportOptions } from './curl-to-step.js';
export { curlWords, parseCurl } from './parse-curl.js';
export type { CurlRequest } from './parse-curl.js';

/** A cURL command → the step, the proposed connection, the variables to set, notes. */
export function importCurl(command: string, opts: ImportOptions = {}): CurlImport {
  return curlToStep(parseCurl(command), opts);
}
