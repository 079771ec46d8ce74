/**
 * @module cli/replay-command
 * `hookflow replay` against a running server: replay the jobs a filter matches (or count them
 * with `--dry-run`), and watch or cancel a replay.
 *
 *   hookflow replay --workflow orders --since 2h [--version original] [--dry-run] [--watch]
 *   hookflow replay status ID [--watch]
 *   hookflow replay cancel ID
 */
import type { MatchedJob, Replay } from '../store/types.js';
import type { ApiClient } from './api-client.js';
import { parseClientArgs } from './client-args.js';
import { EXIT } from './exit-codes.js';
import type { ExitCode } from './exit-codes.js';
import type { CliIo } from './output.js';
import { formatTime, json, table } from './output.js';
import { usageError } from './usage.js';

const FILTER_FLAGS = ['workflow', 'status', 'since', 'until', 'error'] as const;

export async function replayCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals, api, asJson } = parseClientArgs(
    args,
    {
      workflow: { type: 'string' },
      status: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      error: { type: 'string' },
      id: { type: 'string', multiple: true },
      version: { type: 'string' },
      rate: { type: 'string' },
      'not-replayed': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      watch: { type: 'boolean' },
    },
    io,
  );
  const [sub, id, extra] = positionals;
  if (sub === 'status' || sub === 'cancel') {
    if (!id) throw usageError(`replay ${sub} needs a replay ID (see: hookflow replay --help)`);
    if (extra !== undefined)
      throw usageError(`replay ${sub} takes one replay ID, got also '${extra}'`);
    const path = `/api/replays/${encodeURIComponent(id)}`;
    const replay =
      sub === 'cancel'
        ? (await api.post<Replay>(`${path}/cancel`)).body
        : await api.get<Replay>(path);
    if (sub === 'status' && values.watch) return watch(api, replay, io, asJson);
    io.out(asJson ? json(replay) : describeReplay(replay));
    return EXIT.ok;
  }
  if (sub !== undefined) {
    throw usageError(`replay takes filter flags, or 'status ID' or 'cancel ID'; got '${sub}'`);
  }

  const body: Record<string, unknown> = {};
  for (const key of FILTER_FLAGS) {
    const v = values[key];
    if (typeof v === 'string') body[key] = v;
  }
  const ids = values.id as unknown as string[] | undefined;
  if (ids !== undefined) body.ids = ids;
  if (values['not-replayed']) body.replayed = false;
  if (values.version !== undefined) {
    if (values.version !== 'original' && values.version !== 'current') {
      throw usageError(`--version must be original or current, got '${String(values.version)}'`);
    }
    body.version = values.version;
  }
  if (values.rate !== undefined) {
    const rate = Number(values.rate);
    if (!Number.isInteger(rate) || rate < 1 || rate > 1000) {
      throw usageError(
        `--rate must be a whole number of jobs per second, 1 to 1000, got '${String(values.rate)}'`,
      );
    }
    body.rate = rate;
  }
  if (values['dry-run']) {
    const { body: dry } = await api.post<{ count: number; sample: MatchedJob[] }>(
      '/api/jobs/replay',
      { ...body, dry_run: true, sample: 20 },
    );
    if (asJson) io.out(json(dry));
    else {
      io.out(`${dry.count} job${dry.count === 1 ? '' : 's'} match; nothing was replayed`);
      if (dry.sample.length > 0) io.out(matchedTable(dry.sample));
    }
    return EXIT.ok;
  }
  const { body: replay } = await api.post<Replay>('/api/jobs/replay', body);
  if (values.watch) {
    if (!asJson) io.err(`replay ${replay.id}: ${replay.matched} jobs at ${replay.rate}/s`);
    return watch(api, replay, io, asJson);
  }
  io.out(
    asJson
      ? json(replay)
      : `replay ${replay.id} started: ${replay.matched} jobs at up to ${replay.rate} a second\nwatch: hookflow replay status ${replay.id} --watch`,
  );
  return EXIT.ok;
}

/** Prints progress each second until the replay ended and its new jobs finished. */
async function watch(api: ApiClient, first: Replay, io: CliIo, asJson: boolean): Promise<ExitCode> {
  let replay = first;
  let shown = '';
  for (;;) {
    const line = progress(replay);
    if (!asJson && line !== shown) io.err(line);
    shown = line;
    const { queued, running } = replay.jobs;
    if (replay.status !== 'running' && queued + running === 0) break;
    await new Promise((r) => setTimeout(r, 1000));
    replay = await api.get<Replay>(`/api/replays/${encodeURIComponent(replay.id)}`);
  }
  io.out(asJson ? json(replay) : describeReplay(replay));
  return replay.status === 'done' && replay.jobs.failed === 0 ? EXIT.ok : EXIT.failed;
}

function progress(r: Replay): string {
  const { queued, running, succeeded, failed } = r.jobs;
  return `${r.status}: ${r.created}/${r.matched} created, ${r.skipped} skipped; new jobs ${succeeded} succeeded, ${failed} failed, ${queued + running} waiting`;
}

export function describeReplay(r: Replay): string {
  const f = r.filter;
  const filter = [
    f.workflow && `workflow ${f.workflow}`,
    `status ${f.status}`,
    f.since !== undefined && `since ${formatTime(new Date(f.since).toISOString())}`,
    f.until !== undefined && `until ${formatTime(new Date(f.until).toISOString())}`,
    f.error && `error ~ '${f.error}'`,
    f.ids && `${f.ids.length} chosen jobs`,
    f.replayed === false && 'not replayed before',
  ].filter(Boolean);
  return [
    `replay ${r.id}  ${r.status}  version ${r.version}  ${r.rate}/s`,
    `filter ${filter.join(', ')}`,
    `created ${formatTime(r.createdAt)}  finished ${formatTime(r.finishedAt)}`,
    progress(r),
    ...(r.error ? [`error  ${r.error}`] : []),
  ].join('\n');
}

function matchedTable(jobs: MatchedJob[]): string {
  return table(
    ['ID', 'WORKFLOW', 'CREATED', 'ERROR'],
    jobs.map((j) => [j.id, j.workflow, formatTime(j.createdAt), oneLine(j.error ?? '')]),
  );
}

function oneLine(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
