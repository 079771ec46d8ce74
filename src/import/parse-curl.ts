/**
 * @module import/parse-curl
 * A cURL command line, as API docs print it, read into the request it sends (pure). Shell
 * quoting is undone by `shell-quote`; line continuations (`\` at a line's end), a leading `$ `
 * prompt and anything after a pipe or `;` (`| jq .`) are dropped. A shell variable stays as
 * written (`$TOKEN` → `${TOKEN}`).
 *
 * Options read: `-X/--request`, `-H/--header`, `-d/--data/--data-ascii/--data-raw/--data-binary`,
 * `--data-urlencode`, `--json`, `-u/--user`, `-G/--get`, `-I/--head`, `--url`, `-A/--user-agent`,
 * `-e/--referer`, `-b/--cookie`, `--oauth2-bearer`. Output-only flags (`-s`, `-L`, `-v`, `-k`…)
 * are skipped; anything else is skipped with a note, never guessed at.
 *
 * @example
 *   parseCurl(`curl -u me:pw -H 'Accept: application/json' 'https://api.example/v1/items?page=2'`);
 *   // { method: 'GET', url: 'https://api.example/v1/items', query: [['page', '2']],
 *   //   headers: [['Accept', 'application/json']], user: 'me:pw', data: null, notes: [] }
 */
import { parse } from 'shell-quote';
import { HookflowError } from '../errors.js';

export interface CurlRequest {
  method: string;
  /** The URL without its query string. */
  url: string;
  /** The query string's parameters (decoded, in order), then `-G` data. */
  query: Array<[string, string]>;
  /** Headers as given, in order (names as written). */
  headers: Array<[string, string]>;
  /** `-u user:password` as given. */
  user: string | null;
  /** The body: the `-d` family joined with `&`, or `--json`'s; null when none. */
  data: { text: string; json: boolean } | null;
  /** Options skipped and other things the reader should know. */
  notes: string[];
}

/** Options that take a value and change nothing the step sends (output, timing, TLS files…). */
const SKIPPED_WITH_VALUE = new Set([
  '-o',
  '--output',
  '-m',
  '--max-time',
  '--connect-timeout',
  '-w',
  '--write-out',
  '--retry',
  '--retry-delay',
  '--retry-max-time',
  '-x',
  '--proxy',
  '--cacert',
  '--capath',
  '-E',
  '--cert',
  '--key',
  '-c',
  '--cookie-jar',
  '--resolve',
  '--limit-rate',
  '-T',
  '--upload-file',
  '-F',
  '--form',
  '--form-string',
]);
/** Short flags without a value that may be combined (`-sSL`). */
const SHORT_FLAGS = new Set('sSLvkfiIGn#0123456q'.split(''));
/** Short options that take a value (`-X POST` or `-XPOST`). */
const SHORT_WITH_VALUE = new Set('XHduAebomwxEcTFU'.split(''));

const usage = (message: string) => new HookflowError('invalid_curl', message);

/** Splits the command line into words, the shell's way. */
export function curlWords(command: string): string[] {
  const joined = command
    .replace(/\\\r?\n/g, ' ')
    .trim()
    .replace(/^\$\s+/, ''); // a prompt, as docs print it
  const words: string[] = [];
  for (const entry of parse(joined, (name) => `\${${name}}`)) {
    if (typeof entry === 'string') words.push(entry);
    else if ('pattern' in entry) words.push(entry.pattern);
    else if ('op' in entry) break; // a pipe, `;`, `&&`, a redirection: the rest is another command
    // a comment: nothing follows it on the line
  }
  if (words[0] !== 'curl') {
    throw usage(
      `expected a command starting with curl, got '${words[0] ?? ''}'; paste the whole cURL command`,
    );
  }
  return words.slice(1);
}

