/**
 * @module cli/output
 * What the client commands print: aligned tables for people, `--json` for scripts, and where
 * both go (`CliIo`, so tests read them without a child process).
 *
 * @example
 *   io.out(table(['ID', 'STATUS'], [['01J…', 'succeeded']]));
 */
export { formatDuration } from '../format.js';

export interface CliIo {
  /** A line (or lines) for standard output. */
  out(text: string): void;
  /** A line for standard error: hints, progress, problems. */
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Asks a person a question and answers what they typed; absent when no one is at a terminal. */
  ask?(question: string): Promise<string>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
  ...(process.stdin.isTTY && process.stderr.isTTY
    ? {
        async ask(question: string) {
          const { createInterface } = await import('node:readline/promises');
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return await rl.question(question);
          } finally {
            rl.close();
          }
        },
      }
    : {}),
};

/** Columns padded to their widest cell; the last column is not padded. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `2025-01-02 03:04:05Z`: UTC, to the second. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** One-line JSON, cut at `max` characters with a note saying how much was left out. */
export function preview(value: unknown, max = 2000): string {
  const text = JSON.stringify(value) ?? 'null';
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters; --json shows all)`;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
