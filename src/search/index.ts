/**
 * @module search
 * Search by payload: the `PATH:VALUE` syntax and what a match means on a job's trigger data.
 * Pure: the stores, the API, the CLI and the workflow loader share it.
 *
 * @example
 *   const matches = parseMatches(['body.order.id:123', 'headers.x-shop:acme']);
 *   matchesTrigger(job.trigger, matches);
 */
export {
  MATCH_ROOTS,
  MAX_MATCHES,
  matchText,
  parseMatch,
  parseMatchPath,
  parseMatches,
} from './parse-match.js';
export type { JobMatch, MatchPath, MatchRoot, MatchValue } from './parse-match.js';
export {
  MAX_TERM_LENGTH,
  acceptedTerms,
  indexable,
  matchNeedles,
  matchesTrigger,
  searchTerms,
} from './match-trigger.js';
export type { SearchTerm } from './match-trigger.js';
