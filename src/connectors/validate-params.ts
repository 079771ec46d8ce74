/**
 * @module connectors/validate-params
 * Runs a trigger's or action's params schema (any Standard Schema) and turns its issues into
 * `{path, message}` pairs that can be reported at a line of the workflow file.
 *
 * @example
 *   const r = validateParamsSync(schema, { list_id: 3 });
 *   // { issues: [{ path: ['list_id'], message: 'Invalid input: expected string, received number' }] }
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';

export interface ParamIssue {
  path: Array<string | number>;
  message: string;
}

export type ParamsResult = { value: unknown } | { issues: ParamIssue[] };

/** For load time (the loader is synchronous): a schema that validates asynchronously is refused. */
export function validateParamsSync(
  schema: StandardSchemaV1 | undefined,
  value: unknown,
): ParamsResult {
  if (!schema) return { value };
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) {
    return {
      issues: [
        { path: [], message: 'the params schema validates asynchronously; it must be synchronous' },
      ],
    };
  }
  return toResult(result);
}

export async function validateParams(
  schema: StandardSchemaV1 | undefined,
  value: unknown,
): Promise<ParamsResult> {
  if (!schema) return { value };
  return toResult(await schema['~standard'].validate(value));
}

function toResult(result: StandardSchemaV1.Result<unknown>): ParamsResult {
  if (!result.issues) return { value: result.value };
  return {
    issues: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((p) =>
        typeof p === 'object' ? (p.key as string | number) : (p as string | number),
      ),
      message: issue.message,
    })),
  };
}

/** `list_id`, `tags[0]`, `a.b`: a path the way the workflow file reads. */
export function formatParamPath(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** One line per issue: `<where>.<path>: <message>`. */
export function describeIssues(where: string, issues: readonly ParamIssue[]): string {
  return issues
    .map((i) => `${where}${i.path.length > 0 ? `.${formatParamPath(i.path)}` : ''}: ${i.message}`)
    .join('; ');
}
