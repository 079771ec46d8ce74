/**
 * @module cli/exit-codes
 * The exit codes of `hookflow`, which scripts may rely on (documented in docs/cli.md).
 */
export const EXIT = {
  /** Done as asked. */
  ok: 0,
  /** It ran, and the outcome is a failure: a job failed, a document was rejected, a file is invalid. */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
  /** The server could not be reached (not running, wrong --url, timed out). */
  unreachable: 3,
  /** The server refused the token (HOOKFLOW_API_TOKEN missing or wrong). */
  unauthorized: 4,
  /** The job or workflow named does not exist. */
  notFound: 5,
  /** The server answered another error (a 4xx or 5xx other than the above). */
  refused: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
