import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseWorkflow } from './loader.js';
import { HEAD, onlyProblem, yaml } from './validation-helpers.js';

describe('trigger.webhook.verify', () => {
  test('an unknown scheme is reported at its line with the schemes allowed', () => {
    onlyProblem(
      yaml(...HEAD, '    verify:', '      gitlab: {token: x}'),
      6,
      /unknown key 'gitlab' in trigger\.webhook\.verify \(allowed: basic, header, hmac, github, shopify, stripe, slack, standard-webhooks\)/,
    );
  });

  test("a preset without its secret is reported at the preset's line", () => {
    onlyProblem(
      yaml(...HEAD, '    verify:', '      stripe: {tolerance: 1m}'),
      6,
      "missing required key 'secret' in trigger.webhook.verify.stripe",
    );
  });

  test('hmac checks algorithm and encoding', () => {
    onlyProblem(
      yaml(...HEAD, '    verify:', '      hmac: {header: X-Sig, secret: k, algorithm: md5}'),
      6,
      /trigger\.webhook\.verify\.hmac\.algorithm must be one of sha1, sha256, sha512/,
    );
  });

  test('an empty secret is a problem, not a verifier that accepts everything', () => {
    onlyProblem(
      yaml(...HEAD, '    verify:', '      github: {secret: ""}'),
      6,
      'trigger.webhook.verify.github.secret must not be empty',
    );
  });

  test('a preset dedupes on the provider delivery id unless dedupe is given', async () => {
    const wf = parseWorkflow(yaml(...HEAD, '    verify: {github: {secret: s}}'), 'w.yaml');
    const trigger = wf.trigger as { dedupe?: { render(s: object): Promise<unknown> } };
    const key = await trigger.dedupe?.render({ headers: { 'x-github-delivery': 'd-1' } });
    assert.equal(key, 'd-1');
  });
});
