import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { HookflowError } from '../../errors.js';
import { StoreError } from '../../store/errors.js';
import { Channel } from './channel.js';

void describe('thread channel', () => {
  let ports: MessageChannel;
  let messages: number;
  let left: Channel;
  const seen: unknown[][] = [];

  beforeEach(() => {
    ports = new MessageChannel();
    messages = 0;
    seen.length = 0;
    ports.port2.on('message', () => messages++);
    left = new Channel(ports.port1, {});
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
});
