/**
 * §6 schedule triggers end to end: one job per fire time from a real server, the catch-up
 * after downtime, ticks stopping with a disabled workflow, and the status in the API.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { newJobId } from '../src/store/index.js';
import { sleep, startServer, until } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const HOUR = 3_600_000;

function scheduleWorkflow(timing: string, extra: string[] = []): string {
  return [
    'name: tick',
    ...extra,
    'trigger:',
    `  schedule: ${timing}`,
    'steps:',
    '  - id: at',
    '    set: {scheduled: "{{ trigger.scheduledAt }}"}',
  ].join('\n');
}

async function scheduledTimes(srv: TestServer): Promise<string[]> {
  const jobs = await srv.jobsOf('tick');
  return jobs.map((j) => (j.trigger as any).scheduledAt as string).reverse();
}

describe('schedule trigger', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(wf: string, dataDir?: string) {
    const srv = await startServer([wf], dataDir ? { dataDir } : {});
    cleanups.push(() => srv.close());
    return srv;
  }

  test('every: 1s starts one job per second, each for a distinct whole second', async () => {
    const srv = await start(scheduleWorkflow('{every: 1s}'));
    const startedAt = Date.now();
    await sleep(3100);
    const times = await scheduledTimes(srv);
    const elapsed = (Date.now() - startedAt) / 1000;
    assert.ok(
      times.length >= Math.floor(elapsed) - 1 && times.length <= Math.ceil(elapsed),
      `${times.length} jobs in ${elapsed} s`,
    );
    assert.equal(new Set(times).size, times.length);
    for (const t of times) assert.equal(Date.parse(t) % 1000, 0, t);
    const job = await srv.finishedJob((await srv.jobsOf('tick'))[0]!.id);
    assert.equal(job.status, 'succeeded');
    assert.deepEqual(job.trigger, {
      id: job.id,
      type: 'schedule',
      body: null,
      scheduledAt: times.at(-1),
      timezone: null,
      receivedAt: (job.trigger as any).receivedAt,
    });
    assert.deepEqual(job.steps[0]?.output, { scheduled: times.at(-1) });
  });

  test('a disabled workflow stops ticking', async () => {
    const srv = await start(scheduleWorkflow('{every: 1s}'));
    await until(async () => (await scheduledTimes(srv)).length >= 1);
    await srv.app.registry.setEnabled('tick', false);
    const count = (await scheduledTimes(srv)).length;
    await sleep(1500);
    assert.equal((await scheduledTimes(srv)).length, count);
  });

  test('after downtime, the missed fire times give one job, for the newest of them', async () => {
    const wf = scheduleWorkflow('{every: 1h}');
    const first = await startServer([wf]);
    // The last tick this server claimed was three hours ago; it then went down.
    const id = newJobId();
    const threeHoursAgo = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const trigger = {
      id,
      type: 'schedule' as const,
      body: null,
      scheduledAt: new Date(threeHoursAgo).toISOString(),
      timezone: null,
      receivedAt: new Date(threeHoursAgo).toISOString(),
    };
    assert.equal(await first.app.store.claimTick('tick', threeHoursAgo, { id, trigger }), true);
    await first.close({ keepData: true });

    const second = await start(wf, first.dataDir);
    await until(async () => (await scheduledTimes(second)).length >= 2);
    await sleep(200); // and no third
    const newest = new Date(Math.floor(Date.now() / HOUR) * HOUR).toISOString();
    assert.deepEqual(await scheduledTimes(second), [trigger.scheduledAt, newest]);
  });

  test('a restart without missed fire times catches nothing up', async () => {
    const wf = scheduleWorkflow('{every: 1h}');
    const first = await startServer([wf]);
    await first.app.triggers.runNow('tick');
    await first.close({ keepData: true });
    const second = await start(wf, first.dataDir);
    await sleep(300);
    assert.equal((await scheduledTimes(second)).length, 1);
  });

  test('fire times missed while the workflow was disabled are not caught up', async () => {
    const wf = scheduleWorkflow('{every: 1h}');
    const first = await startServer([wf]);
    const id = newJobId();
    const twoHoursAgo = Date.now() - 2 * HOUR;
    await first.app.store.claimTick('tick', twoHoursAgo, {
      id,
      trigger: {
        id,
        type: 'schedule',
        body: null,
        scheduledAt: new Date(twoHoursAgo).toISOString(),
        timezone: null,
        receivedAt: new Date().toISOString(),
      },
    });
    await first.app.registry.setEnabled('tick', false);
    await first.close({ keepData: true });
    const second = await start(wf, first.dataDir);
    await sleep(300);
    assert.equal((await scheduledTimes(second)).length, 1);
  });

  test('GET /api/workflows shows the cron, its time zone and the next fire time', async () => {
    const srv = await start(scheduleWorkflow("{cron: '0 9 * * 1-5', timezone: Europe/Berlin}"));
    const res = await fetch(`${srv.url}/api/workflows/tick`);
    const { trigger } = (await res.json()) as any;
    assert.equal(trigger.type, 'schedule');
    assert.equal(trigger.cron, '0 9 * * 1-5');
    assert.equal(trigger.timezone, 'Europe/Berlin');
    const next = new Date(trigger.status.nextRunAt);
    assert.ok(next.getTime() > Date.now());
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    }).format(next);
    assert.match(local, /^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    assert.equal(trigger.status.lastRunAt, null);
  });
});
