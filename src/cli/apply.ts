/**
 * @module cli/apply
 * `hookflow apply FILE|DIR`: pushes documents to a running server. A document with `trigger`
 * is a workflow (`PUT /api/workflows/NAME`); one with `type` and no `trigger` is a connection
 * (`PUT /api/connections/NAME`). Connections go first, so the workflows that use them validate.
 * The text is sent as written, so the server's problems come back at the lines of the local
 * file, and are printed as `file:line: message` like `hookflow validate`.
 *
 * A rejected document does not stop the others; the exit code is 1 if any was rejected. A
 * server that cannot be reached or refuses the token stops at once (exit 3 or 4).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { errorMessage } from '../errors.js';
import { listDocumentFiles, parseYamlDocument } from '../workflow/index.js';
import type { Problem } from '../workflow/index.js';
import { ApiError } from './api-client.js';
import type { ApiClient } from './api-client.js';
import { parseClientArgs } from './client-args.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './output.js';
import { json, table } from './output.js';
import { usageError } from './usage.js';

type Kind = 'workflow' | 'connection';

interface Document {
  file: string;
  text: string;
  kind: Kind;
  name: string;
}

export interface ApplyResult {
  file: string;
  kind: Kind | null;
  name: string | null;
  result: 'created' | 'updated' | 'failed';
  error?: { code: string; message: string; problems?: Problem[] };
}

export async function applyCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, api, asJson } = parseClientArgs(args, {}, io);
  if (positionals.length === 0) throw usageError('apply needs a FILE or DIR');

  const results: ApplyResult[] = [];
  const documents: Document[] = [];
  for (const file of positionals.flatMap(listFiles)) {
    const read = readDocument(file);
    if ('error' in read) results.push(read.error);
    else documents.push(read);
  }
  // Connections first: a workflow naming a connection validates only once it exists.
  documents.sort((a, b) => Number(a.kind === 'workflow') - Number(b.kind === 'workflow'));
  for (const doc of documents) results.push(await push(api, doc));

  const failed = results.filter((r) => r.result === 'failed');
  if (asJson) {
    io.out(json({ results }));
  } else {
    const rows = results.map((r) => [r.result, r.kind ?? '-', r.name ?? '-', r.file]);
    if (rows.length > 0) io.out(table(['RESULT', 'KIND', 'NAME', 'FILE'], rows));
    for (const r of failed) {
      const problems = r.error?.problems ?? [];
      if (problems.length > 0)
        for (const p of problems) io.err(`${p.file}:${p.line}: ${p.message}`);
      else io.err(`${r.file}: ${r.error?.message ?? 'rejected'}`);
    }
    const applied = results.length - failed.length;
    io.err(
      `${applied} applied${failed.length > 0 ? `, ${failed.length} rejected` : ''} on ${api.url}`,
    );
  }
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

async function push(api: ApiClient, doc: Document): Promise<ApplyResult> {
  const base = { file: doc.file, kind: doc.kind, name: doc.name };
  const collection = doc.kind === 'workflow' ? 'workflows' : 'connections';
  const type =
    extname(doc.file).toLowerCase() === '.json' ? 'application/json' : 'application/yaml';
  try {
    const { status } = await api.put(
      `/api/${collection}/${encodeURIComponent(doc.name)}`,
      doc.text,
      type,
    );
    return { ...base, result: status === 201 ? 'created' : 'updated' };
  } catch (e) {
    if (!(e instanceof ApiError) || e.status === null || e.exitCode === EXIT.unauthorized) throw e;
    const answer = (e.body as { error?: ApplyResult['error'] } | null)?.error;
    const error: NonNullable<ApplyResult['error']> = {
      code: answer?.code ?? e.code,
      message: e.message,
    };
    // The server saw the text under its own label (api:NAME.yaml); its lines are the file's.
    if (Array.isArray(answer?.problems)) {
      error.problems = answer.problems.map((p) => ({ ...p, file: doc.file }));
    }
    return { ...base, result: 'failed', error };
  }
}

function listFiles(target: string): string[] {
  try {
    return listDocumentFiles(target);
  } catch (e) {
    throw usageError(`cannot read ${target}: ${errorMessage(e)}`);
  }
}

/** The document's kind and name, read locally; the server validates the rest. */
function readDocument(file: string): Document | { error: ApplyResult } {
  const fail = (line: number, message: string) => ({
    error: {
      file,
      kind: null,
      name: null,
      result: 'failed' as const,
      error: { code: 'invalid_document', message, problems: [{ file, line, message }] },
    },
  });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return fail(1, `cannot read the file: ${errorMessage(e)}`);
  }
  const parsed = parseYamlDocument(text);
  if ('faults' in parsed) {
    const format = extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
    const first = parsed.faults[0]!;
    return fail(first.line, `invalid ${format}: ${first.message}`);
  }
  const { value } = parsed.parsed;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(1, 'expected a workflow (with trigger) or a connection (with type)');
  }
  const record = value as Record<string, unknown>;
  const kind: Kind | null =
    'trigger' in record ? 'workflow' : 'type' in record ? 'connection' : null;
  if (kind === null) {
    return fail(1, 'neither a workflow (it has no trigger) nor a connection (it has no type)');
  }
  if (typeof record.name !== 'string' || record.name === '') {
    return fail(1, `the ${kind} has no name`);
  }
  return { file, text, kind, name: record.name };
}
