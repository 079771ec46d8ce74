/**
 * @module workflow/loader
 * Reads workflow files (YAML, or JSON read as YAML so every node has a line) into compiled
 * {@link Workflow}s. All problems of a file are reported together, each as `file:line: message`.
 *
 * @example
 *   const { workflows, problems } = loadWorkflows('workflows/');
 *   for (const p of problems) console.error(`${p.file}:${p.line}: ${p.message}`);
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { builtinCatalog } from '../connectors/builtins/index.js';
import type { ConnectorCatalog } from '../connectors/catalog.js';
import { errorMessage } from '../errors.js';
import { substituteEnv } from './env.js';
import type { Env } from './env.js';
import { WorkflowError } from './errors.js';
import type { Problem } from './errors.js';
import { parseYamlDocument } from './parse-document.js';
import { readSteps } from './read-steps.js';
import type { StepContext } from './read-steps.js';
import { readTrigger } from './read-trigger.js';
import { readConcurrency, readDebounce } from './read-flow-control.js';
import { findStepReferences } from './template-syntax.js';
import type { Workflow } from './types.js';
import { Reader } from './yaml-reader.js';
import type { MapView } from './yaml-reader.js';
import { parseRetention } from './read-retention.js';
import type { Retention } from './read-retention.js';
import { parseMatchPath } from '../search/index.js';
import type { MatchPath } from '../search/index.js';

export interface LoadOptions {
  /** Values for `${env:NAME}`; `process.env` when left out. */
  env?: Env;
  /** Known connection names; when given, a step naming another one is a problem. */
  connections?: ReadonlySet<string>;
  /** The connectors triggers and action steps may use; the built-ins when left out. */
  connectors?: ConnectorCatalog;
  /**
   * Names of the workflows loaded besides this one; when given, an `on_failure` naming another
   * one is a problem. (`loadWorkflows` checks against the files it loads and these.)
   */
  workflows?: ReadonlySet<string>;
}

/** Each declared path costs every event of the workflow an index entry or two. */
const MAX_SEARCH_PATHS = 8;
const TOP_KEYS = [
  'name',
  'enabled',
  'trigger',
  'steps',
  'concurrency',
  'debounce',
  'on_failure',
  'retention',
  'search',
];
const NAME = /^[a-z0-9-]+$/;
export const WORKFLOW_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Parses one workflow file's text; throws a WorkflowError listing every problem. */
export function parseWorkflow(text: string, file: string, opts: LoadOptions = {}): Workflow {
  const { workflow, problems } = readWorkflow(text, file, opts);
  if (!workflow) throw new WorkflowError(problems);
  return workflow;
}

/**
 * Loads a workflow file, or every `.yaml`/`.yml`/`.json` file directly in a directory (not in
 * sub-directories, in name order). Files with problems are left out; a name used by an earlier
 * file is a problem of the later one.
 */
export function loadWorkflows(
  dirOrFile: string,
  opts: LoadOptions = {},
): { workflows: Workflow[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const workflows: Workflow[] = [];
  const seen = new Map<string, { file: string; line: number }>();
  for (const { file, text } of readFiles(dirOrFile, problems)) {
    const result = readWorkflow(text, file, opts);
    problems.push(...result.problems);
    const { workflow, nameLine } = result;
    if (!workflow) continue;
    const first = seen.get(workflow.name);
    if (first) {
      problems.push({
        file,
        line: nameLine,
        message: `duplicate workflow name '${workflow.name}' (already used by ${first.file}:${first.line})`,
      });
      continue;
    }
    seen.set(workflow.name, { file, line: nameLine });
    workflows.push(workflow);
  }
  const known = new Set([...seen.keys(), ...(opts.workflows ?? [])]);
  const kept = workflows.filter((wf) => {
    const problem = unknownOnFailure(wf, known);
    if (problem) problems.push(problem);
    return problem === null;
  });
  return { workflows: kept, problems };
}

/** `on_failure` naming no known workflow: a problem at its line, like an unknown connection. */
export function unknownOnFailure(wf: Workflow, known: ReadonlySet<string>): Problem | null {
  if (!wf.onFailure || known.has(wf.onFailure.workflow) || wf.onFailure.workflow === wf.name) {
    return null;
  }
  const names = [...known].sort().join(', ') || 'none';
  return {
    file: wf.file ?? wf.name,
    line: wf.onFailure.line,
    message: `on_failure names no workflow '${wf.onFailure.workflow}' (known: ${names})`,
  };
}

/** The text of each file {@link listFiles} finds; one it cannot read is a problem. */
export function readFiles(
  dirOrFile: string,
  problems: Problem[],
): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const file of listFiles(dirOrFile, problems)) {
    try {
      out.push({ file, text: readFileSync(file, 'utf8') });
    } catch (e) {
      problems.push({ file, line: 1, message: `cannot read the file: ${errorMessage(e)}` });
    }
  }
  return out;
}

