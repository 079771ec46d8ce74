import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  checkBasic,
  checkGithub,
  checkHeader,
  checkHmac,
  checkShopify,
  checkSlack,
  checkStandardWebhooks,
  checkStripe,
  compileVerifier,
  safeEqual,
} from './index.js';
import {
  githubHeaders,
  shopifyHeaders,
  slackHeaders,
  standardWebhooksHeaders,
  stripeHeaders,
} from './testing.js';

const body = '{"id":"evt_1","type":"ping"}';
const raw = Buffer.from(body);
const now = Date.now();
const FIVE_MIN = 300_000;

describe('constant-time comparison', () => {
  test('values of different lengths are unequal, without throwing', () => {
    assert.equal(safeEqual('abc', 'abcd'), false);
    assert.equal(safeEqual('abc', 'abc'), true);
  });
});

describe('basic and header', () => {
  const auth = `Basic ${Buffer.from('hook:pa55').toString('base64')}`;
  test('basic accepts the right user and password only', () => {
    assert.equal(checkBasic({ user: 'hook', password: 'pa55' }, { authorization: auth }), null);
    assert.match(checkBasic({ user: 'hook', password: 'nope' }, { authorization: auth })!, /wrong/);
    assert.match(checkBasic({ user: 'hook', password: 'pa55' }, {})!, /missing/);
  });

  test('header accepts the exact value only', () => {
    const opts = { name: 'x-token', value: 't0k' };
    assert.equal(checkHeader(opts, { 'x-token': 't0k' }), null);
    assert.match(checkHeader(opts, { 'x-token': 't0K' })!, /wrong x-token/);
    assert.match(checkHeader(opts, {})!, /missing x-token/);
  });
});

describe('hmac', () => {
  test('a prefixed hex sha512 digest of the raw body is accepted; another body is not', () => {
    const opts = {
      header: 'x-sig',
      algorithm: 'sha512' as const,
      encoding: 'hex' as const,
      prefix: 'sha512=',
      secret: 'k',
    };
    const sig = `sha512=${createHmac('sha512', 'k').update(raw).digest('hex')}`;
    assert.equal(checkHmac(opts, { 'x-sig': sig }, raw), null);
    assert.match(checkHmac(opts, { 'x-sig': sig }, Buffer.from('{}'))!, /does not match/);
    assert.match(checkHmac(opts, { 'x-sig': sig.slice(7) }, raw)!, /does not start with/);
  });
});

describe('github', () => {
  test('a signature made by @octokit/webhooks-methods is accepted', async () => {
    const headers = await githubHeaders('gh-secret', body);
    assert.equal(checkGithub({ secret: 'gh-secret' }, headers, raw), null);
  });

  test('a signature made with another secret, or none, is refused', async () => {
    const headers = await githubHeaders('other', body);
    assert.match(checkGithub({ secret: 'gh-secret' }, headers, raw)!, /does not match/);
    assert.match(checkGithub({ secret: 'gh-secret' }, {}, raw)!, /missing/);
  });
});

describe('stripe', () => {
  const secret = 'whsec_test_secret';
  test('a header made by stripe.webhooks.generateTestHeaderString is accepted', () => {
    const headers = stripeHeaders(secret, body);
    assert.equal(checkStripe({ secret, toleranceMs: FIVE_MIN }, headers, raw, now), null);
  });

  test('a timestamp older than the tolerance is refused', () => {
    const headers = stripeHeaders(secret, body, Math.floor(now / 1000) - 301);
    assert.match(checkStripe({ secret, toleranceMs: FIVE_MIN }, headers, raw, now)!, /too old/);
  });

  test('a tampered body is refused', () => {
    const headers = stripeHeaders(secret, body);
    const other = Buffer.from(body.replace('ping', 'pong'));
    assert.match(checkStripe({ secret, toleranceMs: FIVE_MIN }, headers, other, now)!, /match/);
  });
});

