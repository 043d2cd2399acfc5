/**
 * @module Request parsing and message bookkeeping for the fake Discord REST API: JSON and
 * multipart bodies, the messages the bot creates, and injected failures.
 */
import type { IncomingMessage } from 'node:http';
import { snowflake, type FakeAttachment, type FakeUser, userPayload } from './payloads.ts';

/** A file the bot uploaded with a message (multipart `files[n]`). */
export interface RecordedFile {
  field: string;
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

/** One REST request the bot sent, with the status the fake returned. */
export interface RecordedRequest {
  method: string;
  /** Path after the API version prefix, such as `/interactions/1/abc/callback`. */
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body, or the `payload_json` part of a multipart body. */
  body: Record<string, unknown> | undefined;
  files: RecordedFile[];
  status: number;
  /** JSON body the fake returned, such as the created message. */
  response: unknown;
  /** Date.now() when the request arrived. */
  at: number;
  authorization: string | undefined;
}

/** A failure the fake returns instead of the normal response, for matching requests. */
export interface FailureRule {
  method?: string;
  path: RegExp;
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
  /** How many matching requests fail before the route works again (default 1). */
  times?: number;
}

/** Reads a request body into memory; the fake serves only its own tests, so no cap applies. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses a JSON or multipart/form-data body the way Discord reads message payloads. */
export async function parseBody(
  raw: Buffer,
  contentType: string | undefined,
): Promise<{ body: Record<string, unknown> | undefined; files: RecordedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(raw), {
      headers: { 'content-type': contentType },
    }).formData();
    let body: Record<string, unknown> | undefined;
    const files: RecordedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value) as Record<string, unknown>;
        continue;
      }
      files.push({
        field,
        name: value.name,
        contentType: value.type,
        bytes: new Uint8Array(await value.arrayBuffer()),
      });
    }
    return { body, files };
  }
  return { body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [] };
}

/** Builds the message object Discord returns for a created or edited message. */
export function messageFromBody(
  body: Record<string, unknown>,
  files: RecordedFile[],
  context: { channelId: string; author: FakeUser; origin: string; id?: string },
): Record<string, unknown> {
  const declared = (body.attachments ?? []) as { id: string | number; filename?: string }[];
  const attachments: FakeAttachment[] = files.map((file, index) => {
    const id = snowflake();
    return {
      id,
      filename: declared[index]?.filename ?? file.name,
      size: file.bytes.length,
      content_type: file.contentType,
      url: `${context.origin}/attachments/${id}/${file.name}`,
      proxy_url: `${context.origin}/attachments/${id}/${file.name}`,
    };
  });
  const reference = body.message_reference as Record<string, unknown> | undefined;
  return {
    id: context.id ?? snowflake(),
    type: reference ? 19 : 0,
    channel_id: context.channelId,
    author: userPayload(context.author),
    content: body.content ?? '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments,
    embeds: body.embeds ?? [],
    components: body.components ?? [],
    pinned: false,
    flags: Number(body.flags ?? 0),
    ...(reference ? { message_reference: reference } : {}),
  };
}

/** Discord's JSON error body, such as `{ code: 10062, message: 'Unknown interaction' }`. */
export function apiError(code: number, message: string): Record<string, unknown> {
  return { code, message };
}
