import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { createLocalReplyBus } from '../../engine/index.js';
import type { JobDetail } from '../../store/index.js';
import { relayReplies } from './reply-relay.js';
import type { ReplyNotice } from './messages.js';

/** Signals whose notices the test delivers by hand, in the order it chooses. */
function handDelivered() {
  let deliver: (notice: ReplyNotice) => void = () => {};
  return {
    signals: {
      on(_channel: string, handler: (notice: ReplyNotice) => void) {
        deliver = handler;
      },
      onReconnect() {},
    },
    deliver: (notice: ReplyNotice) => deliver(notice),
  };
}

const reply = { status: 201, headers: {}, body: { ok: true } };

test('a finish notice that overtakes the reply notice still answers with the stored reply', async () => {
  const bus = createLocalReplyBus();
  const { signals, deliver } = handDelivered();
  const store = {
    getJob: async () => ({ id: 'j1', reply }) as unknown as JobDetail,
  };
  relayReplies(signals as never, bus, store, pino({ level: 'silent' }));
  const waiting = bus.wait('j1', 5000);

  deliver({ jobId: 'j1', kind: 'finished', status: 'succeeded' });
  deliver({ jobId: 'j1', kind: 'reply', reply });

  assert.deepEqual(await waiting.outcome, { kind: 'reply', reply });
});

test('a finish notice of a job that never replied answers as finished', async () => {
  const bus = createLocalReplyBus();
  const { signals, deliver } = handDelivered();
  const store = { getJob: async () => ({ id: 'j2', reply: null }) as unknown as JobDetail };
  relayReplies(signals as never, bus, store, pino({ level: 'silent' }));
  const waiting = bus.wait('j2', 5000);

  deliver({ jobId: 'j2', kind: 'finished', status: 'succeeded' });

  assert.deepEqual(await waiting.outcome, { kind: 'finished', status: 'succeeded' });
});
