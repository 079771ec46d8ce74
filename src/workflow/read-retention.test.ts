import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadWorkflows } from './loader.js';
import { parseRetention } from './read-retention.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('retention syntax', () => {
  it('takes an age, a count, or both comma-separated', () => {
    assert.deepEqual(parseRetention('30d'), { maxAgeMs: 30 * 86_400_000 });
    assert.deepEqual(parseRetention('100000 jobs'), { maxJobs: 100_000 });
    assert.deepEqual(parseRetention('12h, 500 jobs'), { maxAgeMs: 12 * 3_600_000, maxJobs: 500 });
    assert.deepEqual(parseRetention('forever'), {});
  });

  it('refuses anything else naming what was wrong', () => {
    assert.throws(() => parseRetention('lots'), /'lots' in 'lots' is not an age/);
    assert.throws(() => parseRetention('1d, 2d'), /gives the age twice/);
    assert.throws(() => parseRetention('0 jobs'), /keep at least 1 job/);
  });
});

describe('on_failure and retention in a workflow file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookflow-onfailure-'));
  const wf = (name: string, extra: string) =>
    `name: ${name}\ntrigger:\n  webhook: {path: ${name}}\n${extra}steps:\n  - id: s\n    set: {a: 1}\n`;

  it('on_failure naming no loaded workflow is a problem at its line', () => {
    writeFileSync(join(dir, 'orders.yaml'), wf('orders', 'on_failure: alerts\n'));
    writeFileSync(join(dir, 'alert.yaml'), wf('alert', 'retention: 7d\n'));
    const { workflows, problems } = loadWorkflows(dir);
    assert.deepEqual(
      workflows.map((w) => w.name),
      ['alert'],
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.line, 4);
    assert.match(
      problems[0]!.message,
      /on_failure names no workflow 'alerts' \(known: alert, orders\)/,
    );
    assert.deepEqual(workflows[0]?.retention, { maxAgeMs: 7 * 86_400_000 });
  });

  it('a bad retention is a problem at its line', () => {
    const { problems } = loadWorkflows(
      (writeFileSync(join(dir, 'orders.yaml'), wf('orders', 'retention: soon\n')), dir),
    );
    assert.match(problems[0]!.message, /retention: 'soon' in 'soon' is not/);
    assert.equal(problems[0]?.line, 4);
  });
});
