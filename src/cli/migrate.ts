/**
 * `hookflow migrate --from DATA_DIR|SQLITE_FILE --to postgres://… [--schema NAME] [--history]
 * [--force]`: moves
 * a SQLite installation to PostgreSQL (store/copy-store.ts says what is copied). The target
 * must be empty unless `--force`; a re-run with `--force` after an interrupted move gives the
 * same result as one run. Stop every server on the SQLite file first: events accepted during
 * the copy would stay behind.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openVault } from '../connections/index.js';
import { HookflowError } from '../errors.js';
import { copyStore, createStore, isEmptyStore } from '../store/index.js';
import type { CopySummary, Store } from '../store/index.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './output.js';
import { usageError } from './usage.js';

/** Where the secret key's check is kept (connections/secret-box.ts): secrets were sealed. */
const SEALED_SECRETS_META = 'secrets:key-check';

export async function migrateCommand(args: string[], io: CliIo): Promise<number> {
  const opts = parseMigrateArgs(args, io.env);
  const source = createStore({ sqliteFile: opts.sqliteFile, claimsOwnJobs: false });
  const target = createStore({ databaseUrl: opts.databaseUrl, schema: opts.schema });
  try {
    await source.init();
    const sealed = (await source.getMeta(SEALED_SECRETS_META)) !== null;
    // A key that is set must open the secrets about to be copied (a ConfigError says which).
    const secretKey = io.env['HOOKFLOW_SECRET_KEY'];
    if (sealed && secretKey) await openVault(source, secretKey);
    await target.init();
    if (!opts.force && !(await isEmptyStore(target))) {
      throw new HookflowError(
        'migrate_target_not_empty',
        `hookflow: the PostgreSQL database already holds Hookflow data (workflows, settings or jobs); migrate into an empty database or schema, or pass --force to copy over it (rows of the same name or id are replaced; jobs already there are kept)`,
      );
    }
    io.err(
      `copying ${opts.sqliteFile} to PostgreSQL${opts.history ? ' with its job history' : ''}…`,
    );
    const copied = await copyStore(source, target, {
      history: opts.history,
      onJobs: (n) => {
        if (n > 0 && n % 10_000 < 200) io.err(`  ${n} jobs…`);
      },
    });
    io.out(describeCopy(copied, opts.history));
    if (sealed) {
      io.out(
        'The copied connection secrets and OAuth2 tokens are encrypted with HOOKFLOW_SECRET_KEY: start the PostgreSQL processes with the same key.',
      );
    }
    return EXIT.ok;
  } finally {
    await Promise.allSettled([closeQuietly(source), closeQuietly(target)]);
  }
}

interface MigrateOptions {
  sqliteFile: string;
  databaseUrl: string;
  schema: string;
  history: boolean;
  force: boolean;
}

function parseMigrateArgs(args: string[], env: Record<string, string | undefined>): MigrateOptions {
  let values: { from?: string; to?: string; schema?: string; history?: boolean; force?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        schema: { type: 'string' },
        history: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    throw usageError(e);
  }
  if (values.from === undefined) {
    throw usageError('migrate needs --from DATA_DIR (or the SQLite file, DATA_DIR/hookflow.db)');
  }
  const databaseUrl = values.to ?? env['HOOKFLOW_DATABASE_URL'];
  if (databaseUrl === undefined || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw usageError(
      `migrate needs --to postgres://user:password@host:port/database (or HOOKFLOW_DATABASE_URL), got '${databaseUrl ?? ''}'`,
    );
  }
  return {
    sqliteFile: sqliteFileOf(values.from),
    databaseUrl,
    // The schema the PostgreSQL processes will use (HOOKFLOW_DATABASE_SCHEMA), checked by the store.
    schema: values.schema ?? (env['HOOKFLOW_DATABASE_SCHEMA'] || 'public'),
    history: values.history === true,
    force: values.force === true,
  };
}

/** A data directory's database file, or the file itself; it must exist (never created here). */
function sqliteFileOf(from: string): string {
  const path = resolve(from);
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'hookflow.db') : path;
  if (!existsSync(file)) {
    throw new HookflowError(
      'migrate_source_missing',
      `hookflow: no SQLite database at ${file}; pass --from the data directory a server ran with (--data, HOOKFLOW_DATA_DIR, default .hookflow)`,
    );
  }
  return file;
}

function describeCopy(c: CopySummary, history: boolean): string {
  return [
    'copied:',
    `  ${c.workflows} workflows pushed over the API, ${c.overrides} enable/disable overrides`,
    `  ${c.connections} connections, ${c.tokens} OAuth2 token sets`,
    `  ${c.settings} settings (generated webhook tokens among them: webhook URLs stay the same)`,
    `  ${c.triggerStates} poll/schedule states, ${c.seenItems} seen poll items, ${c.lifecycles} connector trigger records`,
    `  ${c.dedupeKeys} dedupe keys still in their window`,
    `  ${c.jobs} jobs ${history ? '(history and unfinished ones)' : 'left unfinished (queued again); job history stays in the SQLite file (copy it with --history)'}`,
  ].join('\n');
}

async function closeQuietly(store: Store): Promise<void> {
  await store.close().catch(() => {});
}
