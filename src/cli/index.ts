/**
 * @module cli
 * `hookflow <command>`: thin commands that parse arguments and call the app.
 * Each returns its exit code; a HookflowError's message is printed as one line.
 */
import { HookflowError } from '../errors.js';
import { serveCommand } from './serve.js';
import { testCommand } from './test-command.js';
import { validateCommand } from './validate.js';

const USAGE = `usage: hookflow <command> [options]

commands:
  serve [--port N] [--host H] [--data DIR] [--workflows DIR] [--connections DIR] [--connectors DIR] [--role all|ingress|worker]
  validate [--strict] FILE|DIR [--connectors DIR] [--connections DIR]
  test FILE --payload JSON_FILE [--header 'K: V']... [--method M] [--path P] [--connectors DIR] [--connections DIR]
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest);
      case 'validate':
        return await validateCommand(rest);
      case 'test':
        return await testCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`hookflow: unknown command '${command}'\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof HookflowError) {
      process.stderr.write(`${err.message}\n`);
      return err.code === 'usage' ? 2 : 1;
    }
    throw err;
  }
}
