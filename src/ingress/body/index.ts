/**
 * @module ingress/body
 * Request body decoding for webhooks, and the parsers reused for outbound HTTP responses.
 * Pure functions: bytes and a Content-Type in, `{ body, rawBody }` out, or a HookflowError coded
 * `invalid_body` (400) / `unsupported_media_type` (415).
 *
 * @example
 *   import { decodeBody } from './ingress/body/index.js';
 *   const { body, rawBody } = await decodeBody(buffer, req.headers['content-type'], 'auto');
 */
export { decodeBody, type DecodedBody } from './decode-body.js';
export { bodyKindOf, contentTypeOf, type BodyKind } from './content-type.js';
export { INVALID_BODY, UNSUPPORTED_MEDIA_TYPE } from './errors.js';
export { parseJson } from './parse-json.js';
export { parseForm, type FormFields } from './parse-form.js';
export { parseXml, MAX_XML_DEPTH, type XmlObject, type XmlValue } from './parse-xml.js';
export {
  parseMultipart,
  MAX_MULTIPART_PARTS,
  type MultipartBody,
  type MultipartFile,
} from './parse-multipart.js';
