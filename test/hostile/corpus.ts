/**
 * Reads the hostile input corpus (test/fixtures/hostile/manifest.json) and turns each entry into
 * the bytes that the entry point receives.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/core/config.ts';

export const CORPUS_DIR = path.join(PROJECT_ROOT, 'test/fixtures/hostile');

/** A status, or any of several statuses. */
export type StatusExpectation = number | number[];

export interface TextEntry {
  id: string;
  text?: string;
  repeat?: { unit: string; times: number };
  lang?: 'ko' | 'en';
  /** Model that must be loaded; the entry is skipped without it. */
  needs?: string;
  http?: { status: StatusExpectation; code?: string };
  classifier?: { error?: string; result?: Record<string, unknown> };
}

export interface UploadEntry {
  id: string;
  file?: string;
  content?: string;
  generate?: { bytes?: number; rows?: number };
  contentType: string;
  /** Multipart field name; the body is sent raw without it. */
  multipart?: string;
  fileName?: string;
  noAuth?: boolean;
  expect: { status: StatusExpectation; code?: string; [key: string]: unknown };
}

export interface HttpEntry {
  id: string;
  raw?: string;
  request?: {
    method: string;
    path: string;
    contentType?: string;
    body?: string;
    bodyBase64?: string;
    nested?: number;
    auth?: boolean;
  };
  expect: { status: StatusExpectation; code?: string; notPolluted?: boolean };
}

export interface DiscordEntry {
  id: string;
  kind: 'mention' | 'command' | 'digit-command' | 'digit-mention' | 'button';
  command?: string;
  text?: string;
  content?: string;
  repeat?: { unit: string; times: number };
  file?: string;
  name?: string;
  attachmentType?: string;
  declaredSize?: number;
  customId?: string;
  expect: {
    reply: 'embed' | 'content' | 'any' | 'any-or-none';
    contains?: string;
    title?: string;
    allowedMentionsParse?: string[];
    noDownload?: boolean;
  };
}

export interface Manifest {
  text: TextEntry[];
  images: UploadEntry[];
  datasets: UploadEntry[];
  http: HttpEntry[];
  discord: DiscordEntry[];
}

export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(path.join(CORPUS_DIR, 'manifest.json'), 'utf8')) as Manifest;
}

/** Builds the text of a text or Discord entry. */
export function textOf(entry: { text?: string; repeat?: { unit: string; times: number } }) {
  if (entry.repeat) return entry.repeat.unit.repeat(entry.repeat.times);
  return entry.text ?? '';
}

/** The bytes of an upload entry: a fixture file, inline content or generated content. */
export function bytesOf(entry: UploadEntry): Uint8Array<ArrayBuffer> {
  if (entry.file) return Uint8Array.from(readFileSync(path.join(CORPUS_DIR, entry.file)));
  if (entry.generate?.bytes) return new Uint8Array(entry.generate.bytes).fill(0x41);
  if (entry.generate?.rows) {
    const rows = Array.from(
      { length: entry.generate.rows },
      (_, i) => `generated review ${i} ${i % 2 ? 'loved it' : 'hated it'},${i % 2}`,
    );
    return new TextEncoder().encode(`text,label\n${rows.join('\n')}\n`);
  }
  return new TextEncoder().encode(entry.content ?? '');
}

export function statusMatches(expected: StatusExpectation, actual: number): boolean {
  return Array.isArray(expected) ? expected.includes(actual) : expected === actual;
}