/**
 * The file itself, or the `.yaml`/`.yml`/`.json` files directly in a directory (not hidden, not
 * in sub-directories), in name order. Throws when it cannot be read.
 */
export function listDocumentFiles(dirOrFile: string): string[] {
  if (!statSync(dirOrFile).isDirectory()) return [dirOrFile];
  return readdirSync(dirOrFile, { withFileTypes: true })
    .filter(
      (e) =>
        e.isFile() &&
        !e.name.startsWith('.') &&
        WORKFLOW_EXTENSIONS.includes(extname(e.name).toLowerCase()),
    )
    .map((e) => join(dirOrFile, e.name))
    .sort();
}

/** {@link listDocumentFiles}, with a problem when it cannot be read. */
export function listFiles(dirOrFile: string, problems: Problem[]): string[] {
  try {
    return listDocumentFiles(dirOrFile);
  } catch (e) {
    problems.push({ file: dirOrFile, line: 1, message: `cannot read: ${errorMessage(e)}` });
    return [];
  }
}

interface ReadResult {
  workflow?: Workflow;
  problems: Problem[];
  nameLine: number;
}

function readWorkflow(text: string, file: string, opts: LoadOptions): ReadResult {
  const result = parseYamlDocument(text);
  if ('faults' in result) {
    const kind = isJson(file) ? 'JSON' : 'YAML';
    const problems = result.faults.map((f) => ({
      file,
      line: f.line,
      message: `invalid ${kind}: ${f.message}`,
    }));
    return { problems, nameLine: 1 };
  }
  // `value` is kept as written: `${env:}` values are secrets and must not be echoed by the API.
  const { doc, lines, value: source } = result.parsed;
  const r = new Reader(file, lines, doc);
  if (doc.contents === null) {
    r.report(1, 'the file is empty: a workflow needs at least name and trigger');
    return { problems: r.problems, nameLine: 1 };
  }
  const envUsed = substituteEnv(doc, opts.env ?? process.env, r);

  const root = r.map(doc.contents, '', { allowed: TOP_KEYS, required: ['name', 'trigger'] });
  if (!root) return { problems: sortProblems(r.problems), nameLine: 1 };
  const nameLine = r.valueLine(root, 'name');
  const name = r.string(root, 'name');
  if (name !== undefined && !NAME.test(name)) {
    r.report(
      nameLine,
      `name must match [a-z0-9-]+ (lower-case letters, digits and -; got '${name}')`,
    );
  }
  const enabled = r.bool(root, 'enabled', true);
  const triggerField = root.fields.get('trigger');
  const connectors = {
    catalog: opts.connectors ?? builtinCatalog(),
    ...(opts.connections ? { connections: opts.connections } : {}),
  };
  const trigger =
    triggerField && readTrigger(r, triggerField.value, triggerField.keyLine, connectors);
  const delivery =
    trigger?.type === 'webhook' || trigger?.type === 'connector'
      ? trigger.delivery
      : 'fire_and_forget';
  const ctx: StepContext = { delivery, ids: [], sites: [], connectors: connectors.catalog };
  if (opts.connections) ctx.connections = opts.connections;
  const stepsField = root.fields.get('steps');
  const steps = readSteps(
    r,
    stepsField?.value ?? null,
    'steps',
    stepsField?.keyLine ?? 1,
    (i) => `step${i + 1}`,
    ctx,
  );
  checkStepIds(r, ctx);
  const concurrency = readConcurrency(r, root);
  const debounce = readDebounce(r, root, trigger);
  const onFailure = readOnFailure(r, root);
  const retention = readRetentionField(r, root);
  const search = readSearchField(r, root);

  if (r.problems.length > 0 || name === undefined || !trigger)
    return { problems: sortProblems(r.problems), nameLine };
  const workflow: Workflow = {
    name,
    enabled,
    trigger,
    steps,
    file,
    source,
    text,
    env: envUsed,
    hash: createHash('sha256').update(text).digest('hex'),
    expressions: ctx.sites,
    ...(onFailure ? { onFailure } : {}),
    ...(retention ? { retention } : {}),
    ...(search ? { search } : {}),
  };
  if (concurrency) workflow.concurrency = concurrency;
  if (debounce) workflow.debounce = debounce;
  const unknown = opts.workflows && unknownOnFailure(workflow, opts.workflows);
  if (unknown) return { problems: [unknown], nameLine };
  return { workflow, problems: [], nameLine };
}

