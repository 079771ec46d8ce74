/**
 * @module workflow/env
 * `${env:NAME}` in any string value of a workflow is replaced at load time, so secrets can live
 * in the environment instead of the file. The document is changed in place; take its `toJS()`
 * before calling this to keep the form without secrets.
 *
 * @example
 *   // verify: {github: {secret: "${env:GH_SECRET}"}}  with GH_SECRET=s3cret → secret: "s3cret"
 */
import { visit } from 'yaml';
import type { Document } from 'yaml';
import type { Reader } from './yaml-reader.js';

const ENV_REF = /\$\{env:([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type Env = Record<string, string | undefined>;

/**
 * Replaces `${env:NAME}` in every string value (not keys); reports unset or malformed names.
 * Returns the values it used, by name.
 */
export function substituteEnv(doc: Document, env: Env, r: Reader): Record<string, string> {
  const used: Record<string, string> = {};
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${env:')) return;
      const line = r.line(node);
      node.value = node.value.replace(ENV_REF, (whole, name: string) => {
        if (!ENV_NAME.test(name)) {
          r.report(
            line,
            `'${whole}' is not a valid environment reference (use \${env:NAME}, NAME of letters, digits and _)`,
          );
          return whole;
        }
        const value = env[name];
        if (value === undefined) {
          r.report(line, `environment variable ${name} is not set`);
          return '';
        }
        used[name] = value;
        return value;
      });
    },
  });
  return used;
}
