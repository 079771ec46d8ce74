import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTcpProxy } from './tcp-proxy.js';
import type { TcpProxy } from './tcp-proxy.js';

/** An echo server on loopback: what the proxy forwards to. */
let echo: net.Server;
let echoPort: number;
before(async () => {
  echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoPort = (echo.address() as net.AddressInfo).port;
});
after(() => new Promise<void>((resolve) => echo.close(() => resolve())));

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}
function roundTrip(s: net.Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    s.once('data', (d: Buffer) => resolve(d.toString()));
    s.write(text);
  });
}
/** Resolves with true when the socket is closed by the other side within 1 s. */
function closesSoon(s: net.Socket): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 1_000);
    s.on('error', () => {});
    s.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

void describe('tcp proxy', () => {
  let proxy: TcpProxy;
  before(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
  });
  after(() => proxy.close());

  void it('forwards bytes both ways to the target', async () => {
    const s = await connect(proxy.port);
    assert.equal(await roundTrip(s, 'ping'), 'ping');
    s.destroy();
  });

  void it('cut() closes open connections and refuses new ones; restore() lets them in again', async () => {
    const open = await connect(proxy.port);
    const openCloses = closesSoon(open);
    proxy.cut();
    assert.equal(await openCloses, true);
    assert.equal(proxy.openConnections, 0);

    const during = await connect(proxy.port).catch(() => null);
    if (during) assert.equal(await closesSoon(during), true);

    proxy.restore();
    const later = await connect(proxy.port);
    assert.equal(await roundTrip(later, 'back'), 'back');
    later.destroy();
  });
});
