/**
 * @module workflow/errors
 * The errors of the workflow format: a file that does not validate (every problem, each with its
 * line) and an expression that fails while it runs.
 *
 * @example
 *   try { parseWorkflow(text, 'hello.yaml') }
 *   catch (e) { if (e instanceof WorkflowError) for (const p of e.problems) console.log(p.line, p.message) }
 */
import { HookflowError } from '../errors.js';

/** One thing wrong with a workflow file, at a 1-based line. */
export interface Problem {
  file: string;
  line: number;
  message: string;
}

/** `file:line: message`, the format of `hookflow validate`. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

/** A workflow file that does not validate; `problems` holds all that were found. */
export class WorkflowError extends HookflowError {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    super('invalid_workflow', problems.map(formatProblem).join('\n'), { problems });
    this.name = 'WorkflowError';
    this.problems = problems;
  }
}

/** A `{{ }}` expression that is not valid JSONata (thrown when it is compiled). */
export class ExpressionSyntaxError extends HookflowError {
  constructor(
    readonly where: string,
    readonly expression: string,
    reason: string,
  ) {
    super('invalid_expression', `${where}: expression \`${expression}\` is not valid: ${reason}`, {
      where,
      expression,
    });
    this.name = 'ExpressionSyntaxError';
  }
}

/** An expression that failed, ran past its time budget or recursed too deep while rendering. */
export class ExpressionError extends HookflowError {
  constructor(
    readonly where: string,
    readonly expression: string,
    readonly reason: string,
  ) {
    super('expression_failed', `${where}: expression \`${expression}\` failed: ${reason}`, {
      where,
      expression,
    });
    this.name = 'ExpressionError';
  }
}
