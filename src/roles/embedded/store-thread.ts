/**
 * @module roles/embedded/store-thread
 * Starts the store thread (store-thread-entry.ts), the SQLite file's one writer, and gives the
 * main thread its handle: `call` runs a write there, `openPort` gives a worker thread a port
 * of its own to write through (forwarded-writes.ts says why one writer).
 *
 * If the thread dies (it runs only the store's code, so this is a bug or the machine), waiting
 * writes fail with `store_unavailable` — their callers answer 503, nothing is called stored —
 * and a new thread starts; `onRestart` lets the worker thread take a new port.
 *
 * @example
 *   const writer = await startStoreThread({ data: { store: { sqliteFile }, logLevel }, log });
 *   const store = forwardWrites(createStore({ sqliteFile }), writer.call);
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort , Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { StoreError } from '../../store/index.js';
import { createWriteClient } from './forwarded-writes.js';
import type { WriteCall } from './forwarded-writes.js';
import type { FromStore, StoreThreadData, ToStore } from './messages.js';
import { Pipe } from './pipe.js';
import { relayLog, threadEntry } from './thread-entry.js';

export interface StoreThreadOptions {
  data: StoreThreadData;
  log: Logger;
  /** A new store thread replaced one that died: ports given out before are dead. */
  onRestart?(): void;
  /** How long a new thread waits after one died. Default 1000 ms. */
  restartDelayMs?: number;
}

export interface StoreThread {
  call: WriteCall;
  /** A port for a worker thread: the writes it sends there run on this thread's store. */
  openPort(): MessagePort;
  /** Commits what is queued, closes the store, ends the thread. */
  close(): Promise<void>;
}

// Young generation of the store thread: its garbage is the messages of one turn.
const YOUNG_GENERATION_MB = 4;

export async function startStoreThread(opts: StoreThreadOptions): Promise<StoreThread> {
  let thread!: Worker;
  let pipe!: Pipe<ToStore, FromStore>;
  let closing = false;
  let stopped: (() => void) | null = null;
  const client = createWriteClient((m) => pipe.send(m));

  function spawn(): Promise<void> {
    thread = threadEntry('./store-thread-entry', import.meta.url, {
      workerData: opts.data,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    return new Promise<void>((resolve, reject) => {
      pipe = new Pipe<ToStore, FromStore>(thread, (m) => {
        switch (m.type) {
          case 'ready':
            return resolve();
          case 'failed':
            return reject(new StoreError('store_not_ready', m.message));
          case 'store-result':
            return client.settle(m);
          case 'log':
            return relayLog(opts.log, m.line);
          case 'stopped':
            return stopped?.();
        }
      });
      const current = pipe;
      thread.once('error', (err) => opts.log.error({ err }, 'store thread failed'));
      thread.once('exit', (code) => {
        current.close();
        client.failAll(
          new StoreError('store_unavailable', `the store thread stopped (exit code ${code})`),
        );
        stopped?.();
        reject(new StoreError('store_not_ready', `the store thread stopped (exit code ${code})`));
        if (closing) return;
        opts.log.error({ code }, 'store thread stopped; starting a new one');
        setTimeout(() => {
          spawn().then(
            () => opts.onRestart?.(),
            (err: unknown) => opts.log.error({ err }, 'store thread could not start'),
          );
        }, opts.restartDelayMs ?? 1000).unref();
      });
    });
  }

  await spawn();
  return {
    call: client.call,
    openPort() {
      const { port1, port2 } = new MessageChannel();
      thread.postMessage({ attach: port1 }, [port1]);
      return port2;
    },
    async close() {
      if (closing) return;
      closing = true;
      await new Promise<void>((resolve) => {
        stopped = resolve;
        pipe.send({ type: 'stop' });
      });
      await thread.terminate();
    },
  };
}
