/**
 * @module Public routes: sentiment, digits, feedback, health and Prometheus metrics.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { DigitAnswer } from '../../core/contracts.ts';
import { readJson, readUpload } from '../body.ts';
import type { AppContext } from '../context.ts';

const sentimentRequest = z.object({
  text: z.string().min(1, 'expected a non-empty string'),
  lang: z.enum(['ko', 'en']).optional(),
});

const label = z.enum(['positive', 'negative']);

/** Serialises a DigitAnswer for JSON: drops each 28x28 input and inlines the PNG as a data URL. */
export function serializeDigitAnswer(answer: DigitAnswer) {
  const { debugImage, digits, ...rest } = answer;
  return {
    ...rest,
    digits: digits.map(({ input: _input, ...reading }) => reading),
    debugImage: debugImage
      ? `data:image/png;base64,${Buffer.from(debugImage).toString('base64')}`
      : null,
  };
}

export function createPublicRoutes(context: AppContext): Hono {
  const { classifier, store, config } = context;
  const feedbackRequest = z.object({
    text: z.string().min(1, 'expected a non-empty string').max(config.MAX_TEXT_CHARS),
    predictedLabel: label,
    correctLabel: label,
    modelName: z.enum(['sentiment-ko', 'sentiment-en']),
    modelVersion: z.string().min(1).max(100),
  });
  const app = new Hono();

  app.post('/api/sentiment', async (c) => {
    const body = await readJson(c, sentimentRequest);
    return c.json(await classifier.classifySentiment(body.text, { lang: body.lang }));
  });

  app.post('/api/digit', async (c) => {
    const upload = await readUpload(c, 'image');
    const answer = await classifier.readDigits(upload.bytes, { debugImage: true });
    return c.json(serializeDigitAnswer(answer));
  });

  app.post('/api/feedback', async (c) => {
    const body = await readJson(c, feedbackRequest);
    const { id } = store.recordFeedback({ ...body, source: 'web' });
    return c.json({ id }, 201);
  });

  app.get('/healthz', (c) =>
    c.json({
      status: 'ok',
      uptimeSeconds: Math.round(process.uptime()),
      models: classifier.describeModels(),
    }),
  );

  app.get('/metrics', (c) =>
    c.body(context.renderMetrics(), 200, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
    }),
  );

  return app;
}
