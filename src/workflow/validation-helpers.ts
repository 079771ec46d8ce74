/**
 * Helpers for the validation tests: a workflow text's problems, and an assertion that it has
 * exactly one, at a given line.
 */
import assert from 'node:assert/strict';
import { WorkflowError } from './errors.js';
import type { Problem } from './errors.js';
import { parseWorkflow } from './loader.js';
import type { LoadOptions } from './loader.js';

/** The problems of a workflow text ([] when it is valid). */
export function problemsOf(text: string, file = 'w.yaml', opts: LoadOptions = {}): Problem[] {
  try {
    parseWorkflow(text, file, { env: {}, ...opts });
    return [];
  } catch (e) {
    if (e instanceof WorkflowError) return e.problems;
    throw e;
  }
}

/** Lines joined with newlines: line N of the file is argument N. */
export const yaml = (...lines: string[]): string => lines.join('\n') + '\n';

/** Asserts the text has exactly this one problem. */
export function onlyProblem(
  text: string,
  line: number,
  message: string | RegExp,
  file = 'w.yaml',
  opts: LoadOptions = {},
): void {
  const problems = problemsOf(text, file, opts);
  assert.equal(
    problems.length,
    1,
    `expected one problem, got:\n${problems.map((p) => `${p.line}: ${p.message}`).join('\n')}`,
  );
  const [p] = problems as [Problem];
  assert.equal(p.file, file);
  assert.equal(p.line, line, `line of: ${p.message}`);
  if (typeof message === 'string') assert.equal(p.message, message);
  else assert.match(p.message, message);
}

/** A valid head: name and a webhook trigger; the next line is line 5. */
export const HEAD = ['name: w', 'trigger:', '  webhook:', '    path: w'];
