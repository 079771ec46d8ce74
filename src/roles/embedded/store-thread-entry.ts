/**
 * @module roles/embedded/store-thread-entry
 * The store thread of the embedded arrangement: the SQLite file's one writer. It runs the
 * writes the main thread and the worker thread hand it (forwarded-writes.ts), in group commits,
 * and nothing else: no HTTP, no steps, no user code — so a commit never waits behind either.
 *
 * The main thread talks to it over the thread's own port; each worker thread gets a port of
 * its own (an `attach` message carrying a MessagePort).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import pino from 'pino';
import { errorMessage } from '../../errors.js';
import { createSqliteStore } from '../../store/sqlite/index.js';
import { serveWrite } from './forwarded-writes.js';
import type { StoreResultMessage, StoreWriteMessage } from './forwarded-writes.js';
import type { FromStore, StoreThreadData, ToStore } from './messages.js';
import { Pipe } from './pipe.js';

const data = workerData as StoreThreadData;
if (!parentPort) throw new Error('store-thread-entry runs as a worker thread');
const main = parentPort;

// Only SQLite's store: the thread loads no more code than it runs.
const store = createSqliteStore({ file: data.store.sqliteFile });
// Writes that arrive before the store is open wait for it.
const opened = store.init();
opened.catch(() => {});

const pipe = new Pipe<FromStore, ToStore>(main, (m) => {
  switch (m.type) {
    case 'store-write':
      return handle(m, (r) => pipe.send(r));
    case 'stop':
      void stop();
      return;
  }
});

const log = pino(
  { level: data.logLevel },
  { write: (line: string) => pipe.send({ type: 'log', line }) },
).child({ thread: 'store' });

const workers = new Set<Pipe<StoreResultMessage, StoreWriteMessage>>();
// A port for a worker thread arrives as a plain message (ports cannot travel inside JSON).
main.on('message', (m: unknown) => {
  const port = (m as { attach?: MessagePort } | null)?.attach;
  if (!port) return;
  const worker: Pipe<StoreResultMessage, StoreWriteMessage> = new Pipe(port, (call) =>
    handle(call, (r) => worker.send(r)),
  );
  workers.add(worker);
  port.once('close', () => {
    worker.close();
    workers.delete(worker);
  });
});

function handle(call: StoreWriteMessage, send: (r: StoreResultMessage) => void): void {
  opened.then(
    () => serveWrite(store, call, send),
    (err: unknown) =>
      send({
        type: 'store-result',
        callId: call.callId,
        ok: false,
        error: { name: 'StoreError', code: 'store_not_ready', message: errorMessage(err) },
      }),
  );
}

async function stop(): Promise<void> {
  try {
    await store.close();
  } catch (err) {
    log.error({ err }, 'the store did not close cleanly');
  }
  for (const worker of workers) worker.flush();
  pipe.send({ type: 'stopped' });
  pipe.flush();
}

opened.then(
  () => pipe.send({ type: 'ready' }),
  (err: unknown) => pipe.send({ type: 'failed', message: errorMessage(err) }),
);