export function parseCurl(command: string): CurlRequest {
  const words = curlWords(command);
  const notes: string[] = [];
  let method: string | null = null;
  let url: string | null = null;
  let get = false;
  let head = false;
  let json = false;
  const data: string[] = [];
  const headers: Array<[string, string]> = [];
  let user: string | null = null;

  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let name = word;
    let value: string | undefined;
    const takeValue = (): string => {
      if (value !== undefined) return value;
      const next = words[++i];
      if (next === undefined) throw usage(`${name} needs a value`);
      return next;
    };
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      // `--url=x` is not curl's syntax, but docs write it; the value is all after the first `=`.
      if (eq > 2) {
        name = word.slice(0, eq);
        value = word.slice(eq + 1);
      }
    } else if (word.startsWith('-') && word.length > 1) {
      const flags = word.slice(1);
      // `-sSL`, `-sXPOST`, `-HAccept:…`: flags, then at most one option that takes the rest.
      let j = 0;
      while (j < flags.length && SHORT_FLAGS.has(flags[j]!) && !SHORT_WITH_VALUE.has(flags[j]!)) {
        if (flags[j] === 'G') get = true;
        if (flags[j] === 'I') head = true;
        j++;
      }
      if (j === flags.length) continue;
      name = `-${flags[j]}`;
      if (j + 1 < flags.length) value = flags.slice(j + 1);
    } else {
      if (url === null) url = word;
      else notes.push(`skipped a second URL '${word}'`);
      continue;
    }

    switch (name) {
      case '-X':
      case '--request':
        method = takeValue().toUpperCase();
        break;
      case '-H':
      case '--header': {
        const header = takeValue();
        const colon = header.indexOf(':');
        if (colon <= 0) {
          notes.push(`skipped header '${header}' (not 'Name: value')`);
          break;
        }
        const v = header.slice(colon + 1).trim();
        // `-H 'Name:'` removes a header curl would add: nothing to send.
        if (v !== '') headers.push([header.slice(0, colon).trim(), v]);
        break;
      }
      case '-d':
      case '--data':
      case '--data-ascii':
      case '--data-binary':
        data.push(readData(takeValue(), name, notes, true));
        break;
      case '--data-raw':
        data.push(takeValue());
        break;
      case '--data-urlencode':
        data.push(urlencodeData(takeValue(), notes));
        break;
      case '--json':
        json = true;
        data.push(readData(takeValue(), name, notes, false));
        break;
      case '-u':
      case '--user':
        user = takeValue();
        break;
      case '--oauth2-bearer':
        headers.push(['Authorization', `Bearer ${takeValue()}`]);
        break;
      case '-A':
      case '--user-agent':
        headers.push(['User-Agent', takeValue()]);
        break;
      case '-e':
      case '--referer':
        headers.push(['Referer', takeValue()]);
        break;
      case '-b':
      case '--cookie':
        headers.push(['Cookie', takeValue()]);
        break;
      case '--url':
        url = takeValue();
        break;
      case '-G':
      case '--get':
        get = true;
        break;
      case '-I':
      case '--head':
        head = true;
        break;
      default:
        if (SKIPPED_WITH_VALUE.has(name)) {
          const v = takeValue();
          notes.push(
            name === '-F' || name === '--form'
              ? `skipped ${name} ${v}: multipart forms are not imported; write the body by hand`
              : `skipped ${name} ${v}`,
          );
        } else if (name.startsWith('--')) {
          notes.push(`skipped ${name}`);
        } else if (!SHORT_FLAGS.has(name.slice(1))) {
          notes.push(`skipped ${name}`);
        }
    }
  }

  if (url === null) throw usage('the cURL command has no URL');
  const { base, query } = splitUrl(url);
  const body = data.length > 0 ? data.join('&') : null;
  if (json) {
    setDefault(headers, 'Content-Type', 'application/json');
    setDefault(headers, 'Accept', 'application/json');
  }
  if (get && body !== null) {
    // -G: the data is the query string, and the request a GET.
    query.push(...new URLSearchParams(body));
  }
  const sendsBody = body !== null && !get;
  return {
    method: method ?? (head ? 'HEAD' : sendsBody ? 'POST' : 'GET'),
    url: base,
    query,
    headers,
    user,
    data: sendsBody ? { text: body, json } : null,
    notes,
  };
}

/** `-d @file` reads a file curl's side: not available here. `-d` strips newlines, like curl. */
function readData(value: string, option: string, notes: string[], strip: boolean): string {
  if (value.startsWith('@')) {
    notes.push(`${option} ${value} reads a file; put its content in the step's body`);
    return '';
  }
  return strip && option !== '--data-binary' ? value.replace(/[\r\n]/g, '') : value;
}

/** `--data-urlencode`: `content`, `=content`, `name=content` (`@file` forms are noted). */
function urlencodeData(value: string, notes: string[]): string {
  const eq = value.indexOf('=');
  const at = value.indexOf('@');
  if (at !== -1 && (eq === -1 || at < eq)) {
    notes.push(`--data-urlencode ${value} reads a file; put its content in the step's body`);
    return '';
  }
  if (eq === -1) return encodeURIComponent(value);
  const name = value.slice(0, eq);
  const content = encodeURIComponent(value.slice(eq + 1));
  return name === '' ? content : `${name}=${content}`;
}

function splitUrl(raw: string): { base: string; query: Array<[string, string]> } {
  // curl takes a URL without a scheme as http://.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usage(`'${raw}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usage(`'${raw}' is not an http(s) URL`);
  }
  const query = [...url.searchParams] as Array<[string, string]>;
  url.search = '';
  url.hash = '';
  return { base: url.toString(), query };
}

function setDefault(headers: Array<[string, string]>, name: string, value: string): void {
  if (!headers.some(([n]) => n.toLowerCase() === name.toLowerCase())) headers.push([name, value]);
}
