/**
 * @module Request body reading with limits counted on the stream itself. The bytes are counted as
 * they are read and reading stops once the limit is passed, so a Content-Length header that
 * claims less than what arrives, or one that is not a number, changes nothing.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { NunchiError } from '../core/errors.ts';

/** Largest JSON request body, in bytes. */
export const MAX_JSON_BYTES = 64 * 1024;
/** Largest uploaded file (image or data set), in bytes. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

function tooLarge(limit: number): NunchiError {
  return new NunchiError(
    'PAYLOAD_TOO_LARGE',
    `Request body is larger than ${limit} bytes; send at most ${limit} bytes`,
    { limitBytes: limit },
  );
}

/**
 * Reads the whole body of `request`, failing as soon as more than `limit` bytes arrive.
 *
 * @throws NunchiError PAYLOAD_TOO_LARGE when the body (or a numeric Content-Length) exceeds it.
 */
export async function readLimitedBody(
  request: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    throw tooLarge(limit);
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** Turns zod issues into one message that names each field and what it expected. */
export function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

/**
 * Reads a JSON body of at most 64 KB and validates it against `schema`.
 *
 * @throws NunchiError BAD_REQUEST naming the field for invalid JSON or a schema mismatch,
 *   PAYLOAD_TOO_LARGE above the limit, UNSUPPORTED_MEDIA_TYPE unless the body is declared JSON.
 */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  // A JSON content type makes a cross-site request from a browser need a CORS preflight, which
  // this app never grants, so a page on another site cannot post a form here as a visitor.
  const contentType = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (contentType !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(contentType)) {
    throw new NunchiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type "${contentType || '(none)'}" is not accepted; send the body as application/json`,
    );
  }
  const bytes = await readLimitedBody(c.req.raw, MAX_JSON_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new NunchiError(
      'BAD_REQUEST',
      'Request body is not valid UTF-8 JSON; send a JSON object with Content-Type application/json',
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') || 'body';
    throw new NunchiError(
      'BAD_REQUEST',
      `Invalid request body. ${describeIssues(parsed.error.issues)}`,
      {
        field,
      },
    );
  }
  return parsed.data;
}

/**
 * Reads an upload of at most 50 MB: the raw body, or the named field of a multipart form.
 *
 * @throws NunchiError BAD_REQUEST when a multipart form lacks the field or the body is empty.
 */
export async function readUpload(
  c: Context,
  field: string,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; contentType: string; fileName?: string }> {
  const contentType = c.req.header('content-type') ?? '';
  const bytes = await readLimitedBody(c.req.raw, MAX_UPLOAD_BYTES);
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    if (bytes.byteLength === 0) {
      throw new NunchiError('BAD_REQUEST', `Request body is empty; send the ${field} as the body`, {
        field,
      });
    }
    return { bytes, contentType: contentType.split(';')[0].trim().toLowerCase() };
  }
  let form: FormData;
  try {
    form = await new Request('http://local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: bytes,
    }).formData();
  } catch {
    throw new NunchiError('BAD_REQUEST', 'Multipart body could not be parsed', { field });
  }
  const part = form.get(field);
  if (part === null) {
    throw new NunchiError('BAD_REQUEST', `Multipart form has no field "${field}"`, { field });
  }
  if (typeof part === 'string') {
    return { bytes: new TextEncoder().encode(part), contentType: 'text/plain' };
  }
  return {
    bytes: new Uint8Array(await part.arrayBuffer()),
    contentType: part.type.toLowerCase(),
    fileName: part.name,
  };
}
