/**
 * @module cli/jobs-commands
 * `hookflow jobs`, `hookflow job ID` and `hookflow rerun ID` against a running server: readable
 * tables and summaries, or `--json` (the API's answer as it is).
 */
import type { JobDetail, JobSummary } from '../store/types.js';
import { parseClientArgs } from './client-args.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './output.js';
import { formatDuration, formatTime, json, preview, table } from './output.js';
import { usageError } from './usage.js';
import { quote } from 'shell-quote';

/** `hookflow jobs [--workflow NAME] [--status S] [--match PATH:VALUE]… [--limit N] [--cursor C]`. */
export async function jobsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, api, asJson } = parseClientArgs(
    args,
    {
      workflow: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      match: { type: 'string', multiple: true },
    },
    io,
  );
  if (positionals.length > 0) throw usageError(`jobs takes no argument '${positionals[0]}'`);
  const query = new URLSearchParams();
  for (const key of ['workflow', 'status', 'limit', 'cursor'] as const) {
    const v = values[key];
    if (typeof v === 'string') query.set(key, v);
  }
  const { match } = values;
  if (Array.isArray(match)) for (const m of match) query.append('match', m);
  const q = query.toString();
  const page = await api.get<{ jobs: JobSummary[]; next_cursor: string | null }>(
    `/api/jobs${q ? `?${q}` : ''}`,
  );
  if (asJson) {
    io.out(json(page));
    return EXIT.ok;
  }
  if (page.jobs.length === 0) {
    io.out('no jobs');
    return EXIT.ok;
  }
  io.out(
    table(
      ['ID', 'WORKFLOW', 'STATUS', 'CREATED', 'DURATION'],
      page.jobs.map((j) => [
        j.id,
        j.workflow,
        j.status,
        formatTime(j.createdAt),
        formatDuration(j.durationMs),
      ]),
    ),
  );
  if (page.next_cursor) {
    query.set('cursor', page.next_cursor);
    // Quoted as a shell reads it back: a match may hold quotes and spaces.
    const flags = [...query].map(([k, v]) => `--${k} ${quote([v])}`).join(' ');
    io.err(`more: hookflow jobs ${flags}`);
  }
  return EXIT.ok;
}

/** `hookflow job ID`: the job, its trigger, each step's input and output, the reply. */
export async function jobCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, api, asJson } = parseClientArgs(args, {}, io);
  const id = onlyId(positionals, 'job');
  const job = await api.get<JobDetail>(`/api/jobs/${encodeURIComponent(id)}`);
  io.out(asJson ? json(job) : describeJob(job));
  return EXIT.ok;
}

/**
 * `hookflow rerun ID [--version original|current] [--wait]`: a new job from the same trigger
 * data, run by the workflow as loaded now or by the version the job ran with.
 */
export async function rerunCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, api, asJson } = parseClientArgs(
    args,
    { wait: { type: 'boolean' }, timeout: { type: 'string' }, version: { type: 'string' } },
    io,
  );
  const version = values.version ?? 'current';
  if (version !== 'original' && version !== 'current') {
    throw usageError(`--version must be original or current, got '${version}'`);
  }
  const id = onlyId(positionals, 'rerun');
  const timeoutS = values.timeout === undefined ? 60 : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
    throw usageError(`--timeout must be a number of seconds, got '${String(values.timeout)}'`);
  }
  const { body } = await api.post<{ id: string; rerunOf: string; status: string }>(
    `/api/jobs/${encodeURIComponent(id)}/rerun`,
    { version },
  );
  if (!values.wait) {
    io.out(asJson ? json(body) : `job ${body.id} queued (rerun of ${body.rerunOf})`);
    return EXIT.ok;
  }
  if (!asJson) io.err(`job ${body.id} queued (rerun of ${body.rerunOf}); waiting…`);
  const deadline = Date.now() + timeoutS * 1000;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    const job = await api.get<JobDetail>(`/api/jobs/${encodeURIComponent(body.id)}`);
    if (job.status === 'succeeded' || job.status === 'failed') {
      io.out(asJson ? json(job) : describeJob(job));
      return job.status === 'succeeded' ? EXIT.ok : EXIT.failed;
    }
    if (Date.now() > deadline) {
      io.err(`job ${body.id} is still ${job.status} after ${timeoutS} s`);
      return EXIT.failed;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

function onlyId(positionals: string[], command: string): string {
  const [id, extra] = positionals;
  if (!id) throw usageError(`${command} needs a job ID (see: hookflow jobs)`);
  if (extra !== undefined) throw usageError(`${command} takes one job ID, got also '${extra}'`);
  return id;
}

export function describeJob(job: JobDetail): string {
  const lines = [
    `job ${job.id}  ${job.workflow}  ${job.status}  attempt ${job.attempt}  ${formatDuration(job.durationMs)}`,
    `created ${formatTime(job.createdAt)}  finished ${formatTime(job.finishedAt)}`,
  ];
  if (job.rerunOf) lines.push(`rerun of ${job.rerunOf}`);
  if (job.version) lines.push(`version ${job.version}`);
  const t = job.trigger as Partial<{ method: string; path: string; body: unknown }> | null;
  lines.push('', `trigger${t?.method ? `  ${t.method} ${t.path ?? ''}` : ''}`);
  if (t && typeof t === 'object' && 'body' in t) lines.push(`  body: ${preview(t.body)}`);
  else lines.push(`  ${preview(t)}`);
  for (const s of job.steps) {
    lines.push(
      '',
      `step ${s.id} (${s.type}) ${s.status}, ${s.attempts} attempt${s.attempts === 1 ? '' : 's'}, ${formatDuration(s.durationMs)}`,
    );
    if (s.input !== null) lines.push(`  input:  ${preview(s.input)}`);
    lines.push(`  output: ${preview(s.output)}`);
    if (s.error) lines.push(`  error:  ${s.error}`);
  }
  if (job.reply) lines.push('', `reply  ${job.reply.status} ${preview(job.reply.body)}`);
  if (job.error) lines.push('', `error  ${job.error}`);
  return lines.join('\n');
}
