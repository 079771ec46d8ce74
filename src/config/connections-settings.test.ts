import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from './index.js';

const load = (env: Record<string, string>) => loadConfig({}, env, '/tmp');

void describe('config: outbound and secret settings', () => {
  test('HOOKFLOW_ALLOW_PRIVATE_NETWORKS is off by default', () => {
    const c = load({});
    assert.equal(c.allowPrivateNetworks, false);
    assert.deepEqual(c.allowedNetworks, []);
  });

  test('HOOKFLOW_ALLOW_PRIVATE_NETWORKS=1 (or true) allows every private network', () => {
    for (const v of ['1', 'true', 'YES'])
      assert.equal(load({ HOOKFLOW_ALLOW_PRIVATE_NETWORKS: v }).allowPrivateNetworks, true);
    assert.equal(load({ HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '0' }).allowPrivateNetworks, false);
  });

  test('HOOKFLOW_ALLOW_PRIVATE_NETWORKS may list addresses and CIDR ranges', () => {
    const c = load({ HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '10.0.0.0/8, 192.168.1.5,fd00::/8' });
    assert.equal(c.allowPrivateNetworks, false);
    assert.deepEqual(c.allowedNetworks, ['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);
  });

  test('a bad HOOKFLOW_ALLOW_PRIVATE_NETWORKS entry is one line naming the setting and the entry', () => {
    assert.throws(
      () => load({ HOOKFLOW_ALLOW_PRIVATE_NETWORKS: '10.0.0.0/8,intranet' }),
      /^ConfigError: invalid configuration: HOOKFLOW_ALLOW_PRIVATE_NETWORKS: .*'intranet' is neither$/,
    );
  });

  test('HOOKFLOW_SECRET_KEY shorter than 32 characters is refused', () => {
    assert.throws(
      () => load({ HOOKFLOW_SECRET_KEY: 'short' }),
      /HOOKFLOW_SECRET_KEY: must be at least 32 characters \(got 5\)/,
    );
    assert.equal(load({ HOOKFLOW_SECRET_KEY: 'x'.repeat(32) }).secretKey, 'x'.repeat(32));
  });

  test('HOOKFLOW_PUBLIC_URL must be an http(s) URL; a trailing slash is dropped', () => {
    assert.equal(
      load({ HOOKFLOW_PUBLIC_URL: 'https://hookflow.example.com/' }).publicUrl,
      'https://hookflow.example.com',
    );
    assert.throws(
      () => load({ HOOKFLOW_PUBLIC_URL: 'hookflow.example.com' }),
      /HOOKFLOW_PUBLIC_URL: expected an absolute http\(s\) URL/,
    );
  });
});
