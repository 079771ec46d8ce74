import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('./run.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hookflow-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'order.yaml');
writeFileSync(
  file,
  [
    'name: order',
    'trigger: {webhook: {path: o}}',
    'steps:',
    '  - id: order',
    '    http: {url: https://api.example/o, example: {id: 1, status: placed}}',
    '  - id: note',
    '    set: {s: "{{ steps.order.body.stauts }}"}',
  ].join('\n'),
);

function validate(...args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'validate', ...args], {
    encoding: 'utf8',
  });
  return { code: res.status, out: res.stdout.trim().split('\n') };
}

describe('hookflow validate', () => {
  it('warns about a field no example holds, file:line first, and exits 0', () => {
    const { code, out } = validate(dir);
    assert.equal(code, 0);
    assert.equal(out.length, 2);
    assert.ok(
      out[0]!.startsWith(`${file}:7: unknown field steps.order.body.stauts in steps[1].set.s (`),
      out[0],
    );
    assert.match(out[0]!, /did you mean steps\.order\.body\.status\?\)$/);
    assert.equal(out[1], 'ok: 1 workflow valid, 1 warning');
  });

  it('with --strict, a warning makes the exit code 1', () => {
    assert.equal(validate('--strict', file).code, 1);
  });
});

describe('hookflow validate, hostile documents', () => {
  it('an alias bomb is a problem at the first alias line, exit 1', () => {
    const bomb = join(dir, 'bomb', 'bomb.yaml');
    mkdirSync(join(dir, 'bomb'));
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of [...'abcdefg'].map((c, i) => [c, 'bcdefgh'[i]!])) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    writeFileSync(bomb, ['name: bomb', 'trigger: {webhook: {path: b}}', ...levels].join('\n'));
    const res = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'validate', bomb], {
      encoding: 'utf8',
    });
    assert.equal(res.status, 1);
    assert.match(`${res.stdout}${res.stderr}`, new RegExp(`${bomb}:4: invalid YAML: the aliases`));
  });
});
