import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import { StoreError } from '../../store/errors.js';
import { Channel } from './channel.js';

/** `{a:{a:…}}` nested `depth` levels: JSON.stringify overflows the stack on it. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

void describe('thread channel', () => {
  let ports: MessageChannel;
  let messages: number;
  let left: Channel;
  const seen: unknown[][] = [];
  const notifyErrors: Array<[string, unknown]> = [];

  beforeEach(() => {
    ports = new MessageChannel();
    messages = 0;
    seen.length = 0;
    notifyErrors.length = 0;
    ports.port2.on('message', () => messages++);
    left = new Channel(ports.port1, {}, (method, e) => notifyErrors.push([method, e]));
    // The far side: its handlers answer the calls made on `left`.
    new Channel(ports.port2, {
      add: (a: number, b: number) => a + b,
      later: async (v: string) => {
        await new Promise((r) => setTimeout(r, 5));
        return v;
      },
      record: (...args: unknown[]) => void seen.push(args),
      failStore: () => {
        throw new StoreError('store_write_failed', 'disk full', { sqliteCode: 'SQLITE_FULL' });
      },
      failPlain: () => {
        throw new TypeError('nope');
      },
      deep: () => nested(10_000),
    });
  });
  afterEach(() => {
    ports.port1.close();
    ports.port2.close();
  });

  void it('every call of one turn travels in one message', async () => {
    const sums = await Promise.all(Array.from({ length: 100 }, (_, i) => left.call('add', [i, 1])));
    assert.deepEqual(
      sums,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    assert.equal(messages, 1);
  });

  void it('results come back to the right caller, whatever their order', async () => {
    const slow = left.call('later', ['slow']);
    const fast = left.call('add', [2, 2]);
    assert.equal(await fast, 4);
    assert.equal(await slow, 'slow');
  });

  void it('an error keeps its class, code and details across the threads', async () => {
    await assert.rejects(left.call('failStore', []), (e: unknown) => {
      assert.ok(e instanceof StoreError);
      assert.equal(e.code, 'store_write_failed');
      assert.equal(e.message, 'disk full');
      assert.deepEqual(e.details, { sqliteCode: 'SQLITE_FULL' });
      return true;
    });
    await assert.rejects(left.call('failPlain', []), { name: 'TypeError', message: 'nope' });
    await assert.rejects(
      left.call('missing', []),
      (e: unknown) => e instanceof HookflowError && /no handler for 'missing'/.test(e.message),
    );
  });

  void it('a notification runs on the other side and sends nothing back', async () => {
    left.notify('record', ['a', 1]);
    left.notify('record', ['b', 2]);
    await left.call('add', [0, 0]);
    assert.deepEqual(seen, [
      ['a', 1],
      ['b', 2],
    ]);
    assert.equal(left.inFlight, 0);
  });

  void it('close rejects the calls in flight and every later one', async () => {
    const pending = left.call('later', ['never']);
    const error = new StoreError('store_write_failed', 'the engine thread stopped');
    left.close(error);
    await assert.rejects(pending, error);
    await assert.rejects(left.call('add', [1, 1]), error);
  });

  void it('a call whose arguments cannot be encoded fails alone; the others of its turn go through', async () => {
    const before = left.call('add', [1, 2]);
    const deep = left.call('record', [nested(10_000)]);
    const bigint = left.call('record', [10n]);
    const after = left.call('add', [3, 4]);
    await assert.rejects(deep, (e: unknown) => {
      assert.ok(e instanceof HookflowError);
      assert.equal(e.code, 'not_encodable');
      assert.match(e.message, /the call 'record' could not be sent to the other thread/);
      return true;
    });
    await assert.rejects(bigint, { code: 'not_encodable' });
    assert.equal(await before, 3);
    assert.equal(await after, 7);
    assert.equal(messages, 1);
    assert.deepEqual(seen, []);
  });

  void it('a result that cannot be encoded fails its own call; the others of its turn get theirs', async () => {
    const [deep, sum] = await Promise.allSettled([left.call('deep', []), left.call('add', [2, 3])]);
    assert.equal(deep.status, 'rejected');
    assert.match(
      String((deep as PromiseRejectedResult).reason),
      /result of call \d+ could not be sent/,
    );
    assert.deepEqual(sum, { status: 'fulfilled', value: 5 });
  });

  void it('a notification that cannot be encoded is reported to the error listener', async () => {
    left.notify('record', [nested(10_000)]);
    left.notify('record', ['ok']);
    await left.call('add', [0, 0]);
    assert.deepEqual(seen, [['ok']]);
    assert.equal(notifyErrors.length, 1);
    assert.equal(notifyErrors[0]?.[0], 'record');
  });
});