describe('slack', () => {
  // The example of Slack's "Verifying requests from Slack" page.
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const example =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const documented = {
    'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    'x-slack-request-timestamp': '1531420618',
  };
  const at = 1531420618_000;

  test("Slack's documented example verifies, and the test signer reproduces it", () => {
    const opts = { secret, toleranceMs: FIVE_MIN };
    assert.equal(checkSlack(opts, documented, Buffer.from(example), at + 1000), null);
    assert.deepEqual(slackHeaders(secret, example, 1531420618), documented);
  });

  test('the same request outside the 5-minute window is refused', () => {
    const opts = { secret, toleranceMs: FIVE_MIN };
    assert.match(checkSlack(opts, documented, Buffer.from(example), at + 301_000)!, /window/);
  });
});

describe('shopify', () => {
  // Computed as Shopify's docs show: openssl dgst -sha256 -hmac hush -binary | base64
  const payload = '{"id":820982911946154508,"email":"jon@doe.ca","topic":"orders/create"}';
  const documented = { 'x-shopify-hmac-sha256': 'OfHPdyGVRpofzkzfvW7SxDxY5wwv73uWEW0Wt91citA=' };

  test('a base64 HMAC of the body computed the documented way is accepted', () => {
    assert.equal(checkShopify({ secret: 'hush' }, documented, Buffer.from(payload)), null);
    assert.deepEqual(shopifyHeaders('hush', payload), documented);
  });

  test('a hex digest (the GitHub habit) is refused', () => {
    const hex = createHmac('sha256', 'hush').update(payload).digest('hex');
    const headers = { 'x-shopify-hmac-sha256': hex };
    assert.match(checkShopify({ secret: 'hush' }, headers, Buffer.from(payload))!, /match/);
  });
});

describe('standard-webhooks', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  test('the fixed vector of the standardwebhooks repository verifies', () => {
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const opts = { secret, toleranceMs: FIVE_MIN };
    const payload = Buffer.from('{"test": 2432232314}');
    assert.equal(checkStandardWebhooks(opts, headers, payload, 1614265330_000), null);
  });

  test('a signature made by Webhook.sign is accepted; a replay after the window is not', () => {
    const headers = standardWebhooksHeaders(secret, 'msg_1', body, new Date(now));
    const opts = { secret, toleranceMs: FIVE_MIN };
    assert.equal(checkStandardWebhooks(opts, headers, raw, now), null);
    assert.match(checkStandardWebhooks(opts, headers, raw, now + 301_000)!, /window/);
  });

  test('several signatures: one valid v1 is enough', () => {
    const headers = standardWebhooksHeaders(secret, 'msg_2', body, new Date(now));
    headers['webhook-signature'] = `v1,AAAA ${headers['webhook-signature']}`;
    assert.equal(checkStandardWebhooks({ secret, toleranceMs: FIVE_MIN }, headers, raw, now), null);
  });
});

describe('compiled verifier', () => {
  test('all schemes given must hold; the first failure is the 401 reason', async () => {
    const verify = compileVerifier({
      header: { name: 'x-env', value: 'prod' },
      github: { secret: 's' },
    });
    const signed = await githubHeaders('s', body);
    assert.equal(verify({ ...signed, 'x-env': 'prod' }, raw, now), null);
    const refused = verify(signed, raw, now);
    assert.equal(refused?.status, 401);
    assert.deepEqual(refused?.body, {
      error: { code: 'unauthorized', message: 'missing x-env header' },
    });
  });

  test("slack's signed url_verification is answered with its challenge", () => {
    const challenge = '{"type":"url_verification","challenge":"3eZbrw1aB"}';
    const verify = compileVerifier({ slack: { secret: 'sl', toleranceMs: FIVE_MIN } });
    const answer = verify(slackHeaders('sl', challenge), Buffer.from(challenge), now);
    assert.deepEqual(answer, { status: 200, headers: {}, body: { challenge: '3eZbrw1aB' } });
  });
});
