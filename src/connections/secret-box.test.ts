import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { createSecretBox, openVault } from './secret-box.js';

const KEY = 'k'.repeat(32);
const OTHER_KEY = 'o'.repeat(32);

void describe('secret box: AES-256-GCM', () => {
  const box = createSecretBox(KEY);

  test('a sealed value opens with the same key and context, and holds no clear text', () => {
    const sealed = box.seal('s3cr3t-token', 'tokens:crm');
    assert.match(sealed, /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    assert.ok(!sealed.includes('s3cr3t'));
    assert.equal(box.open(sealed, 'tokens:crm'), 's3cr3t-token');
  });

  test('sealing twice gives two different values (a fresh IV each time)', () => {
    assert.notEqual(box.seal('x', 'c'), box.seal('x', 'c'));
  });

  test('a value sealed for another context does not open', () => {
    assert.throws(() => box.open(box.seal('x', 'tokens:a'), 'tokens:b'), /does not decrypt/);
  });

  test('a value sealed with another key does not open', () => {
    assert.throws(
      () => createSecretBox(OTHER_KEY).open(box.seal('x', 'c'), 'c'),
      /does not decrypt/,
    );
  });

  test('an altered value does not open', () => {
    const sealed = box.seal('hello', 'c');
    // A character well inside the text: each carries 6 whole bits (the last may be padding).
    const at = sealed.length - 8;
    const altered = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    assert.throws(() => box.open(altered, 'c'));
  });
});

void describe('vault: the key checked at start-up', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hookflow-vault-'));
    store = createStore({ sqliteFile: join(dir, 'hookflow.db') });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without a key nothing can be sealed, with a message saying how to set one', async () => {
    const vault = await openVault(store, null);
    assert.equal(vault.available, false);
    await assert.rejects(
      vault.seal('x', 'c', "connection 'crm' holds a password"),
      (e: unknown) =>
        (e as { code?: string }).code === 'secret_key_missing' &&
        /^connection 'crm' holds a password: .*HOOKFLOW_SECRET_KEY, which is not set; set it \(at least 32 characters/.test(
          (e as Error).message,
        ),
    );
  });

  test('secrets stored with a key, then no key: start-up stops naming HOOKFLOW_SECRET_KEY', async () => {
    await (await openVault(store, KEY)).seal('x', 'c', 'test');
    await assert.rejects(openVault(store, null), (e: unknown) =>
      /^invalid configuration: HOOKFLOW_SECRET_KEY: not set, but the database holds secrets/.test(
        (e as Error).message,
      ),
    );
  });

  test('secrets stored with a key, then another key: start-up stops', async () => {
    await (await openVault(store, KEY)).seal('x', 'c', 'test');
    await assert.rejects(
      openVault(store, OTHER_KEY),
      /HOOKFLOW_SECRET_KEY: is not the key the stored secrets were encrypted with/,
    );
  });

  test('the same key opens what it sealed after a restart', async () => {
    const sealed = await (await openVault(store, KEY)).seal('tok', 'c', 'test');
    assert.equal((await openVault(store, KEY)).open(sealed, 'c'), 'tok');
  });

  test('a key set while nothing was sealed yet stores nothing until the first secret', async () => {
    await openVault(store, KEY);
    assert.equal((await openVault(store, null)).available, false);
  });
});
