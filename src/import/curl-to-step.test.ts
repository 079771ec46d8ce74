import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { parseWorkflow } from '../workflow/index.js';
import { parseConnection } from '../connections/index.js';
import { connectionNameFor, importCurl } from './index.js';

const SECRET = 'sk_live_51Habc';

void describe('importCurl', () => {
  test('without credentials: an http step with the absolute URL, query, headers, no connection', () => {
    const out = importCurl(
      `curl 'https://api.acme.io/v1/items?page=2' -H 'Accept: application/json'`,
    );
    assert.equal(out.connection, null);
    assert.deepEqual(out.step, {
      id: 'request',
      http: {
        method: 'GET',
        url: 'https://api.acme.io/v1/items',
        query: { page: '2' },
        headers: { Accept: 'application/json' },
      },
    });
    assert.deepEqual(parse(out.stepYaml), [out.step]);
  });

  test('-u proposes a basic connection reading the user (and a password) from variables; the step names it', () => {
    const out = importCurl(`curl -u ${SECRET}: https://api.stripe.com/v1/charges`);
    assert.deepEqual(out.connection?.document, {
      name: 'stripe',
      type: 'basic',
      base_url: 'https://api.stripe.com',
      user: '${env:STRIPE_USER}',
      password: '',
    });
    assert.equal(out.step.http.connection, 'stripe');
    assert.equal(out.step.http.url, '/v1/charges');
    assert.deepEqual(
      out.env.map((e) => e.name),
      ['STRIPE_USER'],
      'Stripe’s `-u key:` has an empty password, which is no secret',
    );
  });

  test('a bearer token becomes a header connection keeping the scheme; the secret is nowhere', () => {
    const out = importCurl(
      `curl https://api.openai.com/v1/models -H 'Authorization: Bearer ${SECRET}'`,
    );
    assert.deepEqual(out.connection?.document.headers, {
      Authorization: 'Bearer ${env:OPENAI_TOKEN}',
    });
    assert.equal(out.connection?.document.type, 'header');
    assert.ok(!out.stepYaml.includes(SECRET) && !out.connection?.yaml.includes(SECRET));
    assert.equal(out.step.http.headers, undefined);
  });

  test('an API key header and a key query parameter together make a custom connection', () => {
    const out = importCurl(
      `curl 'https://maps.googleapis.com/maps/api/geocode/json?address=Berlin&key=${SECRET}' -H 'X-Api-Key: ${SECRET}' -H 'Idempotency-Key: 42'`,
    );
    assert.equal(out.connection?.name, 'googleapis');
    assert.equal(out.connection?.document.type, 'custom');
    assert.deepEqual(out.connection?.document.headers, {
      'X-Api-Key': '${env:GOOGLEAPIS_API_KEY}',
    });
    assert.deepEqual(out.connection?.document.query, { key: '${env:GOOGLEAPIS_KEY}' });
    assert.deepEqual(out.step.http.query, { address: 'Berlin' });
    assert.deepEqual(out.step.http.headers, { 'Idempotency-Key': '42' }, 'not a credential');
  });

  test('a credential written as a shell variable keeps the variable’s name', () => {
    const out = importCurl(
      `curl https://api.openai.com/v1/models -H "Authorization: Bearer $OPENAI_API_KEY"`,
    );
    assert.deepEqual(out.env, [
      { name: 'OPENAI_API_KEY', holds: 'the Bearer credential of the Authorization header' },
    ]);
  });

  test('a JSON body becomes a YAML object; form data a mapping with body_type form; else raw text', () => {
    const json = importCurl(
      `curl https://x.io/a -H 'Content-Type: application/json' -d '{"a":{"b":[1,2]}}'`,
    );
    assert.deepEqual(json.step.http.body, { a: { b: [1, 2] } });
    assert.equal(json.step.http.body_type, undefined, 'json is the default');
    assert.match(json.stepYaml, /body:\n\s+a:\n\s+b:/);

    const form = importCurl(`curl https://x.io/a -d 'name=Ada+L&tag=a&tag=b'`);
    assert.equal(form.step.http.body_type, 'form');
    assert.deepEqual(form.step.http.body, { name: 'Ada L', tag: ['a', 'b'] });

    const raw = importCurl(`curl https://x.io/a -H 'Content-Type: text/csv' --data-binary 'a,b'`);
    assert.equal(raw.step.http.body_type, 'raw');
    assert.equal(raw.step.http.body, 'a,b');
  });

  test('JSON sent with -d and no content type is sent as JSON, and a note says so', () => {
    const out = importCurl(`curl https://x.io/a -d '{"a":1}'`);
    assert.deepEqual(out.step.http.body, { a: 1 });
    assert.match(out.notes.join('\n'), /sends it as application\/json/);
  });

  test('the step and the connection load as Hookflow documents', () => {
    const out = importCurl(
      `curl -u me:pw 'https://api.acme.io/v1/items?page=2' -H 'Authorization: Token t' --data-raw '{"x":1}'`,
      { id: 'create', connection: 'acme' },
    );
    const conn = parseConnection(out.connection!.yaml, 'acme.yaml', {
      env: { ACME_USER: 'me', ACME_PASSWORD: 'pw', ACME_TOKEN: 't' },
    });
    assert.equal(conn.name, 'acme');
    const wf = parseWorkflow(
      `name: w\ntrigger: {webhook: {path: w}}\nsteps:\n${out.stepYaml.replace(/^/gm, '  ')}`,
      'w.yaml',
      { connections: new Set(['acme']) },
    );
    assert.equal(wf.steps[0]?.id, 'create');
  });

  test('connection names come from the host', () => {
    assert.equal(connectionNameFor('api.stripe.com'), 'stripe');
    assert.equal(connectionNameFor('hooks.slack.com'), 'slack');
    assert.equal(connectionNameFor('api.example.co.uk'), 'example');
    assert.equal(connectionNameFor('127.0.0.1'), 'api');
  });
});
