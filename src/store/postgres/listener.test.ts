/**
 * The reconnecting listener against a real PostgreSQL, cut off through a loopback proxy.
 * Runs only when HOOKFLOW_TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startDatabaseProxy } from '../../../test/helpers/backends.js';
import type { TcpProxy } from '../../../test/helpers/tcp-proxy.js';
import { createPgListener } from './listener.js';
import type { PgListener } from './listener.js';

const url = process.env['HOOKFLOW_TEST_DATABASE_URL'];
const skip = url
  ? false
  : 'PostgreSQL listener tests skipped: set HOOKFLOW_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them';

/** A channel no other test run uses. */
const channel = (name: string) => `test_${name}_${randomBytes(4).toString('hex')}`;

function nextPayload(listener: PgListener, ch: string): Promise<string> {
  return new Promise((resolve) => listener.listen(ch, resolve));
}
async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

void describe('PostgreSQL listener', { skip }, () => {
  let proxy: TcpProxy;
  let proxiedUrl: string;
  before(async () => {
    ({ proxy, url: proxiedUrl } = await startDatabaseProxy());
  });
  after(() => proxy.close());

  void it('delivers notifications on every channel it listens to', async () => {
    const listener = createPgListener({ databaseUrl: url as string });
    try {
      const [a, b] = [channel('a'), channel('b')];
      const gotA = nextPayload(listener, a);
      const gotB = nextPayload(listener, b);
      await listener.connect();
      await listener.notify(a, 'one');
      await listener.notify(b, 'two');
      assert.deepEqual(await Promise.all([gotA, gotB]), ['one', 'two']);
    } finally {
      await listener.close();
    }
  });

  void it('after the connection is cut it reconnects, calls onReconnect, and listens again', async () => {
    let reconnects = 0;
    const outages: Error[] = [];
    const listener = createPgListener({
      databaseUrl: proxiedUrl,
      minBackoffMs: 20,
      maxBackoffMs: 200,
      onReconnect: () => reconnects++,
      onDisconnect: (e) => outages.push(e),
    });
    try {
      const ch = channel('cut');
      const received: string[] = [];
      listener.listen(ch, (p) => received.push(p));
      await listener.connect();
      assert.equal(listener.connected, true);

      proxy.cut();
      await until(() => !listener.connected);
      await new Promise((r) => setTimeout(r, 500)); // several failed attempts while cut
      assert.equal(outages.length, 1, 'one outage reported once, not once per attempt');
      proxy.restore();
      await until(() => listener.connected);
      assert.equal(reconnects, 1);

      // Sent through the direct URL: the listener hears it on its new connection.
      const sender = createPgListener({ databaseUrl: url as string });
      await sender.notify(ch, 'after');
      await sender.close();
      await until(() => received.includes('after'));
    } finally {
      proxy.restore();
      await listener.close();
    }
  });

  void it('notify while the database is out of reach fails with store_unavailable', async () => {
    const listener = createPgListener({ databaseUrl: proxiedUrl });
    proxy.cut();
    try {
      await assert.rejects(listener.notify(channel('x'), 'p'), { code: 'store_unavailable' });
    } finally {
      proxy.restore();
      await listener.close();
    }
  });
});
