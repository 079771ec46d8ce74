import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fireTimes, pollDue } from './timing.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The first `n` fire times after `from`. */
function firstTimes(times: ReturnType<typeof fireTimes>, from: string, n: number): string[] {
  const out: string[] = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const next = times.next(t);
    if (next === null) break;
    out.push(iso(next)!);
    t = next;
  }
  return out;
}

describe('fire times', () => {
  it('every counts from the Unix epoch, so all servers agree on the fire times', () => {
    const times = fireTimes({ kind: 'every', ms: 30_000, text: '30s' });
    assert.deepEqual(firstTimes(times, '2025-01-01T00:00:10.500Z', 3), [
      '2025-01-01T00:00:30.000Z',
      '2025-01-01T00:01:00.000Z',
      '2025-01-01T00:01:30.000Z',
    ]);
    assert.equal(iso(times.latest(at('2025-01-01T00:01:29.999Z'))), '2025-01-01T00:01:00.000Z');
    assert.equal(iso(times.latest(at('2025-01-01T00:01:30.000Z'))), '2025-01-01T00:01:30.000Z');
  });

  it('a next fire time is strictly after the time given', () => {
    const times = fireTimes({ kind: 'cron', pattern: '*/5 * * * *', timezone: 'UTC' });
    assert.equal(iso(times.next(at('2025-01-01T00:05:00Z'))), '2025-01-01T00:10:00.000Z');
    assert.equal(iso(times.latest(at('2025-01-01T00:05:00Z'))), '2025-01-01T00:05:00.000Z');
  });

  it('cron reads the pattern in its time zone', () => {
    const times = fireTimes({ kind: 'cron', pattern: '0 9 * * 1-5', timezone: 'America/New_York' });
    // Friday 2025-01-03 10:00 in New York → Monday 09:00 EST (UTC-5).
    assert.deepEqual(firstTimes(times, '2025-01-03T15:00:00Z', 2), [
      '2025-01-06T14:00:00.000Z',
      '2025-01-07T14:00:00.000Z',
    ]);
  });

  it('a cron with seconds (6 fields) fires on them', () => {
    const times = fireTimes({ kind: 'cron', pattern: '*/20 * * * * *', timezone: 'UTC' });
    assert.deepEqual(firstTimes(times, '2025-01-01T00:00:00Z', 3), [
      '2025-01-01T00:00:20.000Z',
      '2025-01-01T00:00:40.000Z',
      '2025-01-01T00:01:00.000Z',
    ]);
  });

  describe('across a DST change (Europe/Berlin)', () => {
    const daily = fireTimes({ kind: 'cron', pattern: '30 2 * * *', timezone: 'Europe/Berlin' });
    const hourly = fireTimes({ kind: 'cron', pattern: '30 * * * *', timezone: 'Europe/Berlin' });

    it('spring forward: 02:30 does not exist on 30 March, so the daily job runs at 03:00 CEST', () => {
      assert.deepEqual(firstTimes(daily, '2025-03-28T12:00:00Z', 3), [
        '2025-03-29T01:30:00.000Z', // 02:30 CET (UTC+1)
        '2025-03-30T01:00:00.000Z', // 03:00 CEST, the first time after the gap
        '2025-03-31T00:30:00.000Z', // 02:30 CEST (UTC+2)
      ]);
    });

    it('fall back: 02:30 happens twice on 26 October, and the daily job runs once, at the first', () => {
      assert.deepEqual(firstTimes(daily, '2025-10-24T12:00:00Z', 3), [
        '2025-10-25T00:30:00.000Z', // 02:30 CEST
        '2025-10-26T00:30:00.000Z', // 02:30 CEST, not again at 02:30 CET
        '2025-10-27T01:30:00.000Z', // 02:30 CET (UTC+1)
      ]);
    });

    it('an hourly job fires 23 times on the spring day and 25 times on the autumn day', () => {
      const count = (from: string, to: string) =>
        firstTimes(hourly, from, 30).filter((t) => t < to).length;
      // Local midnight to midnight: 29/30 March 23:00Z-22:00Z, 25/26 October 22:00Z-23:00Z.
      assert.equal(count('2025-03-29T23:00:00Z', '2025-03-30T22:00:00Z'), 23);
      assert.equal(count('2025-10-25T22:00:00Z', '2025-10-26T23:00:00Z'), 25);
    });
  });
});

describe('a poll is due once per interval across processes', () => {
  const every = { kind: 'every', ms: 10_000, text: '10s' } as const;
  const cron = { kind: 'cron', pattern: '*/5 * * * *', timezone: 'UTC' } as const;

  it('a poll that never ran is due', () => {
    assert.equal(pollDue(every, 0, 0, null), true);
  });

  it('every: not due until an interval passed since any process polled, less a little slack', () => {
    assert.equal(pollDue(every, 5_000, 5_000, 0), false);
    assert.equal(pollDue(every, 9_000, 9_000, 0), true);
    assert.equal(pollDue(every, 8_999, 8_999, 0), false);
  });

  it('cron: not due when a process polled for this fire time already', () => {
    const fire = at('2025-01-01T00:05:00Z');
    assert.equal(pollDue(cron, fire, fire + 20, fire + 5), false);
    assert.equal(pollDue(cron, fire, fire + 20, at('2025-01-01T00:00:00.010Z')), true);
  });
});
