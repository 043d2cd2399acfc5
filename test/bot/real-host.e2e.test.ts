/**
 * End-to-end tests with the real model host: the shipped digit model reads an image sent through
 * the fake Discord gateway, and, when a sentiment model is installed, a review is classified.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.ts';
import { initTf } from '../../src/core/tf.ts';
import { ModelHost } from '../../src/models/host.ts';
import { ModelRegistry } from '../../src/models/registry.ts';
import { createDefaultRuntime } from '../../src/models/runtime.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { OPTION_TYPE } from '../fake-discord/index.ts';
import {
  firstEmbed,
  type Harness,
  newUser,
  startHarness,
  waitForEdit,
  waitForReplyTo,
} from './harness.ts';

const modelsDir = loadConfig({}).modelsDir;
const hasDigitModel =
  existsSync(path.join(modelsDir, 'digits-mlp')) || existsSync(path.join(modelsDir, 'digits-cnn'));
const hasSentimentModel =
  existsSync(path.join(modelsDir, 'sentiment-en')) ||
  existsSync(path.join(modelsDir, 'sentiment-ko'));

/** Renders a hand-drawn-looking 7 (black stroke on white) as PNG. */
async function drawSeven(): Promise<Uint8Array> {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="140" height="140">' +
    '<rect width="140" height="140" fill="white"/>' +
    '<path d="M40 30 L100 30 L60 120" stroke="black" stroke-width="14" fill="none" ' +
    'stroke-linecap="round"/></svg>';
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

describe.skipIf(!hasDigitModel)(
  `bot with the real model host${hasDigitModel ? '' : ' (skipped: no digit model in MODELS_DIR)'}`,
  () => {
    let harness: Harness;
    let host: ModelHost;
    let store: Store;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'nunchi-bot-host-'));
      await initTf('auto');
      store = openStore(dataDir);
      const registry = new ModelRegistry({ modelsDir, dataDir });
      host = new ModelHost({ registry, runtime: createDefaultRuntime() });
      await host.start();
      harness = await startHarness({ classifier: host, store });
    });

    afterAll(async () => {
      await harness?.stop();
      host?.close();
      store?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('reads a drawn 7 sent with /digit', async () => {
      const { fake } = harness;
      const attachment = fake.addAttachment('seven.png', await drawSeven());
      const interaction = fake.runCommand(
        'digit',
        [{ name: 'image', type: OPTION_TYPE.attachment, value: attachment.id }],
        { user: newUser() },
        [attachment],
      );
      const edit = await waitForEdit(fake, interaction, 30_000);
      const embed = firstEmbed(edit);
      expect(embed.title).toMatch(/^(Digit|Number|Not sure)/);
      const candidates = embed.fields?.[0].value ?? '';
      expect(candidates.match(/\*\*\d\*\* \d+%/g)).toHaveLength(3);
      expect(candidates).toContain('**7**');
      expect(edit.files).toHaveLength(1);
      // PNG signature of the model-input image.
      expect(Array.from(edit.files[0].bytes.slice(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    });

    it('lists the loaded digit model in /model', async () => {
      const { fake } = harness;
      const interaction = fake.runCommand('model', [], { user: newUser() });
      const callback = await fake.waitForRequest((request) =>
        request.path.includes(`/${String(interaction.token)}/callback`),
      );
      const data = callback.body?.data as { embeds: { description: string }[] };
      expect(data.embeds[0].description).toMatch(/digits-(mlp|cnn)/);
    });

    it.skipIf(!hasSentimentModel)(
      `classifies a review${hasSentimentModel ? '' : ' (skipped: no sentiment model in MODELS_DIR)'}`,
      async () => {
        const { fake } = harness;
        const message = fake.sendMessage({
          content: `<@${fake.botUser.id}> this movie was wonderful, I loved every minute`,
          author: newUser(),
          mentions: [fake.botUser],
        });
        const reply = await waitForReplyTo(fake, message, 30_000);
        expect(firstEmbed(reply).title).toMatch(/^Sentiment: (Positive|Negative)$/);
      },
    );
  },
);
