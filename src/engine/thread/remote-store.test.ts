/**
 * The store contract over the thread seam: a RemoteStore on one end of a MessageChannel, the
 * engine thread's handlers over a real SQLite store on the other. Calls, results and errors
 * cross as the engine thread's messages do (JSON, batched per turn).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { createSqliteStore } from '../../store/sqlite/index.js';
import { runStoreContract } from '../../store/store.contract.js';
import type { Store } from '../../store/types.js';
import { Channel } from './channel.js';
import { RemoteStore, storeHandlers } from './remote-store.js';

runStoreContract('thread-remote (RemoteStore over a channel to a SQLite store)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookflow-remote-store-'));
  const local = createSqliteStore({ file: path.join(dir, 'hookflow.db') });
  const { port1, port2 } = new MessageChannel();
  const engineSide = new Channel(port2, storeHandlers(local));
  const mainSide = new Channel(port1, {});
  const remote = new RemoteStore(() => mainSide);
  // The engine thread opens and closes the real store; RemoteStore's own init/close do nothing.
  const store: Store = Object.assign(Object.create(remote) as Store, {
    init: () => local.init(),
    close: () => local.close(),
  });
  return {
    store,
    cleanup: async () => {
      const closed = new Error('channel closed');
      mainSide.close(closed);
      engineSide.close(closed);
      port1.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
