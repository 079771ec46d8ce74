/**
 * @module ingress/body/errors
 * The error codes body decoding throws. The HTTP layer maps them once:
 * `invalid_body` → 400, `unsupported_media_type` → 415.
 */
import { HookflowError } from '../../errors.js';

export const INVALID_BODY = 'invalid_body';
export const UNSUPPORTED_MEDIA_TYPE = 'unsupported_media_type';

/** `what` names the format, e.g. `JSON`; the message reads "body is not valid JSON: <reason>". */
export function invalidBody(
  what: string,
  reason: string,
  details?: Record<string, unknown>,
): HookflowError {
  return new HookflowError(INVALID_BODY, `body is not valid ${what}: ${reason}`, {
    format: what,
    ...details,
  });
}

export function unsupportedMediaType(
  format: string,
  mediaType: string,
  expected: string,
): HookflowError {
  return new HookflowError(
    UNSUPPORTED_MEDIA_TYPE,
    `this webhook expects a ${format} body (format: ${format}) but the request's Content-Type is ` +
      `${mediaType}; send Content-Type ${expected} (or text/plain), or change the trigger's format`,
    { format, contentType: mediaType },
  );
}
