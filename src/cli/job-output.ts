/**
 * What `hookflow test` prints of the job it ran, and the wait for it to finish.
 */
import { HookflowError } from '../errors.js';
import type { JobDetail, Store } from '../store/types.js';

/**
 * Prints a finished job's steps; the exit code: 0 when it succeeded. JSON.stringify is safe on
 * them: request values nest at most HOOKFLOW_MAX_DEPTH (≤ 1000) levels (ingress/body/depth.ts).
 */
export function printJob(job: JobDetail): number {
  out(`job ${job.id} ${job.status} in ${job.durationMs ?? '?'} ms`);
  for (const s of job.steps) {
    const waited = s.waitedMs ? ` (${s.waitedMs} ms waiting for its connection)` : '';
    out(
      `\nstep ${s.id} (${s.type}) ${s.status}, ${s.attempts} attempt(s), ${s.durationMs} ms${waited}`,
    );
    if (s.input !== null) out(`  input:  ${JSON.stringify(s.input)}`);
    out(`  output: ${JSON.stringify(s.output)}`);
    if (s.error) out(`  error:  ${s.error}`);
  }
  if (job.reply) out(`\nreply: ${JSON.stringify(job.reply)}`);
  if (job.error) out(`\nerror: ${job.error}`);
  return job.status === 'succeeded' ? 0 : 1;
}

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function waitForJob(store: Store, workflow: string): Promise<JobDetail | null> {
  const deadline = Date.now() + 120_000;
  let id: string | undefined;
  while (Date.now() < deadline) {
    if (!id) {
      const page = await store.listJobs({ workflow, limit: 1 });
      id = page.jobs[0]?.id;
      if (!id) {
        // Give a just-accepted event a moment to show; a filtered request never makes a job.
        await sleep(50);
        if (Date.now() > deadline - 119_000) return null;
        continue;
      }
    }
    const job = await store.getJob(id);
    if (job && (job.status === 'succeeded' || job.status === 'failed')) return job;
    await sleep(20);
  }
  throw new HookflowError('timeout', 'the job did not finish within 120 s');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
