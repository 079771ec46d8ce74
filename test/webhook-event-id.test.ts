/**
 * The event id (tray's `uniqueWebhookID`) over real HTTP: the expressions of the request
 * (`filter`, `dedupe`, `reply`, `reject`) read it as `id`, the steps as `trigger.id` (= `job.id`),
 * and it is the id the sender is answered with.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const ACK = `
name: ack
trigger:
  webhook:
    path: ack
    delivery: acknowledge
    reply: {body: {event: "{{ id }}"}}
steps: []
`;

const RR = `
name: rr
trigger:
  webhook: {path: rr, delivery: request_response}
steps:
  - reply: {body: {trigger: "{{ trigger.id }}", job: "{{ job.id }}"}}
`;

let srv: TestServer;
before(async () => {
  srv = await startServer([ACK, RR]);
});
after(() => srv.close());

test('a reply expression reads the event id as id: it is the id of the job', async () => {
  const res = await fetch(`${srv.url}/hooks/ack`, { method: 'POST' });
  const { event } = (await res.json()) as { event: string };
  const job = await srv.finishedJob(event);
  assert.equal(job.workflow, 'ack');
});

test('steps read the event id as trigger.id, which is job.id', async () => {
  const res = await fetch(`${srv.url}/hooks/rr`, { method: 'POST' });
  const body = (await res.json()) as { trigger: string; job: string };
  assert.equal(body.trigger, body.job);
  assert.equal((await srv.finishedJob(body.job)).workflow, 'rr');
});