function readOnFailure(r: Reader, root: MapView): Workflow['onFailure'] {
  const workflow = r.string(root, 'on_failure');
  if (workflow === undefined) return undefined;
  const line = r.valueLine(root, 'on_failure');
  if (!NAME.test(workflow)) {
    r.report(line, `on_failure must name a workflow ([a-z0-9-]+), got '${workflow}'`);
    return undefined;
  }
  return { workflow, line };
}

function readRetentionField(r: Reader, root: MapView): Retention | undefined {
  if (!root.fields.has('retention')) return undefined;
  const value = r.toJS(r.node(root, 'retention') ?? null);
  try {
    return parseRetention(value);
  } catch (e) {
    r.report(r.valueLine(root, 'retention'), `retention: ${errorMessage(e)}`);
    return undefined;
  }
}

/** `search:` a list of trigger data paths (`body.order.id`), each indexed with every job. */
function readSearchField(r: Reader, root: MapView): MatchPath[] | undefined {
  if (!root.fields.has('search')) return undefined;
  const line = r.valueLine(root, 'search');
  const value = r.toJS(r.node(root, 'search') ?? null);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    r.report(line, 'search must be a list of trigger data paths, e.g. [body.order.id]');
    return undefined;
  }
  const paths: MatchPath[] = [];
  for (const text of value as string[]) {
    try {
      const path = parseMatchPath(text);
      if (!paths.some((p) => p.text === path.text)) paths.push(path);
    } catch (e) {
      r.report(line, `search: ${errorMessage(e)}`);
    }
  }
  if (paths.length > MAX_SEARCH_PATHS) {
    r.report(line, `search lists ${paths.length} paths; at most ${MAX_SEARCH_PATHS}`);
  }
  return paths;
}

/** Duplicate ids, and `steps.<id>` in an expression naming no step of the workflow. */
function checkStepIds(r: Reader, ctx: StepContext): void {
  const first = new Map<string, number>();
  for (const { id, line, explicit, where } of ctx.ids) {
    const earlier = first.get(id);
    if (earlier === undefined) first.set(id, line);
    else if (explicit)
      r.report(line, `duplicate step id '${id}' (already used on line ${earlier})`);
    else
      r.report(
        line,
        `${where} gets the default id '${id}', already used on line ${earlier}; give it its own id`,
      );
  }
  const known = [...first.keys()].join(', ') || 'none';
  for (const site of ctx.sites) {
    for (const ref of findStepReferences(site.source)) {
      if (first.has(ref.id)) continue;
      if (ref.hyphenated && first.has(ref.hyphenated)) {
        r.report(
          site.line,
          `steps.${ref.hyphenated} in ${site.where} reads as steps.${ref.id} minus …; write steps.\`${ref.hyphenated}\``,
        );
      } else {
        r.report(
          site.line,
          `unknown step '${ref.id}' referenced in ${site.where} (known: ${known})`,
        );
      }
    }
  }
}

/** Problems in line order (stable for problems on one line). */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.line - b.p.line || a.i - b.i)
    .map(({ p }) => p);
}

function isJson(file: string): boolean {
  return extname(file).toLowerCase() === '.json';
}
