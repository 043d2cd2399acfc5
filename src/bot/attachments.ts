/**
 * @module Image attachment checks and downloads. Discord attachment URLs expire, so the bot
 * downloads them while handling the event, after checking the declared size and content type.
 * The size cap is enforced again on the byte stream, whatever the metadata or headers claim.
 */
import { NunchiError } from '../core/errors.ts';

/** Largest image the bot downloads, in bytes (8 MiB). A digit drawing needs far less. */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
/** A download that takes longer than this is aborted, in milliseconds. */
export const DOWNLOAD_TIMEOUT_MS = 15_000;
/** Content types the digit reader decodes. */
export const IMAGE_CONTENT_TYPES: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
];

const EXTENSION_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** The attachment fields the checks read, as discord.js exposes them. */
export interface AttachmentInfo {
  name: string;
  url: string;
  /** Declared size in bytes. */
  size: number;
  contentType: string | null;
}

/** Returns the attachment's content type, from its metadata or else from its file extension. */
export function attachmentContentType(attachment: AttachmentInfo): string {
  const declared = attachment.contentType?.split(';')[0].trim().toLowerCase();
  if (declared) return declared;
  const extension = attachment.name.split('.').pop()?.toLowerCase() ?? '';
  return EXTENSION_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * Checks the declared content type and size before anything is downloaded.
 *
 * @throws NunchiError IMAGE_UNSUPPORTED for a type outside IMAGE_CONTENT_TYPES, and
 *   IMAGE_TOO_LARGE when the declared size exceeds `maxBytes`.
 */
export function checkImageAttachment(attachment: AttachmentInfo, maxBytes = MAX_IMAGE_BYTES): void {
  const contentType = attachmentContentType(attachment);
  if (!IMAGE_CONTENT_TYPES.includes(contentType)) {
    throw new NunchiError(
      'IMAGE_UNSUPPORTED',
      `Attachment ${attachment.name} has content type ${contentType}; expected one of ${IMAGE_CONTENT_TYPES.join(', ')}`,
      { contentType, name: attachment.name },
    );
  }
  if (attachment.size > maxBytes) {
    throw new NunchiError(
      'IMAGE_TOO_LARGE',
      `Attachment ${attachment.name} is ${attachment.size} bytes; the limit is ${maxBytes}`,
      { bytes: attachment.size, maxBytes },
    );
  }
}

/**
 * Downloads an attachment, reading at most `maxBytes`.
 *
 * @throws NunchiError IMAGE_TOO_LARGE when Content-Length or the received bytes exceed
 *   `maxBytes`, and IMAGE_INVALID when the download fails, times out or returns a non-2xx status.
 */
export async function downloadAttachment(
  url: string,
  options: { maxBytes?: number; timeoutMs?: number } = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_IMAGE_BYTES;
  const protocol = new URL(url).protocol;
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new NunchiError('IMAGE_INVALID', `Attachment URL uses ${protocol}; expected https`, {});
  }
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? DOWNLOAD_TIMEOUT_MS),
    });
  } catch (error) {
    throw new NunchiError(
      'IMAGE_INVALID',
      `Attachment download failed: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new NunchiError('IMAGE_INVALID', `Attachment download returned HTTP ${response.status}`, {
      status: response.status,
    });
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel();
    throw new NunchiError(
      'IMAGE_TOO_LARGE',
      `Attachment is ${declared} bytes; the limit is ${maxBytes}`,
      {
        bytes: declared,
        maxBytes,
      },
    );
  }
  return readCapped(response.body, maxBytes);
}

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel();
        throw new NunchiError(
          'IMAGE_TOO_LARGE',
          `Attachment exceeded ${maxBytes} bytes while downloading`,
          { bytes: received, maxBytes },
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof NunchiError) throw error;
    throw new NunchiError(
      'IMAGE_INVALID',
      `Attachment download failed: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
