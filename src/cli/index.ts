/**
 * @module cli
 * `hookflow <command>`: thin commands that parse arguments and call the app, or a running
 * server's API. Each returns its exit code (see `exit-codes.ts`); a HookflowError's message is
 * printed as one line.
 */
import { HookflowError } from '../errors.js';
import { ApiError } from './api-client.js';
import { applyCommand } from './apply.js';
import { EXIT } from './exit-codes.js';
import { jobCommand, jobsCommand, rerunCommand } from './jobs-commands.js';
import { listenCommand } from './listen.js';
import { processIo } from './output.js';
import { replayCommand } from './replay-command.js';
import type { CliIo } from './output.js';

const USAGE = `usage: hookflow <command> [options]

commands:
  serve [--port N] [--host H] [--data DIR] [--workflows DIR] [--connections DIR] [--connectors DIR] [--role all|ingress|worker]
  validate [--strict] FILE|DIR [--connectors DIR] [--connections DIR]
  test FILE --payload JSON_FILE [--header 'K: V']... [--method M] [--path P] [--connectors DIR] [--connections DIR]
  import curl '<command>' [--id ID] [--connection NAME] [--json]
                                      a cURL command → an http step (and a connection for its credentials)
  migrate --from DATA_DIR --to postgres://… [--schema NAME] [--history] [--force]
                                      move a SQLite installation to PostgreSQL (servers stopped)

  against a running server (--url URL, else HOOKFLOW_URL, else http://127.0.0.1:8080;
  token from HOOKFLOW_API_TOKEN; --json prints the API's answer):
  apply FILE|DIR...                   create or update workflows and connections
  jobs [--workflow NAME] [--status S] [--match PATH:VALUE]… [--limit N] [--cursor C]
  job ID                              a job's trigger and each step's input and output
  rerun ID [--version original|current] [--wait] [--timeout SECONDS]
  replay [--workflow NAME] [--status S] [--since 2h|ISO] [--until …] [--error TEXT] [--id ID]...
         [--not-replayed] [--version original|current] [--rate N] [--dry-run] [--watch]
                                      replay the jobs that match (default: the failed ones) as new jobs
  replay status ID [--watch]          a replay's progress
  replay cancel ID                    stop a replay
  listen WORKFLOW [--timeout SECONDS] [--run] [--use]
                                      capture the next request to its webhook; --use makes it the example

exit codes: 0 ok, 1 failed (job failed, document rejected), 2 usage, 3 server unreachable,
  4 token refused, 5 not found, 6 other error from the server
`;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Loaded when used: the client commands start without loading the server.
      case 'serve':
        return await (await import('./serve.js')).serveCommand(rest);
      case 'validate':
        return await (await import('./validate.js')).validateCommand(rest);
      case 'test':
        return await (await import('./test-command.js')).testCommand(rest);
      case 'import':
        return await (await import('./import-curl.js')).importCommand(rest, io);
      case 'migrate':
        return await (await import('./migrate.js')).migrateCommand(rest, io);
      case 'apply':
        return await applyCommand(rest, io);
      case 'jobs':
        return await jobsCommand(rest, io);
      case 'job':
        return await jobCommand(rest, io);
      case 'rerun':
        return await rerunCommand(rest, io);
      case 'replay':
        return await replayCommand(rest, io);
      case 'listen':
        return await listenCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        io.err(`hookflow: unknown command '${command}'\n${USAGE}`);
        return EXIT.usage;
    }
  } catch (err) {
    if (err instanceof ApiError) {
      io.err(`hookflow: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof HookflowError) {
      io.err(err.message);
      return err.code === 'usage' ? EXIT.usage : EXIT.failed;
    }
    throw err;
  }
}
