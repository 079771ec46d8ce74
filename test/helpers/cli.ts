/**
 * Runs `hookflow ARGS` as a child process (TypeScript through tsx), as a user would, with its
 * output and exit code. `onOutput` sees standard error as it comes (to act while it runs).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; onStderr?(soFar: string): void } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...opts.env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      opts.onStderr?.(err);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    child.stdin.end(opts.input ?? '');
  });
}
