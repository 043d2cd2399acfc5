/** @module State shared by the bot's event handlers. */
import type { Client } from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../core/config.ts';
import type { Classifier } from '../core/contracts.ts';
import type { Store } from '../store/index.ts';
import type { AnswerCache } from './answers.ts';
import type { Cooldown } from './cooldown.ts';

/** The part of the runtime store the bot uses; any Store satisfies it. */
export type BotStore = Pick<Store, 'recordFeedback' | 'setOptOut' | 'isOptedOut' | 'audit'>;

/** Time and size limits; defaults follow Discord's rules and can be lowered in tests. */
export interface BotLimits {
  /** Interactions older than this get a channel message instead of an edit (14 minutes). */
  editWindowMs: number;
  /** Largest attachment downloaded, in bytes. */
  maxImageBytes: number;
  /** Attachment download timeout, in milliseconds. */
  downloadTimeoutMs: number;
  /**
   * Client-side global REST limit in requests per second (Discord's limit is 50). @discordjs/rest
   * 2.x sends interaction callbacks outside it; a soak test against the fake server may raise it.
   */
  restRequestsPerSecond: number;
}

export interface BotContext {
  client: Client;
  classifier: Classifier;
  store: BotStore;
  config: Config;
  log: Logger;
  cooldown: Cooldown;
  answers: AnswerCache;
  limits: BotLimits;
  /** True when the gateway session requested the Message Content intent. */
  messageContent: boolean;
  /** Set once the missing Message Content intent was explained in the log. */
  intentHintLogged: boolean;
  /** Set by BotHandle.stop, so that the closing gateway is not logged as a reconnect. */
  stopping: boolean;
}
