/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findStepReferences, splitTemplate } from './template-syntax.js';

describe('splitTemplate', () => {
  it('splits text and expressions', () => {
    assert.deepEqual(splitTemplate('Hi {{ name }}!'), [
      { text: 'Hi ' },
      { source: ' name ', raw: '{{ name }}' },
      { text: '!' },
    ]);
  });
  it('a string without braces is one text part', () => {
    assert.deepEqual(splitTemplate('plain'), [{ text: 'plain' }]);
  });
  it('object constructors, string literals and comments may hold braces', () => {
    const parts = splitTemplate(`{{ {"a": {"b": "}}"}} /* }} */ }}tail`);
    assert.deepEqual(parts[0], {
      source: ` {"a": {"b": "}}"}} /* }} */ `,
      raw: `{{ {"a": {"b": "}}"}} /* }} */ }}`,
    });
    assert.deepEqual(parts[1], { text: 'tail' });
  });
  it("an unclosed '{{' throws", () => {
    assert.throws(() => splitTemplate('x {{ y'), /'\{\{' at character 3 has no matching '\}\}'/);
  });
});

describe('findStepReferences', () => {
  it('finds steps.<id> at the start of a path', () => {
    assert.deepEqual(findStepReferences('steps.order.status = 200 and $count(steps.route.body)'), [
      { id: 'order' },
      { id: 'route' },
    ]);
  });
  it('ignores steps inside other paths, variables and string literals', () => {
    assert.deepEqual(
      findStepReferences(`trigger.body.steps.x & $steps.y & "steps.z" & 'steps.w'`),
      [],
    );
  });
  it('reads backtick-quoted ids and notices a hyphen read as minus', () => {
    assert.deepEqual(findStepReferences('steps.`my-step`.id + steps.my-step.id'), [
      { id: 'my-step' },
      { id: 'my', hyphenated: 'my-step' },
    ]);
  });
});
