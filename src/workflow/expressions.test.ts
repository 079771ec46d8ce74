/* eslint @typescript-eslint/no-floating-promises: ["error", { "allowForKnownSafeCalls":
   [{ "from": "package", "package": "node:test", "name": ["describe", "it"] }] }] --
   node:test's describe/it return promises the runner itself awaits. */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { HookflowError } from '../errors.js';
import { ExpressionError } from './errors.js';
import { compileTemplate, setExpressionTimeout } from './expressions.js';
import { compileExpression, toPlain } from './jsonata-eval.js';

const scope = {
  trigger: {
    body: { id: 7, name: 'Ada', items: [{ n: 1 }, { n: 2 }], tags: ['a', 'b'], none: null },
  },
  steps: { order: { status: 200, body: { status: 'placed' } } },
};

const render = (value: unknown, s: Record<string, unknown> = scope) =>
  compileTemplate(value, 'test').render(s);

describe('a string that is exactly one {{ }} keeps the type of its result', () => {
  it('a number stays a number', async () => {
    assert.equal(await render('{{ trigger.body.id }}'), 7);
  });
  it('surrounding whitespace is allowed', async () => {
    assert.equal(await render('  {{ trigger.body.id + 1 }}\n'), 8);
  });
  it('an object stays an object', async () => {
    assert.deepEqual(await render('{{ steps.order.body }}'), { status: 'placed' });
  });
  it('a list stays a plain list, without the JSONata sequence flag', async () => {
    const out = await render('{{ trigger.body.items.n }}');
    assert.deepEqual(out, [1, 2]);
    assert.equal(Object.keys(out as object).length, 2);
    assert.equal('sequence' in (out as object), false);
  });
  it('a boolean stays a boolean', async () => {
    assert.equal(
      await render("{{ steps.order.status = 200 and steps.order.body.status = 'placed' }}"),
      true,
    );
  });
  it('a missing path gives undefined', async () => {
    assert.equal(await render('{{ trigger.body.nothing }}'), undefined);
  });
  it('an object built in the expression keeps nested braces', async () => {
    assert.deepEqual(await render('{{ {"a": {"b": trigger.body.id}} }}'), { a: { b: 7 } });
  });
  it('a function result becomes undefined', async () => {
    assert.equal(await render('{{ function($x) { $x } }}'), undefined);
  });
});

describe('a string with text around or several expressions is joined as text', () => {
  it('numbers and strings are written as they are', async () => {
    assert.equal(
      await render('order {{ trigger.body.id }} for {{ trigger.body.name }}'),
      'order 7 for Ada',
    );
  });
  it('objects and lists are written as JSON', async () => {
    assert.equal(
      await render('tags={{ trigger.body.tags }} first={{ trigger.body.items[0] }}'),
      'tags=["a","b"] first={"n":1}',
    );
  });
  it('undefined and null are written as nothing', async () => {
    assert.equal(await render('[{{ trigger.body.nothing }}|{{ trigger.body.none }}]'), '[|]');
  });
  it('two expressions with nothing between are still text', async () => {
    assert.equal(await render('{{ 1 }}{{ 2 }}'), '12');
  });
  it("a '}}' inside a JSONata string literal does not end the expression", async () => {
    assert.equal(await render("x{{ '}}' & trigger.body.name }}"), 'x}}Ada');
  });
});

describe('objects and lists are walked', () => {
  it('expressions at any depth are rendered, static parts kept', async () => {
    const out = await render({
      ok: true,
      order: { id: '{{ trigger.body.id }}', label: '#{{ trigger.body.id }}', fixed: 'x' },
      list: ['{{ trigger.body.name }}', 1, { deep: ['{{ steps.order.status }}'] }],
    });
    assert.deepEqual(out, {
      ok: true,
      order: { id: 7, label: '#7', fixed: 'x' },
      list: ['Ada', 1, { deep: [200] }],
    });
  });
  it('a value without expressions is static and renders to itself', async () => {
    const value = { a: [1, 'two', { three: null }], b: 'no braces' };
    const t = compileTemplate(value, 'test');
    assert.equal(t.isStatic, true);
    assert.equal(await t.render(scope), value);
  });
  it('a value with an expression anywhere is not static', () => {
    assert.equal(compileTemplate({ a: [1, { b: '{{ 1 }}' }] }, 'test').isStatic, false);
  });
  it('the template keeps where it came from', () => {
    assert.equal(compileTemplate('{{ 1 }}', 'steps.order.http.url').where, 'steps.order.http.url');
  });
});

