/**
 * @module ingress/body/parse-multipart
 * `multipart/form-data` bytes → `{ fields, files }`, parsed by busboy from the buffered body.
 * Text parts go to `fields` (a repeated name becomes a list, like urlencoded forms); parts with a
 * filename (or typed application/octet-stream) go to `files`, in the order they were sent.
 *
 * @example
 *   await parseMultipart(raw, 'multipart/form-data; boundary=x');
 *   // { fields: { note: 'hi', tag: ['a', 'b'] },
 *   //   files: [{ field: 'doc', name: 'a.pdf', type: 'application/pdf', size: 1234, content: 'JVBERi0…' }] }
 */
import busboy from 'busboy';
import { errorMessage } from '../../errors.js';
import { invalidBody } from './errors.js';
import { collectFields, type FormFields } from './parse-form.js';

export interface MultipartFile {
  /** The form field the file was sent under. */
  field: string;
  /** The file name the sender gave (path stripped); `''` when the part had none. */
  name: string;
  /** The part's Content-Type, e.g. `image/png`. */
  type: string;
  /** Size in bytes. */
  size: number;
  /** The bytes, base64-encoded. */
  content: string;
}

export interface MultipartBody {
  fields: FormFields;
  files: MultipartFile[];
}

/** More parts than this is refused: each part costs an event and an object. */
export const MAX_MULTIPART_PARTS = 1000;

const WHAT = 'multipart/form-data';

/** Throws `invalid_body` for a missing boundary, a malformed body or more than 1000 parts. */
export async function parseMultipart(raw: Buffer, contentType: string): Promise<MultipartBody> {
  // The whole body is already in memory (and bounded by the ingress size limit), so field
  // limits are lifted to its size: busboy would otherwise truncate silently (1 MB, 100-byte names).
  const whole = Math.max(raw.length, 1);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      defParamCharset: 'utf8', // browsers send UTF-8 filenames unescaped
      // busboy emits partsLimit on *reaching* the limit, so one more part means "too many".
      limits: { parts: MAX_MULTIPART_PARTS + 1, fieldSize: whole, fieldNameSize: whole },
    });
  } catch (e) {
    throw invalidBody(WHAT, errorMessage(e));
  }

  return new Promise<MultipartBody>((resolve, reject) => {
    const fieldPairs: Array<[string, string]> = [];
    const files: MultipartFile[] = [];
    let tooManyParts = false;
    const fail = (e: unknown): void => reject(invalidBody(WHAT, errorMessage(e)));

    parser.on('field', (name, value) => fieldPairs.push([name, value]));
    parser.on('file', (field, stream, info) => {
      const file: MultipartFile = {
        field,
        name: info.filename ?? '',
        type: info.mimeType,
        size: 0,
        content: '',
      };
      files.push(file);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const bytes = Buffer.concat(chunks);
        file.size = bytes.length;
        file.content = bytes.toString('base64');
      });
      // A truncated body errors the open file stream too; unhandled, that would crash the process.
      stream.on('error', fail);
    });
    parser.on('partsLimit', () => {
      tooManyParts = true;
    });
    parser.on('error', fail);
    // busboy closes only after every file stream has ended.
    parser.on('close', () => {
      if (tooManyParts) fail(`more than ${MAX_MULTIPART_PARTS} parts`);
      else resolve({ fields: collectFields(fieldPairs), files });
    });
    parser.end(raw);
  });
}
