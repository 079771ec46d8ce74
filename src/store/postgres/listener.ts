/**
 * @module store/postgres/listener
 * LISTEN/NOTIFY for one process: one dedicated connection (never a pooled one — a pooler in
 * transaction mode cannot LISTEN) that listens on several channels and comes back by itself
 * when the database drops it. Notifications sent while it was away are lost, so `onReconnect`
 * tells callers to re-check for work they may have missed. `notify` goes through a small pool
 * of its own (sending needs no dedicated connection), the notifications of one event-loop
 * turn in one statement.
 *
 * @example
 *   const listener = createPgListener({ databaseUrl, onReconnect: () => wake() });
 *   listener.listen('hookflow_jobs', (payload) => wake(payload.split(',')));
 *   await listener.connect();
 *   await listener.notify('hookflow_jobs', 'j_01…');
 */
import type pg from 'pg';
import { errorMessage } from '../../errors.js';
import { pgDriver } from './driver.js';
import { storeError } from './errors.js';

export type NotificationHandler = (payload: string) => void;

interface Outgoing {
  channel: string;
  payload: string;
  resolve(): void;
  reject(error: unknown): void;
}

function createNotifyPool(databaseUrl: string): pg.Pool {
  const { Pool } = pgDriver();
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 2,
    connectionTimeoutMillis: 5_000,
    // A notice's transaction writes nothing to keep; waiting for its WAL flush would hold
    // PostgreSQL's notification lock through an fsync, and every NOTIFY behind it (pool.ts).
    options: '-c synchronous_commit=off',
  });
  // An idle connection dropped by the server; the next notify reports the outage.
  pool.on('error', () => {});
  return pool;
}

export interface PgListenerOptions {
  databaseUrl: string;
  /** Called after the connection came back and LISTENs again (not after the first connect). */
  onReconnect?: () => void;
  /** Called once per outage, when the connection is lost; the listener keeps retrying. */
  onDisconnect?: (error: Error) => void;
  /** First retry delay; doubles per failed attempt up to `maxBackoffMs`. Default 100 ms. */
  minBackoffMs?: number;
  /** Default 5,000 ms. */
  maxBackoffMs?: number;
}

export interface PgListener {
  /** Adds a handler for `channel`; LISTENs now when connected, else on (re)connect. */
  listen(channel: string, handler: NotificationHandler): void;
  /** Opens the connection. Resolves once listening; when the database is out of reach it
   * resolves too and keeps retrying in the background (see `connected`). */
  connect(): Promise<void>;
  /** `pg_notify(channel, payload)`; throws StoreError `store_unavailable` when out of reach. */
  notify(channel: string, payload: string): Promise<void>;
  readonly connected: boolean;
  close(): Promise<void>;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function createPgListener(opts: PgListenerOptions): PgListener {
  const minBackoff = opts.minBackoffMs ?? 100;
  const maxBackoff = opts.maxBackoffMs ?? 5_000;
  const handlers = new Map<string, NotificationHandler[]>();
  let client: pg.Client | null = null;
  let connected = false;
  let closed = false;
  let everConnected = false;
  let outageReported = false;
  let backoff = minBackoff;
  let retryTimer: NodeJS.Timeout | null = null;
  let notifyPool: pg.Pool | null = null;
  // Notifications of one event-loop turn go out as one statement (a request_response job
  // sends two: its reply and its finish); they are delivered in the order sent.
  let outbox: Outgoing[] = [];
  let sending: NodeJS.Immediate | null = null;

  function send(): void {
    sending = null;
    const batch = outbox;
    outbox = [];
    notifyPool ??= createNotifyPool(opts.databaseUrl);
    notifyPool
      .query('SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS n (c, p)', [
        batch.map((n) => n.channel),
        batch.map((n) => n.payload),
      ])
      .then(
        () => batch.forEach((n) => n.resolve()),
        (error: unknown) => {
          const channels = [...new Set(batch.map((n) => n.channel))].join(', ');
          const e = storeError(`notify ${channels}`, error);
          batch.forEach((n) => n.reject(e));
        },
      );
  }

  function dispatch(msg: pg.Notification): void {
    for (const handler of handlers.get(msg.channel) ?? []) handler(msg.payload ?? '');
  }

  function lost(error: Error, dead: pg.Client): void {
    if (client !== dead) return;
    client = null;
    connected = false;
    dead.removeAllListeners('notification');
    void dead.end().catch(() => {});
    if (!outageReported) {
      outageReported = true;
      opts.onDisconnect?.(error);
    }
    scheduleRetry();
  }

  function scheduleRetry(): void {
    if (closed || retryTimer !== null) return;
    const delay = backoff;
    backoff = Math.min(backoff * 2, maxBackoff);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void attempt();
    }, delay);
    retryTimer.unref();
  }

  async function attempt(): Promise<void> {
    if (closed || client !== null) return;
    const { Client } = pgDriver();
    const c = new Client({ connectionString: opts.databaseUrl, connectionTimeoutMillis: 5_000 });
    client = c;
    c.on('error', (e) => lost(e, c));
    c.on('end', () => lost(new Error('the listening connection ended'), c));
    c.on('notification', dispatch);
    try {
      await c.connect();
      for (const channel of handlers.keys()) await c.query(`LISTEN ${channel}`);
    } catch (error) {
      lost(error instanceof Error ? error : new Error(errorMessage(error)), c);
      return;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    connected = true;
    backoff = minBackoff;
    outageReported = false;
    const reconnected = everConnected;
    everConnected = true;
    if (reconnected) opts.onReconnect?.();
  }

  // LISTENs for channels added while connected, one after another.
  let listening: Promise<unknown> = Promise.resolve();

  return {
    get connected() {
      return connected;
    },

    listen(channel, handler) {
      if (!CHANNEL_NAME.test(channel)) {
        throw new TypeError(`listen: channel must be a lowercase SQL name, got '${channel}'`);
      }
      const list = handlers.get(channel);
      if (list) {
        list.push(handler);
        return;
      }
      handlers.set(channel, [handler]);
      // A failed LISTEN means the connection is going; the reconnect LISTENs every channel.
      // One query at a time on the client (pg queues overlapping ones, and will refuse them).
      if (connected && client) {
        const c = client;
        listening = listening.then(() => c.query(`LISTEN ${channel}`)).catch(() => {});
      }
    },

    connect: () => attempt(),

    notify(channel, payload) {
      return new Promise<void>((resolve, reject) => {
        outbox.push({ channel, payload, resolve, reject });
        sending ??= setImmediate(send);
      });
    },

    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      if (sending) {
        clearImmediate(sending);
        send();
      }
      const c = client;
      client = null;
      connected = false;
      await Promise.all([c?.end().catch(() => {}), notifyPool?.end().catch(() => {})]);
    },
  };
}