describe('compiled expressions are cached by source text', () => {
  it('the same source gives the same compiled expression', () => {
    assert.equal(compileExpression('trigger.body.id'), compileExpression('  trigger.body.id '));
  });
  it('two templates holding the same expression share it', async () => {
    const before = compileExpression('$count(trigger.body.items)');
    compileTemplate({ a: '{{ $count(trigger.body.items) }}' }, 'a');
    assert.equal(compileExpression('$count(trigger.body.items)'), before);
    assert.equal(await render('{{$count(trigger.body.items)}}'), 2);
  });
});

describe('a bad expression', () => {
  it('a syntax error throws at compile time naming where, the expression and the reason', () => {
    assert.throws(
      () => compileTemplate({ url: 'https://x/{{ trigger.body.id + }}' }, 'steps.order.http'),
      (e: unknown) => {
        assert.ok(e instanceof HookflowError);
        assert.equal(e.code, 'invalid_expression');
        assert.match(
          e.message,
          /^steps\.order\.http\.url: expression `\{\{ trigger\.body\.id \+ \}\}` is not valid: .+S0207/,
        );
        return true;
      },
    );
  });
  it("an unclosed '{{' is a syntax error", () => {
    assert.throws(
      () => compileTemplate('a {{ b', 'x'),
      /x: expression `a \{\{ b` is not valid: '\{\{' at character 3 has no matching '\}\}'/,
    );
  });
  it('an empty {{ }} is a syntax error', () => {
    assert.throws(() => compileTemplate('{{ }}', 'x'), /the expression is empty/);
  });
  it('a failure at run time names where, the expression and the reason', async () => {
    await assert.rejects(
      compileTemplate({ total: '{{ trigger.body.name + 1 }}' }, 'steps.totals.set').render(scope),
      (e: unknown) => {
        assert.ok(e instanceof ExpressionError);
        assert.equal(e.code, 'expression_failed');
        assert.equal(e.where, 'steps.totals.set.total');
        assert.match(
          e.message,
          /^steps\.totals\.set\.total: expression `\{\{ trigger\.body\.name \+ 1 \}\}` failed: .*must evaluate to a number.*T2001/,
        );
        return true;
      },
    );
  });
});

describe('runaway expressions are stopped', () => {
  afterEach(() => setExpressionTimeout(1000));

  it('an endless loop stops at the time budget with a clear message', async () => {
    setExpressionTimeout(100);
    const started = Date.now();
    await assert.rejects(
      render('{{ ($f := function($x) { $f($x) }; $f(1)) }}'),
      /failed: ran longer than its 100 ms time budget/,
    );
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
  it('too much work stops at the time budget', async () => {
    setExpressionTimeout(100);
    const started = Date.now();
    await assert.rejects(render('{{ $sum([1..100000].($sum([1..1000]))) }}'), /time budget/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
  it('a sequence too long to build in one go is refused at once', async () => {
    const started = Date.now();
    await assert.rejects(
      render('{{ $count([1..10000000]) }}'),
      /failed: a sequence grew past the limit of 1000000 items/,
    );
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
  });
  it('runaway recursion stops at the depth limit', async () => {
    await assert.rejects(
      render('{{ ($f := function($x) { 1 + $f($x) }; $f(1)) }}'),
      /failed: nested deeper than \d+ levels/,
    );
  });
  it('each evaluation has its own budget, counted from its start', async () => {
    setExpressionTimeout(100);
    const t = compileTemplate('{{ $sum([1..10].($)) }}', 'x');
    assert.equal(await t.render({}), 55);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(await t.render({}), 55);
  });
  it('the budget must be positive', () => {
    assert.throws(() => setExpressionTimeout(0), RangeError);
  });
});

describe('toPlain', () => {
  it('returns the same reference when nothing needs changing', () => {
    const v = { a: [1, { b: 2 }] };
    assert.equal(toPlain(v), v);
  });
  it('copies flagged sequences nested anywhere and drops functions', () => {
    const seq = Object.assign([1, 2], { sequence: true });
    const out = toPlain({ a: [seq], f: () => 1 }) as { a: unknown[][] };
    assert.deepEqual(out, { a: [[1, 2]] });
    assert.equal('sequence' in (out.a[0] as object), false);
  });
  it('leaves buffers alone', () => {
    const b = Buffer.from('x');
    assert.equal(toPlain(b), b);
  });
});
