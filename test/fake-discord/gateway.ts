/**
 * @module Fake Discord gateway (API v10, JSON encoding, no compression) over the `ws` package:
 * HELLO, IDENTIFY, READY, heartbeats with ACKs, RESUME with replay of missed events, and
 * dispatches routed to the shard that owns each guild.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { guildCreatePayload, type FakeGuild, type FakeUser, userPayload } from './payloads.ts';

export const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  resume: 6,
  reconnect: 7,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;

/** Gateway intent bits that change what the fake sends. */
const INTENT_MESSAGE_CONTENT = 1 << 15;
/** Application flags that allow the Message Content intent (full or limited). */
const MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19);
/** Events kept per session for replay after a RESUME. */
const MAX_REPLAY_EVENTS = 5000;

/** A frame the client sent, as recorded by the fake. */
export interface GatewayFrame {
  op: number;
  d: unknown;
  sessionId?: string;
  at: number;
}

interface SessionEvent {
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  shard: [number, number];
  intents: number;
  seq: number;
  events: SessionEvent[];
  socket: WebSocket | undefined;
}

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  applicationId: string;
  applicationFlags: number;
  botUser: FakeUser;
  guilds: FakeGuild[];
  /** URL that READY names as `resume_gateway_url`. */
  resumeUrl: () => string;
}

/** Returns the shard that owns `guildId` under Discord's rule `(guild_id >> 22) % shard_count`. */
export function shardForGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

export class FakeGateway {
  readonly frames: GatewayFrame[] = [];
  readonly server = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly listeners = new Set<() => void>();
  private nextSession = 1;

  constructor(private readonly options: GatewayOptions) {
    this.server.on('connection', (socket) => this.accept(socket));
  }

  handleUpgrade(
    request: IncomingMessage,
    socket: import('node:stream').Duplex,
    head: Buffer,
  ): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.server.emit('connection', ws));
  }

  /** Sessions that currently have an open, identified or resumed socket. */
  connectedSessions(): { id: string; shard: [number, number]; intents: number }[] {
    return [...this.sessions.values()]
      .filter((session) => session.socket?.readyState === WebSocket.OPEN)
      .map(({ id, shard, intents }) => ({ id, shard, intents }));
  }

  /** Calls `listener` whenever a frame arrives or a session changes state. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends a dispatch to the session that owns `guildId` (shard 0 for direct messages). Sessions
   * without an open socket keep the event for replay on RESUME.
   */
  dispatch(type: string, data: Record<string, unknown>, guildId?: string): void {
    for (const session of this.sessions.values()) {
      const [shardId, shardCount] = session.shard;
      const owner = guildId ? shardForGuild(guildId, shardCount) : 0;
      if (owner !== shardId) continue;
      this.send(session, type, this.gateContent(session, type, data));
    }
  }

  /** Closes every open socket with `code`; 4000 (unknown error) makes discord.js resume. */
  disconnectAll(code = 4000): void {
    for (const session of this.sessions.values()) {
      session.socket?.close(code, 'closed by the fake gateway');
      session.socket = undefined;
    }
  }

  close(): void {
    for (const client of this.server.clients) client.terminate();
    this.server.close();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private accept(socket: WebSocket): void {
    socket.send(
      JSON.stringify({
        op: OP.hello,
        d: { heartbeat_interval: this.options.heartbeatIntervalMs },
        s: null,
        t: null,
      }),
    );
    let session: Session | undefined;
    socket.on('message', (raw) => {
      let frame: { op: number; d: unknown };
      try {
        frame = JSON.parse(raw.toString()) as { op: number; d: unknown };
      } catch {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      this.frames.push({ op: frame.op, d: frame.d, sessionId: session?.id, at: Date.now() });
      if (frame.op === OP.heartbeat) {
        socket.send(JSON.stringify({ op: OP.heartbeatAck, d: null, s: null, t: null }));
      } else if (frame.op === OP.identify) {
        session = this.identify(socket, frame.d as Record<string, unknown>);
      } else if (frame.op === OP.resume) {
        session = this.resume(socket, frame.d as Record<string, unknown>);
      }
      this.notify();
    });
    socket.on('close', () => {
      if (session && session.socket === socket) session.socket = undefined;
      this.notify();
    });
  }

  private identify(socket: WebSocket, data: Record<string, unknown>): Session | undefined {
    if (data.token !== this.options.token) {
      socket.close(4004, 'Authentication failed.');
      return undefined;
    }
    const intents = Number(data.intents ?? 0);
    if (
      intents & INTENT_MESSAGE_CONTENT &&
      !(this.options.applicationFlags & MESSAGE_CONTENT_FLAGS)
    ) {
      socket.close(4014, 'Disallowed intent(s).');
      return undefined;
    }
    const shard = (Array.isArray(data.shard) ? data.shard : [0, 1]) as [number, number];
    const session: Session = {
      id: `session-${this.nextSession++}`,
      shard,
      intents,
      seq: 0,
      events: [],
      socket,
    };
    this.sessions.set(session.id, session);
    const owned = this.options.guilds.filter(
      (guild) => shardForGuild(guild.id, shard[1]) === shard[0],
    );
    this.send(session, 'READY', {
      v: 10,
      user: { ...userPayload(this.options.botUser), verified: true, mfa_enabled: false },
      guilds: owned.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.options.resumeUrl(),
      shard,
      application: { id: this.options.applicationId, flags: this.options.applicationFlags },
    });
    for (const guild of owned) {
      this.send(session, 'GUILD_CREATE', guildCreatePayload(guild, this.options.botUser));
    }
    return session;
  }

  private resume(socket: WebSocket, data: Record<string, unknown>): Session | undefined {
    const session = this.sessions.get(String(data.session_id));
    if (!session || data.token !== this.options.token) {
      socket.send(JSON.stringify({ op: OP.invalidSession, d: false, s: null, t: null }));
      return undefined;
    }
    session.socket = socket;
    const after = Number(data.seq ?? 0);
    for (const event of session.events) {
      if (event.s > after) socket.send(JSON.stringify({ op: OP.dispatch, ...event }));
    }
    this.send(session, 'RESUMED', {});
    return session;
  }

  private send(session: Session, type: string, data: unknown): void {
    session.seq += 1;
    const event: SessionEvent = { s: session.seq, t: type, d: data };
    session.events.push(event);
    if (session.events.length > MAX_REPLAY_EVENTS) session.events.shift();
    if (session.socket?.readyState === WebSocket.OPEN) {
      session.socket.send(JSON.stringify({ op: OP.dispatch, ...event }));
    }
  }

  /**
   * Empties message content for sessions without the Message Content intent, as Discord does,
   * except in direct messages, messages that mention the bot, and the bot's own messages.
   */
  private gateContent(session: Session, type: string, data: Record<string, unknown>): unknown {
    if (type !== 'MESSAGE_CREATE' || session.intents & INTENT_MESSAGE_CONTENT) return data;
    const botId = this.options.botUser.id;
    const mentions = (data.mentions ?? []) as { id: string }[];
    const author = data.author as { id: string } | undefined;
    const exempt =
      !data.guild_id || author?.id === botId || mentions.some((user) => user.id === botId);
    return exempt ? data : { ...data, content: '', attachments: [], embeds: [], components: [] };
  }
}
