/**
 * @module A Discord-compatible REST API and gateway on 127.0.0.1 for end-to-end tests of a real
 * discord.js client. Point the client's REST base at `apiBase`; `GET /gateway/bot` returns the
 * fake's own ws:// URL. The fake records every request and gateway frame, enforces the 3-second
 * interaction acknowledgement window and the 15-minute interaction token lifetime, serves
 * attachment downloads, and can inject REST failures such as 429, 10062 and 50027.
 *
 * Typical use:
 *
 *     const fake = await FakeDiscord.start();
 *     // start the bot with DISCORD_API_BASE = fake.apiBase and DISCORD_TOKEN = fake.token
 *     const option = { name: 'text', type: OPTION_TYPE.string, value: 'good' };
 *     const interaction = fake.runCommand('sentiment', [option], { user });
 *     const edit = await fake.waitForRequest((request) => request.method === 'PATCH');
 *     fake.gateway.disconnectAll(4000); // the client resumes and missed events are replayed
 *
 * For long runs, `maxRecords` bounds what the fake keeps in memory.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, type GatewayFrame } from './gateway.ts';
import {
  buttonInteraction,
  chatInputInteraction,
  type CommandOption,
  DISCORD_EPOCH,
  type FakeAttachment,
  type FakeGuild,
  type FakeUser,
  type InteractionContext,
  messagePayload,
  type MessageInput,
  snowflake,
} from './payloads.ts';
import {
  apiError,
  type FailureRule,
  messageFromBody,
  parseBody,
  readBody,
  type RecordedRequest,
} from './rest.ts';

export * from './payloads.ts';
export type { FailureRule, RecordedFile, RecordedRequest } from './rest.ts';
export { shardForGuild, type GatewayFrame } from './gateway.ts';

/** Application flag GATEWAY_MESSAGE_CONTENT: the Message Content intent is enabled. */
export const FLAG_MESSAGE_CONTENT = 1 << 18;
/** Interaction tokens stay valid for 15 minutes after the interaction was created. */
const TOKEN_LIFETIME_MS = 15 * 60_000;
const API_PREFIX = '/api/v10';

export interface FakeDiscordOptions {
  /** Bot token that IDENTIFY and authorised REST calls must carry. */
  token?: string;
  /** HELLO heartbeat interval; short keeps tests fast (default 250 ms). */
  heartbeatIntervalMs?: number;
  /** Application flags sent in READY and GET /applications/@me (default: Message Content). */
  applicationFlags?: number;
  /** Time after dispatch within which an interaction must be acknowledged (default 3000 ms). */
  ackWindowMs?: number;
  /** `shards` in GET /gateway/bot (default 1). */
  recommendedShards?: number;
  /**
   * `max_concurrency` in GET /gateway/bot (default 16, Discord's large-bot value), so that
   * discord.js identifies several shards without its 5-second wait.
   */
  maxConcurrency?: number;
  /**
   * Oldest requests, gateway frames, messages and interactions are dropped past this count each,
   * so long soak runs keep bounded memory (default 100,000).
   */
  maxRecords?: number;
}

interface InteractionState {
  id: string;
  token: string;
  channelId: string;
  createdAt: number;
  dispatchedAt: number;
  acknowledged: boolean;
  original?: Record<string, unknown>;
  /** Message whose component was pressed, for UPDATE_MESSAGE callbacks. */
  sourceMessageId?: string;
}

interface StoredAttachment {
  bytes: Uint8Array;
  contentType: string;
  /** When false the download is sent chunked, without Content-Length. */
  contentLength: boolean;
}

export class FakeDiscord extends EventEmitter {
  readonly token: string;
  readonly botUser: FakeUser = { id: '1100000000000000001', username: 'nunchi', bot: true };
  readonly applicationId = this.botUser.id;
  readonly guild: FakeGuild = {
    id: '1200000000000000001',
    name: 'classroom',
    preferredLocale: 'ko',
    channels: [{ id: '1300000000000000001', name: 'general' }],
  };
  readonly channelId = this.guild.channels[0].id;
  readonly dmChannelId = '1300000000000000099';
  readonly requests: RecordedRequest[] = [];
  /** Paths of attachment downloads, in order. */
  readonly downloads: string[] = [];
  /** Every message the bot created or edited, by id. */
  readonly messages = new Map<string, Record<string, unknown>>();
  /** Application commands registered by the bot, by scope ('global' or a guild id). */
  readonly commands = new Map<string, Record<string, unknown>[]>();
  readonly gateway: FakeGateway;
  apiBase = '';
  origin = '';

  private readonly options: Required<FakeDiscordOptions>;
  private readonly server: Server;
  private readonly interactions = new Map<string, InteractionState>();
  private readonly attachments = new Map<string, StoredAttachment>();
  private readonly failures: FailureRule[] = [];

