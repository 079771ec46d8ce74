import { parseArgs } from 'node:util';
import { loadWorkflows } from '../workflow/index.js';
import { usageError } from './usage.js';

/** `hookflow validate FILE|DIR`: one `file:line: message` per problem, exit 1; else exit 0. */
export async function validateCommand(args: string[]): Promise<number> {
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({ args, allowPositionals: true, options: {} }));
  } catch (e) {
    throw usageError(e);
  }
  if (positionals.length === 0) throw usageError('validate needs a FILE or DIR');
  let failed = false;
  let count = 0;
  for (const target of positionals) {
    const { workflows, problems } = loadWorkflows(target);
    count += workflows.length;
    for (const p of problems) process.stdout.write(`${p.file}:${p.line}: ${p.message}\n`);
    if (problems.length > 0) failed = true;
  }
  if (!failed) process.stdout.write(`ok: ${count} workflow${count === 1 ? '' : 's'} valid\n`);
  return failed ? 1 : 0;
}
