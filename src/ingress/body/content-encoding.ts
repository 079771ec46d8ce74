/**
 * @module ingress/body/content-encoding
 * Undoes a request body's `Content-Encoding` while it is read: gzip (`x-gzip`), deflate (the
 * zlib format of RFC 9110) and br; `identity` is nothing to undo. The body limit counts the
 * decoded bytes and stops the decoders when they pass it, so a zip bomb never grows in memory
 * beyond the limit. Everything after this (the trigger's size limit, signature checks, `rawBody`,
 * parsing) sees the decoded bytes: providers sign the payload, not its transfer form.
 *
 * Errors are coded for the HTTP layer: an unknown coding `unsupported_media_type` (415), bytes
 * that do not decode `invalid_body` (400), decoded bytes over the limit `body_too_large` (413).
 *
 * @example
 *   // a Fastify preParsing hook
 *   done(null, decodeContentEncoding(payload, request.headers['content-encoding'], limit));
 */
import { Transform, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { errorMessage, HookflowError } from '../../errors.js';
import { invalidBody, UNSUPPORTED_MEDIA_TYPE } from './errors.js';

const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};
export const SUPPORTED_ENCODINGS = Object.keys(DECODERS);

/** Each decoder holds a window of up to 256 KB: a long list of codings would cost memory. */
const MAX_CODINGS = 2;

/** What Fastify reads the body from; it compares `receivedEncodedLength` with Content-Length. */
type Payload = Readable & { receivedEncodedLength?: number };

/** `payload` itself when there is nothing to decode, else a stream of the decoded bytes. */
export function decodeContentEncoding(
  payload: Payload,
  header: string | string[] | undefined,
  limit: number,
): Payload {
  if (header === undefined) return payload;
  const codings = codingsOf(header);
  if (codings.length === 0) return payload;
  // Codings are listed in the order they were applied: undo them last first.
  const decoders = codings.reverse().map((coding) => DECODERS[coding]!());
  let decodedBytes = 0;
  const decoded: Transform & Payload = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      decodedBytes += chunk.length;
      if (decodedBytes > limit) callback(tooLarge(limit));
      else callback(null, chunk);
    },
  });
  decoded.receivedEncodedLength = 0;
  const stopDecoding = (): void => {
    payload.unpipe();
    for (const decoder of decoders) decoder.destroy();
  };
  // This listener also keeps an error nobody reads (a body Fastify does not parse) from
  // becoming an uncaught exception.
  decoded.on('error', stopDecoding);
  const fail = (e: Error): void => {
    stopDecoding();
    decoded.destroy(e);
  };
  payload.on('data', (chunk: Buffer) => (decoded.receivedEncodedLength! += chunk.length));
  payload.on('error', fail);
  let from: Readable = payload;
  for (const [i, decoder] of decoders.entries()) {
    const coding = codings[i]!;
    decoder.on('error', (e) => fail(invalidBody(`${coding} data`, errorMessage(e))));
    from = from.pipe(decoder);
  }
  from.pipe(decoded);
  return decoded;
}

/** The codings of a Content-Encoding header, lower-cased, `identity` left out. */
function codingsOf(header: string | string[]): string[] {
  const list = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  const unknown = list.find((c) => !Object.hasOwn(DECODERS, c));
  if (unknown !== undefined || list.length > MAX_CODINGS) {
    throw new HookflowError(
      UNSUPPORTED_MEDIA_TYPE,
      unknown !== undefined
        ? `Content-Encoding '${unknown}' is not supported; send the body uncompressed or with ${SUPPORTED_ENCODINGS.join(', ')}`
        : `more than ${MAX_CODINGS} content codings (${list.join(', ')}); apply one`,
      { contentEncoding: list.join(', ') },
    );
  }
  return list;
}

function tooLarge(limit: number): HookflowError {
  return new HookflowError(
    'body_too_large',
    `request body is larger than ${limit} bytes once decoded (Content-Encoding); the limit is HOOKFLOW_MAX_BODY`,
  );
}