  private constructor(options: FakeDiscordOptions) {
    super();
    this.setMaxListeners(0);
    this.options = {
      token: options.token ?? 'fake-bot-token-0123456789abcdef',
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 250,
      applicationFlags: options.applicationFlags ?? FLAG_MESSAGE_CONTENT,
      ackWindowMs: options.ackWindowMs ?? 3000,
      recommendedShards: options.recommendedShards ?? 1,
      maxConcurrency: options.maxConcurrency ?? 16,
      maxRecords: options.maxRecords ?? 100_000,
    };
    this.token = this.options.token;
    this.gateway = new FakeGateway({
      token: this.token,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      applicationId: this.applicationId,
      applicationFlags: this.options.applicationFlags,
      botUser: this.botUser,
      guilds: [this.guild],
      resumeUrl: () => this.gatewayUrl,
    });
    this.gateway.onChange(() => this.emit('change'));
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify(apiError(0, String(error))));
      });
    });
    this.server.on('upgrade', (request, socket, head) => {
      this.gateway.handleUpgrade(request, socket, head);
    });
  }

  /** Starts the fake on 127.0.0.1 with an ephemeral port. */
  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.origin = `http://127.0.0.1:${port}`;
    fake.apiBase = `${fake.origin}/api`;
    return fake;
  }

  get gatewayUrl(): string {
    return this.origin.replace('http://', 'ws://') + '/gateway';
  }

  get frames(): GatewayFrame[] {
    return this.gateway.frames;
  }

  async stop(): Promise<void> {
    this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Makes the next matching requests fail with the given status and Discord error body. */
  failNext(rule: FailureRule): void {
    this.failures.push({ times: 1, ...rule });
  }

  /** Resolves when `condition` holds, re-checking on every request and gateway frame. */
  async waitUntil<T>(
    condition: () => T | undefined | false,
    timeoutMs = 5000,
    description = 'condition',
  ): Promise<T> {
    const first = condition();
    if (first) return first;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = condition();
        if (!value) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`fake Discord: timed out after ${timeoutMs} ms waiting for ${description}`),
        );
      }, timeoutMs);
      const poll = setInterval(check, 50);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.off('change', check);
      };
      this.on('change', check);
    });
  }

  /** Resolves with the first recorded request matching `predicate`. */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs = 5000,
    description = 'a matching request',
  ): Promise<RecordedRequest> {
    return this.waitUntil(() => this.requests.find(predicate), timeoutMs, description);
  }

  /** Resolves when `count` gateway sessions are connected and ready. */
  waitForSessions(count = 1, timeoutMs = 10_000): Promise<true> {
    return this.waitUntil(
      () => this.gateway.connectedSessions().length >= count || undefined,
      timeoutMs,
      `${count} connected gateway session(s)`,
    );
  }

  /** Requests that used the interaction token of `interaction` (callback and webhook routes). */
  requestsFor(interaction: Record<string, unknown>): RecordedRequest[] {
    const token = String(interaction.token);
    return this.requests.filter((request) => request.path.includes(`/${token}`));
  }

  /** Returns the interaction's original response as stored, once the bot has created it. */
  originalOf(interaction: Record<string, unknown>): Record<string, unknown> | undefined {
    const id = this.interactions.get(String(interaction.token))?.original?.id;
    return id === undefined ? undefined : this.messages.get(String(id));
  }

  /**
   * Stores bytes that the bot can download from the returned attachment's URL.
   * `contentType: null` leaves `content_type` out of the metadata, and `declaredSize` makes the
   * metadata state a size other than the real one.
   */
  addAttachment(
    filename: string,
    bytes: Uint8Array,
    options: { contentType?: string | null; declaredSize?: number; contentLength?: boolean } = {},
  ): FakeAttachment {
    const id = snowflake();
    const contentType = options.contentType === undefined ? 'image/png' : options.contentType;
    this.attachments.set(id, {
      bytes,
      contentType: contentType ?? 'application/octet-stream',
      contentLength: options.contentLength ?? true,
    });
    const url = `${this.origin}/attachments/${id}/${encodeURIComponent(filename)}`;
    const attachment: FakeAttachment = {
      id,
      filename,
      size: options.declaredSize ?? bytes.length,
      url,
      proxy_url: url,
    };
    if (contentType !== null) attachment.content_type = contentType;
    return attachment;
  }

  /** Dispatches MESSAGE_CREATE in the default guild channel, or as a DM without `guildId`. */
  sendMessage(input: Partial<MessageInput> & { content: string; author: FakeUser }) {
    const guildId = 'guildId' in input ? input.guildId : this.guild.id;
    const payload = messagePayload({
      channelId: guildId ? this.channelId : this.dmChannelId,
      ...input,
      guildId,
    });
    this.gateway.dispatch('MESSAGE_CREATE', payload, guildId);
    return payload;
  }

  /** Dispatches a chat input command interaction and tracks its token. */
  runCommand(
    name: string,
    options: CommandOption[],
    context: Partial<InteractionContext> & { user: FakeUser },
    attachments: FakeAttachment[] = [],
  ): Record<string, unknown> {
    const full = this.interactionContext(context);
    const registered = [...this.commands.values()].flat().find((command) => command.name === name);
    const commandId = String(registered?.id ?? snowflake());
    const payload = chatInputInteraction(full, { id: commandId, name, options }, attachments);
    return this.dispatchInteraction(payload, full);
  }

  /** Dispatches a button press on `message`, a message the bot sent. */
  pressButton(
    customId: string,
    message: Record<string, unknown>,
    context: Partial<InteractionContext> & { user: FakeUser },
  ): Record<string, unknown> {
    const full = this.interactionContext(context);
    const payload = buttonInteraction(full, customId, message);
    return this.dispatchInteraction(payload, full, String(message.id));
  }

  private interactionContext(
    context: Partial<InteractionContext> & { user: FakeUser },
  ): InteractionContext {
    const guildId = 'guildId' in context ? context.guildId : this.guild.id;
    return {
      applicationId: this.applicationId,
      channelId: guildId ? this.channelId : this.dmChannelId,
      ...context,
      guildId,
    };
  }

  private dispatchInteraction(
    payload: Record<string, unknown>,
    context: InteractionContext,
    sourceMessageId?: string,
  ): Record<string, unknown> {
    const id = String(payload.id);
    this.interactions.set(String(payload.token), {
      id,
      token: String(payload.token),
      channelId: context.channelId,
      createdAt: Number((BigInt(id) >> 22n) + DISCORD_EPOCH),
      dispatchedAt: Date.now(),
      acknowledged: false,
      sourceMessageId,
    });
    this.gateway.dispatch('INTERACTION_CREATE', payload, context.guildId);
    return payload;
  }

  private record(request: RecordedRequest): void {
    this.requests.push(request);
    const limit = this.options.maxRecords;
    if (this.requests.length > limit) this.requests.shift();
    if (this.gateway.frames.length > limit) this.gateway.frames.shift();
    for (const map of [this.messages, this.interactions] as Map<string, unknown>[]) {
      if (map.size > limit) map.delete(map.keys().next().value as string);
    }
    this.emit('request', request);
    this.emit('change');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    if (url.pathname.startsWith('/attachments/')) {
      this.serveAttachment(url.pathname, response);
      return;
    }
    const raw = await readBody(request);
    const { body, files } = await parseBody(raw, request.headers['content-type']);
    const method = request.method ?? 'GET';
    const pathname = decodeURIComponent(url.pathname);
    const path = pathname.startsWith(API_PREFIX) ? pathname.slice(API_PREFIX.length) : pathname;
    const recorded: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      body,
      files,
      status: 0,
      response: undefined,
      at: Date.now(),
      authorization: request.headers.authorization,
    };
    const answer = this.injectedFailure(method, path) ?? this.route(recorded);
    recorded.status = answer.status;
    recorded.response = answer.body;
    this.record(recorded);
    const headers: Record<string, string> = { ...answer.headers };
    if (answer.body !== undefined) headers['content-type'] = 'application/json';
    response.writeHead(answer.status, headers);
    response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private serveAttachment(pathname: string, response: ServerResponse): void {
    this.downloads.push(pathname);
    this.emit('change');
    const id = pathname.split('/')[2];
    const stored = this.attachments.get(id);
    if (!stored) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    const headers: Record<string, string | number> = { 'content-type': stored.contentType };
    if (stored.contentLength) headers['content-length'] = stored.bytes.length;
    response.writeHead(200, headers);
    response.end(Buffer.from(stored.bytes));
  }

  private injectedFailure(method: string, path: string): Answer | undefined {
    const index = this.failures.findIndex(
      (rule) => (!rule.method || rule.method === method) && rule.path.test(path),
    );
    if (index < 0) return undefined;
    const rule = this.failures[index];
    rule.times = (rule.times ?? 1) - 1;
    if (rule.times <= 0) this.failures.splice(index, 1);
    return { status: rule.status, body: rule.body, headers: rule.headers };
  }

  private route(request: RecordedRequest): Answer {
    const { method, path } = request;
    const authorised = request.authorization === `Bot ${this.token}`;
    let match: RegExpMatchArray | null;

    if ((match = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/)) && method === 'POST') {
      return this.interactionCallback(match[2], request);
    }
    if ((match = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/))) {
      const messageId = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
      return this.webhook(match[2], messageId, request);
    }
    if (!authorised) return { status: 401, body: apiError(0, '401: Unauthorized') };

    if (path === '/gateway/bot' && method === 'GET') {
      return {
        status: 200,
        body: {
          url: this.gatewayUrl,
          shards: this.options.recommendedShards,
          session_start_limit: {
            total: 1000,
            remaining: 999,
            reset_after: 86_400_000,
            max_concurrency: this.options.maxConcurrency,
          },
        },
      };
    }
    if (path === '/applications/@me' && method === 'GET') {
      return {
        status: 200,
        body: {
          id: this.applicationId,
          name: this.botUser.username,
          flags: this.options.applicationFlags,
          bot_public: false,
          bot_require_code_grant: false,
          verify_key: '0',
          description: '',
        },
      };
    }
    if ((match = path.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
      if (method !== 'PUT')
        return { status: 200, body: this.commands.get(match[2] ?? 'global') ?? [] };
      const registered = ((request.body ?? []) as unknown as Record<string, unknown>[]).map(
        (command) => ({
          ...command,
          id: snowflake(),
          application_id: this.applicationId,
          version: snowflake(),
        }),
      );
      this.commands.set(match[2] ?? 'global', registered);
      return { status: 200, body: registered };
    }
    if ((match = path.match(/^\/channels\/(\d+)\/messages$/)) && method === 'POST') {
      const message = this.createMessage(match[1], request);
      return { status: 200, body: message };
    }
    if ((match = path.match(/^\/channels\/(\d+)$/)) && method === 'GET') {
      return { status: 200, body: this.channelPayload(match[1]) };
    }
    if (path === '/users/@me/channels' && method === 'POST') {
      return { status: 200, body: this.channelPayload(this.dmChannelId) };
    }
    return { status: 404, body: apiError(0, '404: Not Found') };
  }

  private channelPayload(channelId: string): Record<string, unknown> {
    const inGuild = this.guild.channels.find((channel) => channel.id === channelId);
    return inGuild
      ? { id: channelId, type: 0, guild_id: this.guild.id, name: inGuild.name, position: 0 }
      : { id: channelId, type: 1, recipients: [] };
  }

  private createMessage(channelId: string, request: RecordedRequest, id?: string) {
    const message = messageFromBody(request.body ?? {}, request.files, {
      channelId,
      author: this.botUser,
      origin: this.origin,
      id,
    });
    this.messages.set(String(message.id), message);
    return message;
  }

  private interactionCallback(token: string, request: RecordedRequest): Answer {
    const state = this.interactions.get(token);
    if (!state || Date.now() - state.dispatchedAt > this.options.ackWindowMs) {
      return { status: 404, body: apiError(10062, 'Unknown interaction') };
    }
    if (state.acknowledged) {
      return { status: 400, body: apiError(40060, 'Interaction has already been acknowledged.') };
    }
    state.acknowledged = true;
    const type = Number(request.body?.type);
    const data = (request.body?.data ?? {}) as Record<string, unknown>;
    if (type === 4 || type === 5) {
      // CHANNEL_MESSAGE_WITH_SOURCE creates the original response; a deferral creates a
      // placeholder ("is thinking...") that a later webhook edit fills in.
      state.original = this.createMessage(state.channelId, {
        ...request,
        body: type === 4 ? data : { flags: data.flags },
      });
    } else if (type === 7 && state.sourceMessageId) {
      const previous = this.messages.get(state.sourceMessageId) ?? {};
      const updated = {
        ...previous,
        ...this.createMessage(state.channelId, { ...request, body: data }, state.sourceMessageId),
      };
      this.messages.set(state.sourceMessageId, updated);
    }
    if (request.query.get('with_response') === 'true') {
      return {
        status: 200,
        body: {
          interaction: { id: state.id, type: 2 },
          resource: { type, message: state.original },
        },
      };
    }
    return { status: 204, body: undefined };
  }

  private webhook(token: string, messageId: string | undefined, request: RecordedRequest): Answer {
    const state = this.interactions.get(token);
    if (!state || Date.now() - state.createdAt > TOKEN_LIFETIME_MS) {
      return { status: 401, body: apiError(50027, 'Invalid Webhook Token') };
    }
    if (messageId === undefined) {
      if (request.method !== 'POST')
        return { status: 405, body: apiError(0, '405: Method Not Allowed') };
      return { status: 200, body: this.createMessage(state.channelId, request) };
    }
    const targetId = messageId === '@original' ? String(state.original?.id ?? '') : messageId;
    const existing = this.messages.get(targetId);
    if (!state.acknowledged || !existing) {
      return { status: 404, body: apiError(10008, 'Unknown Message') };
    }
    if (request.method === 'GET') return { status: 200, body: existing };
    if (request.method === 'DELETE') {
      this.messages.delete(targetId);
      return { status: 204, body: undefined };
    }
    const edited = this.createMessage(state.channelId, request, targetId);
    if (messageId === '@original') state.original = edited;
    return { status: 200, body: edited };
  }
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
