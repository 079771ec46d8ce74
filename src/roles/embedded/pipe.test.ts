import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Pipe } from './pipe.js';

type Msg = { type: 'n'; n: number } | { type: 'deep'; value: unknown } | { type: 'lost' };

/** `{a:{a:…}}` nested `depth` levels: JSON.stringify overflows the stack on it. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

void describe('thread pipe', () => {
  let ports: MessageChannel;
  let posts: number;
  let received: Msg[];
  let left: Pipe<Msg, Msg>;

  beforeEach(() => {
    ports = new MessageChannel();
    posts = 0;
    received = [];
    ports.port2.on('message', () => posts++);
    new Pipe<Msg, Msg>(ports.port2, (m) => void received.push(m));
    left = new Pipe<Msg, Msg>(
      ports.port1,
      () => {},
      (m) => (m.type === 'deep' ? { type: 'lost' } : undefined),
    );
  });
  afterEach(() => {
    ports.port1.close();
    ports.port2.close();
  });

  /** Waits until `count` messages arrived, or 1 s. */
  async function settle(count = 0): Promise<void> {
    const deadline = Date.now() + 1000;
    while (received.length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 20));
  }

  void it('every message of one turn travels in one post, in order', async () => {
    for (let n = 0; n < 100; n++) left.send({ type: 'n', n });
    await settle(100);
    assert.equal(posts, 1);
    assert.deepEqual(
      received.map((m) => (m.type === 'n' ? m.n : -1)),
      Array.from({ length: 100 }, (_, n) => n),
    );
  });

  void it('a message that cannot be encoded is replaced alone; the others of its turn go', async () => {
    left.send({ type: 'n', n: 1 });
    left.send({ type: 'deep', value: nested(10_000) });
    left.send({ type: 'n', n: 2 });
    await settle(3);
    assert.deepEqual(received, [{ type: 'n', n: 1 }, { type: 'lost' }, { type: 'n', n: 2 }]);
  });

  void it('nothing is sent once closed', async () => {
    left.close();
    left.send({ type: 'n', n: 1 });
    await settle();
    assert.equal(posts, 0);
  });
});
