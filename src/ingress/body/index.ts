/**
 * @module ingress/body
 * Request body decoding for webhooks, and the parsers reused for outbound HTTP responses.
 * Pure functions: bytes and a Content-Type in, `{ body, rawBody }` out, or a HookflowError coded
 * `invalid_body` (400) / `body_too_deep` (400) / `unsupported_media_type` (415). Before them,
 * decodeContentEncoding undoes gzip/deflate/br while the body is read.
 *
 * @example
 *   import { decodeBody } from './ingress/body/index.js';
 *   const { body, rawBody } = await decodeBody(buffer, req.headers['content-type'], 'auto');
 */
export { decodeBody, type DecodedBody, type DecodeOptions } from './decode-body.js';
export { decodeContentEncoding, SUPPORTED_ENCODINGS } from './content-encoding.js';
export { BODY_TOO_DEEP, DEFAULT_MAX_DEPTH, MAX_DEPTH_SETTING, jsonDepthOverflow } from './depth.js';
export { bodyKindOf, contentTypeOf, type BodyKind } from './content-type.js';
export { INVALID_BODY, UNSUPPORTED_MEDIA_TYPE } from './errors.js';
export { parseJson } from './parse-json.js';
export { parseForm, type FormFields } from './parse-form.js';
export { parseXml, type XmlObject, type XmlValue } from './parse-xml.js';
export {
  parseMultipart,
  MAX_MULTIPART_PARTS,
  type MultipartBody,
  type MultipartFile,
} from './parse-multipart.js';
