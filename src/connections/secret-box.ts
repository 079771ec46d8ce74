/**
 * @module connections/secret-box
 * Secrets at rest: AES-256-GCM with a key derived (scrypt) from `HOOKFLOW_SECRET_KEY`. Each
 * sealed value carries its own random 96-bit IV and its authentication tag, and is bound to
 * what it is for (`tokens:crm`), so a value copied to another row does not open.
 *
 * The first value sealed also stores a check value in the store's meta table. At start-up
 * {@link openVault} opens it: stored secrets with no key, or with another key, stop start-up
 * with one line naming HOOKFLOW_SECRET_KEY, instead of failing later, job by job.
 *
 * @example
 *   const vault = await openVault(store, config.secretKey);
 *   const sealed = await vault.seal(JSON.stringify(tokens), 'tokens:crm'); // 'v1:…'
 *   JSON.parse(vault.open(sealed, 'tokens:crm'));
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { ConfigError, MIN_SECRET_KEY_LENGTH } from '../config/index.js';
import type { Store } from '../store/types.js';
import { ConnectionError } from './errors.js';

const KEY_CHECK_META = 'secrets:key-check';
const KEY_CHECK_TEXT = 'hookflow secret key check';
const SALT = 'hookflow/secret-key/v1';
const PREFIX = 'v1:';

export { MIN_SECRET_KEY_LENGTH };

export interface SecretBox {
  seal(plain: string, context: string): string;
  /** Throws when the value was sealed with another key or for another context. */
  open(sealed: string, context: string): string;
}

/** Derives the AES key once; scrypt makes a guessable passphrase costly to brute-force. */
export function createSecretBox(secretKey: string): SecretBox {
  const key = scryptSync(secretKey, SALT, 32, { N: 1 << 14, r: 8, p: 1 });
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${PREFIX}${iv.toString('base64')}:${tag.toString('base64')}:${data.toString('base64')}`;
    },
    open(sealed, context) {
      const parts = sealed.startsWith(PREFIX) ? sealed.slice(PREFIX.length).split(':') : [];
      const [iv, tag, data] = parts.map((p) => Buffer.from(p, 'base64'));
      if (parts.length !== 3 || !iv || !tag || !data || iv.length !== 12 || tag.length !== 16) {
        throw new ConnectionError(
          'secret_unreadable',
          `the stored ${context} is not a sealed value`,
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      } catch {
        throw new ConnectionError(
          'secret_unreadable',
          `the stored ${context} does not decrypt with HOOKFLOW_SECRET_KEY (another key, or altered data)`,
        );
      }
    },
  };
}

/** Sealing and opening for the whole server, with the key (or its absence) checked. */
export interface Vault {
  /** False when HOOKFLOW_SECRET_KEY is not set: nothing can be sealed. */
  readonly available: boolean;
  /** Throws `secret_key_missing` when no key is set; `why` says what needed it. */
  seal(plain: string, context: string, why: string): Promise<string>;
  open(sealed: string, context: string): string;
}

/**
 * Checks HOOKFLOW_SECRET_KEY against what the store holds: a ConfigError when secrets were
 * sealed before and the key is now missing or another one.
 */
export async function openVault(store: Store, secretKey: string | null): Promise<Vault> {
  const check = await store.getMeta(KEY_CHECK_META);
  if (secretKey === null) {
    if (check !== null) {
      throw new ConfigError(
        'HOOKFLOW_SECRET_KEY',
        'not set, but the database holds secrets encrypted with a key (connections pushed through the API, OAuth2 tokens); set HOOKFLOW_SECRET_KEY to the key they were stored with',
      );
    }
    return {
      available: false,
      seal: async (_plain, _context, why) => {
        throw new ConnectionError(
          'secret_key_missing',
          `${why}: Hookflow stores secrets encrypted with HOOKFLOW_SECRET_KEY, which is not set; set it (at least ${MIN_SECRET_KEY_LENGTH} characters, e.g. from \`openssl rand -base64 32\`) and restart`,
        );
      },
      open: (_sealed, context) => {
        throw new ConnectionError(
          'secret_key_missing',
          `cannot read the stored ${context}: HOOKFLOW_SECRET_KEY is not set`,
        );
      },
    };
  }
  const box = createSecretBox(secretKey);
  if (check !== null) {
    try {
      box.open(check, 'key-check');
    } catch {
      throw new ConfigError(
        'HOOKFLOW_SECRET_KEY',
        'is not the key the stored secrets were encrypted with; set the key they were stored with (a new key cannot read them)',
      );
    }
  }
  let checked = check !== null;
  return {
    available: true,
    async seal(plain, context) {
      if (!checked) {
        await store.setMeta(KEY_CHECK_META, box.seal(KEY_CHECK_TEXT, 'key-check'));
        checked = true;
      }
      return box.seal(plain, context);
    },
    open: (sealed, context) => box.open(sealed, context),
  };
}
