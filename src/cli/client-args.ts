/**
 * @module cli/client-args
 * The command line shared by the client commands: their own options plus `--url` and `--json`,
 * parsed strictly (an unknown option is a usage error, exit 2).
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { createApiClient, serverUrl } from './api-client.js';
import type { ApiClient } from './api-client.js';
import type { CliIo } from './output.js';
import { usageError } from './usage.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ClientArgs {
  values: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
  api: ApiClient;
  asJson: boolean;
}

export function parseClientArgs(args: string[], options: Options, io: CliIo): ClientArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...options,
        url: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw usageError(e);
  }
  const values = parsed.values as ClientArgs['values'];
  const { positionals } = parsed;
  const api: ApiClient = createApiClient({
    url: serverUrl(values.url as string | undefined, io.env),
    token: io.env.HOOKFLOW_API_TOKEN || null,
  });
  return { values, positionals, api, asJson: values.json === true };
}
