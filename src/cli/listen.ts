/**
 * @module cli/listen
 * `hookflow listen WORKFLOW [--timeout S] [--run] [--use] [--json]` against a running server:
 * captures the next request to the workflow's webhook (verified and decoded, no job unless
 * `--run`) and prints it. `--use` (or answering yes when asked at a terminal) makes its body
 * the trigger's example: saved on the server for a workflow pushed over the API; for one from a
 * file, its text with the example set is printed to paste into the file.
 *
 * Exit codes: 0 captured, 1 nothing came within the timeout, else as the other client commands.
 */
import type { Capture } from '../ingress/capture.js';
import type { ApiClient } from './api-client.js';
import { parseClientArgs } from './client-args.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './output.js';
import { formatTime, json } from './output.js';
import { usageError } from './usage.js';

/** Each GET waits at most this long (below the client's 30 s answer timeout), then asks again. */
const POLL_S = 25;

type Started = Capture & { url: string; method: string };
interface ExampleAnswer {
  saved: boolean;
  origin: 'file' | 'api';
  file: string | null;
  text: string;
}

export async function listenCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, api, asJson } = parseClientArgs(
    args,
    { timeout: { type: 'string' }, run: { type: 'boolean' }, use: { type: 'boolean' } },
    io,
  );
  const [name, extra] = positionals;
  if (!name) throw usageError('listen needs a WORKFLOW name (see: GET /api/workflows)');
  if (extra !== undefined) throw usageError(`listen takes one WORKFLOW, got also '${extra}'`);
  const timeout = values.timeout === undefined ? 120 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600) {
    throw usageError(`--timeout must be 1 to 600 seconds, got '${String(values.timeout)}'`);
  }
  const base = `/api/workflows/${encodeURIComponent(name)}/captures`;
  const { body: started } = await api.post<Started>(base, { timeout, run: values.run === true });
  io.err(
    `listening for a test event: send it to ${started.method} ${started.url}\n(waiting up to ${timeout} s; ${values.run ? 'it will also run as usual' : 'it will not run'}; Ctrl-C stops)`,
  );

  const capture = await waitForCapture(api, `${base}/${started.id}`);
  if (capture.state !== 'captured' || !capture.event) {
    if (asJson) io.out(json(capture));
    io.err(`no request reached ${started.url} within ${timeout} s (capture ${capture.state})`);
    return EXIT.failed;
  }
  if (asJson && !values.use) {
    io.out(json(capture));
    return EXIT.ok;
  }
  if (!asJson) io.out(describeEvent(capture));
  const use = values.use === true || (await askYes(io, `Use its body as the example of ${name}?`));
  if (!use) {
    if (!asJson) io.err(`to use it as the example: hookflow listen ${name} --use (and send again)`);
    return EXIT.ok;
  }
  const { body: used } = await api.post<ExampleAnswer>(
    `/api/workflows/${encodeURIComponent(name)}/example`,
    { capture: capture.id },
  );
  if (asJson) {
    io.out(json({ capture, example: used }));
    return EXIT.ok;
  }
  if (used.saved) {
    io.err(`saved: the body is the example of ${name}; see its fields in the datatree`);
  } else {
    io.out(`\n# ${used.file ?? name} with the example set:\n${used.text}`);
    io.err(
      `${name} is defined by ${used.file ? `the file ${used.file}` : 'a file'} on the server: paste the text above there`,
    );
  }
  return EXIT.ok;
}

async function waitForCapture(api: ApiClient, path: string): Promise<Capture> {
  // Ctrl-C stops the capture on the server too, so the next request runs as usual.
  const stop = () => {
    void api.delete(path).finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  try {
    for (;;) {
      const capture = await api.get<Capture>(`${path}?wait=${POLL_S}`);
      if (capture.state !== 'waiting') return capture;
    }
  } finally {
    process.removeListener('SIGINT', stop);
  }
}

async function askYes(io: CliIo, question: string): Promise<boolean> {
  if (!io.ask) return false;
  return /^y(es)?$/i.test((await io.ask(`${question} [y/N] `)).trim());
}

function describeEvent(capture: Capture): string {
  const e = capture.event!;
  const query = new URLSearchParams(
    Object.entries(e.query ?? {}).flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, String(x)]),
    ),
  ).toString();
  const lines = [
    `${e.method} ${e.path}${query ? `?${query}` : ''}  received ${formatTime(e.receivedAt)}`,
  ];
  lines.push('headers:');
  for (const [k, v] of Object.entries(e.headers ?? {}))
    lines.push(`  ${k}: ${Array.isArray(v) ? v.join(', ') : v}`);
  lines.push('body:', typeof e.body === 'string' ? e.body : json(e.body));
  return lines.join('\n');
}
