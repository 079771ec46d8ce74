import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LookupAddress } from 'node:dns';
import { request } from 'undici';
import { AddressBlockedError } from '../steps/index.js';
import { startServer } from '../steps/http/testing.js';
import type { TestServer } from '../steps/http/testing.js';
import { createOutboundAgent } from './outbound-agent.js';

// Every request here goes to loopback: the guard must refuse it before a socket connects.
void describe('outbound agent: the SSRF guard in real requests', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer((_req, res) => void res.end('reached'));
  });
  after(() => server.close());

  const guarded = createOutboundAgent({ allowPrivate: false });
  after(() => guarded.close());

  const LOOPBACK_URLS = [
    'localhost',
    '127.0.0.1',
    '127.0.0.2',
    '127.12.34.56',
    '0x7f000001',
    '2130706433',
    '0177.0.0.1',
    '127.1',
    '[::1]',
    '[::ffff:127.0.0.1]',
  ];
  for (const host of LOOPBACK_URLS) {
    void test(`http://${host}:PORT/ is refused while private networks are not allowed`, async () => {
      const before = server.requests.length;
      await assert.rejects(
        request(`http://${host}:${server.port}/`, { dispatcher: guarded }),
        (e: unknown) => e instanceof AddressBlockedError && /loopback/.test(e.message),
      );
      assert.equal(server.requests.length, before, 'the server received nothing');
    });
  }

  void test('the refusal says how to allow it', async () => {
    await assert.rejects(
      request(`http://127.0.0.1:${server.port}/`, { dispatcher: guarded }),
      /HOOKFLOW_ALLOW_PRIVATE_NETWORKS=1, or allow_private: true/,
    );
  });

  void test('with private networks allowed the same requests reach the server', async () => {
    const open = createOutboundAgent({ allowPrivate: true });
    try {
      for (const host of ['localhost', '127.0.0.1', '0x7f000001', '2130706433', '127.1']) {
        const res = await request(`http://${host}:${server.port}/`, { dispatcher: open });
        assert.equal(await res.body.text(), 'reached', host);
      }
    } finally {
      await open.close();
    }
  });

  void test('an allowed network is reachable and the rest of loopback is not', async () => {
    const agent = createOutboundAgent({ allowPrivate: false, allowNetworks: ['127.0.0.1'] });
    try {
      const res = await request(`http://127.0.0.1:${server.port}/`, { dispatcher: agent });
      assert.equal(await res.body.text(), 'reached');
      await assert.rejects(
        request(`http://127.0.0.2:${server.port}/`, { dispatcher: agent }),
        AddressBlockedError,
      );
    } finally {
      await agent.close();
    }
  });

  void test('a name resolving to a private address is refused, and resolved once per connection', async () => {
    const lookups: string[] = [];
    const resolve = (name: string): Promise<LookupAddress[]> => {
      lookups.push(name);
      return Promise.resolve([{ address: '10.0.0.7', family: 4 }]);
    };
    const agent = createOutboundAgent({ allowPrivate: false, resolve });
    try {
      await assert.rejects(
        request(`http://intranet.example:${server.port}/`, { dispatcher: agent }),
        (e: unknown) =>
          e instanceof AddressBlockedError &&
          /intranet\.example \(10\.0\.0\.7\) is a private/.test(e.message),
      );
      assert.deepEqual(lookups, ['intranet.example']);
    } finally {
      await agent.close();
    }
  });

  void test('a name is connected to at the address that was checked (no second lookup)', async () => {
    // The resolver answers the loopback server's address; with 127.0.0.1 allowed the socket
    // reaches it, proving node used our answer rather than resolving the name again.
    let calls = 0;
    const agent = createOutboundAgent({
      allowPrivate: false,
      allowNetworks: ['127.0.0.1'],
      resolve: () => {
        calls++;
        return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
      },
    });
    try {
      const res = await request(`http://no-such-host.invalid:${server.port}/`, {
        dispatcher: agent,
      });
      assert.equal(await res.body.text(), 'reached');
      assert.equal(calls, 1);
    } finally {
      await agent.close();
    }
  });

  void test('a name with one blocked address among public ones is refused', async () => {
    const agent = createOutboundAgent({
      allowPrivate: false,
      resolve: () =>
        Promise.resolve([
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ]),
    });
    try {
      await assert.rejects(
        request(`http://mixed.example:${server.port}/`, { dispatcher: agent }),
        AddressBlockedError,
      );
    } finally {
      await agent.close();
    }
  });
});
