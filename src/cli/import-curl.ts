/**
 * @module cli/import-curl
 * `hookflow import curl '<command>'`: a cURL command from an API's docs → an `http` step (YAML on
 * standard output) and, when the command carries credentials, a proposed connection file that
 * reads them from environment variables; which variables to set is said on standard error. The
 * secret itself is printed nowhere. Works offline: no server is asked.
 *
 * The command may be one argument (quoted), words after `--` (`hookflow import curl -- curl -X
 * POST …`, split by your shell), or `-` to read it from standard input.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { quote } from 'shell-quote';
import { HookflowError } from '../errors.js';
import { importCurl } from '../import/index.js';
import type { CurlImport } from '../import/index.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './output.js';
import { json } from './output.js';
import { usageError } from './usage.js';

export async function importCommand(args: string[], io: CliIo): Promise<number> {
  const [kind, ...rest] = args;
  if (kind !== 'curl') {
    throw usageError(`import takes 'curl' (hookflow import curl '<command>'), got '${kind ?? ''}'`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        id: { type: 'string' },
        connection: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw usageError(e);
  }
  const { values, positionals } = parsed;
  const command = commandText(positionals);
  let out: CurlImport;
  try {
    out = importCurl(command, {
      ...(values.id ? { id: values.id } : {}),
      ...(values.connection ? { connection: values.connection } : {}),
    });
  } catch (e) {
    if (e instanceof HookflowError) throw usageError(e);
    throw e;
  }
  if (values.json) {
    io.out(json(out));
    return EXIT.ok;
  }
  io.out(describeImport(out));
  if (out.env.length > 0) {
    io.err(
      `set where Hookflow runs (the connection reads ${out.env.length === 1 ? 'it' : 'them'}; the ${out.env.length === 1 ? 'value is' : 'values are'} in your cURL command):`,
    );
    const width = Math.max(...out.env.map((v) => v.name.length));
    for (const v of out.env) io.err(`  ${v.name.padEnd(width)}  ${v.holds}`);
  }
  for (const note of out.notes) io.err(`note: ${note}`);
  return EXIT.ok;
}

function commandText(positionals: string[]): string {
  if (positionals.length === 0) {
    throw usageError(`import curl needs the command: hookflow import curl 'curl https://…'`);
  }
  if (positionals.length === 1 && positionals[0] === '-') return readFileSync(0, 'utf8');
  // Words split by the user's shell (after `--`): quoted back into one command line.
  return positionals.length === 1 ? positionals[0]! : quote(positionals);
}

function describeImport(out: CurlImport): string {
  const parts: string[] = [];
  if (out.connection) {
    const vars = out.env.map((v) => v.name).join(', ');
    parts.push(
      `# connection: save as connections/${out.connection.name}.yaml (it reads ${vars} from the environment)\n${out.connection.yaml}`,
    );
  }
  parts.push(`# step: paste under steps: in a workflow\n${out.stepYaml}`);
  return parts.join('---\n');
}
