/**
 * @module connections/load-connections
 * Loads a connection file, or every `.yaml`/`.yml`/`.json` file directly in a directory, like
 * workflows: files with problems are left out and every problem is reported as
 * `file:line: message`; a name used by an earlier file is a problem of the later one.
 *
 * @example
 *   const { connections, problems } = loadConnections('connections/');
 */
import type { Env, Problem } from '../workflow/index.js';
import { readFiles } from '../workflow/index.js';
import { ConnectionFileError } from './errors.js';
import { readConnection } from './read-connection.js';
import type { ReadConnectionOptions } from './read-connection.js';
import type { Connection } from './types.js';

export function loadConnections(
  dirOrFile: string,
  opts: { env?: Env } = {},
): { connections: Connection[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const connections: Connection[] = [];
  const seen = new Map<string, string>();
  for (const { file, text } of readFiles(dirOrFile, problems)) {
    const result = readConnection(text, file, { ...opts, fromFile: true });
    problems.push(...result.problems);
    const c = result.connection;
    if (!c) continue;
    const first = seen.get(c.name);
    if (first) {
      problems.push({
        file,
        line: 1,
        message: `duplicate connection name '${c.name}' (already used by ${first})`,
      });
      continue;
    }
    seen.set(c.name, file);
    connections.push(c);
  }
  return { connections, problems };
}

/** Parses one connection document; throws a ConnectionFileError listing every problem. */
export function parseConnection(
  text: string,
  file: string,
  opts: ReadConnectionOptions = {},
): Connection {
  const { connection, problems } = readConnection(text, file, opts);
  if (!connection) throw new ConnectionFileError(problems);
  return connection;
}
