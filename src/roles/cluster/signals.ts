/**
 * @module roles/cluster/signals
 * The notifications of one process: one reconnecting LISTEN connection (store/postgres
 * listener) shared by every concern, typed by channel. `onReconnect` fans out: each concern
 * re-checks what it may have missed while the connection was away.
 *
 * @example
 *   const signals = await openSignals({ databaseUrl, log });
 *   signals.on('hookflow_workflows', (notice) => void catalog.reload());
 *   signals.onReconnect(() => void catalog.reload());
 *   await signals.send('hookflow_workflows', { from: signals.id });
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { createPgListener } from '../../store/index.js';
import { parseNotice } from './messages.js';
import type { Channel, Notices } from './messages.js';

export interface Signals {
  /** This process's id in notices (`from`): a process ignores what it sent itself. */
  readonly id: string;
  on<C extends Channel>(channel: C, handler: (notice: Notices[C]) => void): void;
  onReconnect(fn: () => void): void;
  /** Sends to every process (this one too); a failure is logged, not thrown. */
  send<C extends Channel>(channel: C, notice: Notices[C]): Promise<void>;
  close(): Promise<void>;
}

export interface SignalsOptions {
  databaseUrl: string;
  log: Logger;
  /** false: only sends (a worker thread). Default true. */
  listen?: boolean;
}

export async function openSignals(opts: SignalsOptions): Promise<Signals> {
  const reconnected: Array<() => void> = [];
  const listener = createPgListener({
    databaseUrl: opts.databaseUrl,
    onReconnect() {
      opts.log.info('notifications back; re-checking what may have been missed');
      for (const fn of reconnected) fn();
    },
    onDisconnect: (err) => opts.log.warn({ err }, 'notifications connection lost; retrying'),
  });
  if (opts.listen !== false) await listener.connect();
  return {
    id: randomUUID(),
    on(channel, handler) {
      listener.listen(channel, (payload) => {
        const notice = parseNotice(channel, payload);
        if (notice) handler(notice);
      });
    },
    onReconnect(fn) {
      reconnected.push(fn);
    },
    async send(channel, notice) {
      await listener.notify(channel, JSON.stringify(notice)).catch((err: unknown) => {
        opts.log.warn({ err, channel }, 'could not notify the other processes');
      });
    },
    close: () => listener.close(),
  };
}
