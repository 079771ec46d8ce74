/**
 * @module metrics/throttle
 * Outbound throttling per connection: how long jobs' requests waited for their connection's
 * turn (a `rate` slot, an upstream's pause), and the pauses upstreams asked for with a 429 or
 * 503 and `Retry-After`. Counted by the worker that sent the requests.
 *
 * @example
 *   const observer = registerThrottleMetrics(metrics.registry);
 *   const throttle = new ConnectionThrottle(store, observer);
 */
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export interface ThrottleMetrics {
  waited(connection: string, ms: number): void;
  paused(connection: string, ms: number, status: number): void;
}

export function registerThrottleMetrics(registry: Registry): ThrottleMetrics {
  const waits = new Histogram({
    name: 'hookflow_connection_throttle_wait_seconds',
    help: "Time each request of a job waited for its connection's turn (rate slot or upstream pause), by connection",
    labelNames: ['connection'],
    buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const pauses = new Counter({
    name: 'hookflow_connection_pauses_total',
    help: 'Pauses of a connection asked for by its upstream (429 or 503 with Retry-After), by connection and status',
    labelNames: ['connection', 'status'],
    registers: [registry],
  });
  const pausedSeconds = new Counter({
    name: 'hookflow_connection_paused_seconds_total',
    help: 'Seconds of pause asked for by upstreams (Retry-After), by connection',
    labelNames: ['connection'],
    registers: [registry],
  });
  return {
    waited(connection, ms) {
      waits.observe({ connection }, ms / 1000);
    },
    paused(connection, ms, status) {
      pauses.inc({ connection, status: String(status) });
      pausedSeconds.inc({ connection }, ms / 1000);
    },
  };
}
