/**
 * @module store/contract/fixtures
 * Builders shared by the store contract suites: trigger data, events and step records with
 * realistic content, each overridable.
 *
 * @example
 *   await store.acceptEvent(newEvent('orders', { dedupe: { key: 'k', expiresAt: inAnHour() } }));
 */
import { newJobId } from '../job-id.js';
import type { HttpReply } from '../../workflow/types.js';
import type { Claim, NewEvent, StepRecord, Store, TriggerData } from '../types.js';

/** What each contract test gets: the store under test, created and initialised per test. */
export type CurrentStore = () => Store;

export const HOUR_MS = 3_600_000;

/** The worker of most tests, and its claim (a lease no test outlives). */
export const OWNER = 'worker-a';
export const CLAIM: Claim = { owner: OWNER, leaseMs: HOUR_MS };

export function inAnHour(): number {
  return Date.now() + HOUR_MS;
}

export function triggerData(overrides: Partial<TriggerData> = {}): TriggerData {
  return {
    id: 'evt_1',
    method: 'POST',
    path: 'shop/orders',
    params: { shop: 'acme' },
    query: { tag: ['a', 'b'], page: '1' },
    headers: { 'content-type': 'application/json', 'x-request-id': 'r-1' },
    body: { order: 42, items: [{ sku: 'A-1', qty: 2 }], note: 'café ☕' },
    rawBody: '{"order":42,"items":[{"sku":"A-1","qty":2}],"note":"café ☕"}',
    receivedAt: '2025-01-02T03:04:05.678Z',
    ...overrides,
  };
}

export function newEvent(workflow = 'orders', overrides: Partial<NewEvent> = {}): NewEvent {
  const id = overrides.id ?? newJobId();
  return { id, workflow, trigger: triggerData({ id }), ...overrides };
}

export function withKey(key: string, expiresAt = inAnHour()): Pick<NewEvent, 'dedupe'> {
  return { dedupe: { key, expiresAt } };
}

export function stepRecord(seq: number, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    seq,
    id: `step_${seq}`,
    type: 'http',
    status: 'succeeded',
    input: { url: `https://api.example/items/${seq}`, method: 'GET' },
    output: { status: 200, body: { seq } },
    error: null,
    attempts: 1,
    startedAt: '2025-01-02T03:04:06.000Z',
    durationMs: 12,
    waitedMs: 0,
    ...overrides,
  };
}

export const ACK_ANSWER: HttpReply = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: { received: true },
};

/** Accepts `count` events of `workflow` one after the other; returns their ids, oldest first. */
export async function acceptMany(store: Store, count: number, workflow = 'orders') {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = newEvent(workflow);
    await store.acceptEvent(event);
    ids.push(event.id);
  }
  return ids;
}

/** Accepts an event, claims it and finishes it with `status`; returns its id. */
export async function finishedJob(
  store: Store,
  status: 'succeeded' | 'failed',
  workflow = 'orders',
): Promise<string> {
  const event = newEvent(workflow);
  await store.acceptEvent(event);
  await store.claimJob(event.id, CLAIM);
  await store.finishJob(event.id, OWNER, status, status === 'failed' ? 'step_1: HTTP 500' : null);
  return event.id;
}

/** Accepts an event and claims it for {@link OWNER}; returns its id. */
export async function runningJob(store: Store, workflow = 'orders'): Promise<string> {
  const event = newEvent(workflow);
  await store.acceptEvent(event);
  await store.claimJob(event.id, CLAIM);
  return event.id;
}
