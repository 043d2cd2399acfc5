// Drawing pad of the demo page: pointer events draw black ink on white (mouse, pen and touch
// alike), the pad is sent as a PNG to POST /api/digit, and the answer shows the digits, the top
// three candidates and the enlarged 28x28 image the model saw.
import { describeError, requestJson } from './api.js';
import { h, replaceChildren, showMessage } from './dom.js';
import { formatPercent, onLanguageChange, t } from './i18n.js';

/** Stroke width in canvas pixels on the 280-pixel pad, close to MNIST's stroke-to-size ratio. */
const STROKE_WIDTH = 18;
/** Pause after the last stroke before the pad is read on its own. */
const AUTO_READ_DELAY_MS = 700;
const INK = '#000000';
const PAPER = '#ffffff';

/** Writes the one-line summary that screen readers announce, in the current language. */
function announceAnswer(answer, status) {
  showMessage(status, `${t('digit.answer')}: ${answer.text} (${t(`digit.kind.${answer.kind}`)})`);
}

function renderCandidates(reading) {
  return h(
    'ol',
    { class: 'candidates', 'aria-label': t('digit.top') },
    reading.top
      .slice(0, 3)
      .map((candidate) =>
        h(
          'li',
          {},
          h('span', { class: 'candidate-digit', text: String(candidate.digit) }),
          h('meter', { min: 0, max: 1, value: candidate.probability, 'aria-hidden': 'true' }),
          h('span', { class: 'candidate-probability', text: formatPercent(candidate.probability) }),
        ),
      ),
  );
}

function renderAnswer(answer, resultElement) {
  const several = answer.digits.length > 1;
  replaceChildren(
    resultElement,
    h(
      'p',
      { class: 'verdict' },
      h('span', { text: `${t('digit.answer')}: ` }),
      h('strong', { class: 'digit-answer', id: 'digit-answer', text: answer.text || '?' }),
      ' ',
      h('span', {
        class: `kind ${answer.kind}`,
        id: 'digit-kind',
        text: t(`digit.kind.${answer.kind}`),
      }),
    ),
    h('h3', { text: t('digit.top') }),
    h(
      'div',
      { class: 'readings' },
      answer.digits.map((reading, index) =>
        h(
          'div',
          { class: 'reading' },
          several ? h('p', { class: 'hint', text: t('digit.position', { n: index + 1 }) }) : null,
          renderCandidates(reading),
        ),
      ),
    ),
    answer.debugImage
      ? h(
          'figure',
          { class: 'model-view' },
          h('img', { id: 'model-view', src: answer.debugImage, alt: t('digit.modelViewAlt') }),
          h('figcaption', { text: t('digit.modelView') }),
        )
      : null,
    h('p', {
      class: 'meta',
      text: `${t('sentiment.model')}: ${answer.model} ${answer.modelVersion}`,
    }),
  );
  resultElement.hidden = false;
}

function canvasPoint(canvas, event) {
  const rect = canvas.getBoundingClientRect();
  return {
    x: ((event.clientX - rect.left) * canvas.width) / rect.width,
    y: ((event.clientY - rect.top) * canvas.height) / rect.height,
  };
}

/** Draws `bitmap` centred on the pad, scaled to fit, on a white background. */
function drawBitmap(context, canvas, bitmap) {
  context.fillStyle = PAPER;
  context.fillRect(0, 0, canvas.width, canvas.height);
  const scale = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
  const width = bitmap.width * scale;
  const height = bitmap.height * scale;
  context.drawImage(
    bitmap,
    (canvas.width - width) / 2,
    (canvas.height - height) / 2,
    width,
    height,
  );
}

/** Wires the drawing pad, its buttons and the image file input of the demo page. */
export function initDigits() {
  const canvas = document.getElementById('pad');
  const context = canvas.getContext('2d');
  const fileInput = document.getElementById('digit-file');
  const elements = {
    status: document.getElementById('digit-status'),
    error: document.getElementById('digit-error'),
    result: document.getElementById('digit-result'),
  };
  let hasInk = false;
  let activePointer;
  let autoRead;
  let inFlight;
  let lastAnswer;

  const clearPad = () => {
    context.fillStyle = PAPER;
    context.fillRect(0, 0, canvas.width, canvas.height);
    hasInk = false;
  };
  clearPad();

  const read = async () => {
    window.clearTimeout(autoRead);
    showMessage(elements.error);
    if (!hasInk) {
      showMessage(elements.status, t('digit.empty'));
      return;
    }
    inFlight?.abort();
    const controller = new window.AbortController();
    inFlight = controller;
    showMessage(elements.status, t('digit.busy'));
    try {
      const image = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
      const answer = await requestJson('/api/digit', {
        method: 'POST',
        body: image,
        contentType: 'image/png',
        signal: controller.signal,
      });
      if (inFlight !== controller) return;
      lastAnswer = answer;
      renderAnswer(answer, elements.result);
      announceAnswer(answer, elements.status);
    } catch (error) {
      if (error?.name === 'AbortError' || inFlight !== controller) return;
      showMessage(elements.status);
      showMessage(elements.error, describeError(error));
    } finally {
      if (inFlight === controller) inFlight = undefined;
    }
  };

  canvas.addEventListener('pointerdown', (event) => {
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    if (activePointer !== undefined) return;
    event.preventDefault();
    window.clearTimeout(autoRead);
    activePointer = event.pointerId;
    try {
      canvas.setPointerCapture(event.pointerId);
    } catch {
      // A pointer that is no longer active cannot be captured, but the stroke still draws.
    }
    const { x, y } = canvasPoint(canvas, event);
    context.strokeStyle = INK;
    context.fillStyle = INK;
    context.lineWidth = STROKE_WIDTH;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.arc(x, y, STROKE_WIDTH / 2, 0, Math.PI * 2);
    context.fill();
    context.beginPath();
    context.moveTo(x, y);
    hasInk = true;
  });

  canvas.addEventListener('pointermove', (event) => {
    if (event.pointerId !== activePointer) return;
    const events = event.getCoalescedEvents?.() ?? [];
    for (const sample of events.length > 0 ? events : [event]) {
      const { x, y } = canvasPoint(canvas, sample);
      context.lineTo(x, y);
    }
    context.stroke();
    const { x, y } = canvasPoint(canvas, event);
    context.beginPath();
    context.moveTo(x, y);
  });

  const endStroke = (event) => {
    if (event.pointerId !== activePointer) return;
    activePointer = undefined;
    window.clearTimeout(autoRead);
    autoRead = window.setTimeout(read, AUTO_READ_DELAY_MS);
  };
  canvas.addEventListener('pointerup', endStroke);
  canvas.addEventListener('pointercancel', endStroke);

  document.getElementById('read').addEventListener('click', read);
  document.getElementById('clear').addEventListener('click', () => {
    window.clearTimeout(autoRead);
    inFlight?.abort();
    inFlight = undefined;
    lastAnswer = undefined;
    clearPad();
    elements.result.hidden = true;
    showMessage(elements.error);
    showMessage(elements.status, t('digit.cleared'));
  });

  fileInput.addEventListener('change', async () => {
    const [file] = fileInput.files;
    if (!file) return;
    showMessage(elements.error);
    try {
      const bitmap = await window.createImageBitmap(file);
      drawBitmap(context, canvas, bitmap);
      bitmap.close();
      hasInk = true;
      await read();
    } catch (error) {
      showMessage(
        elements.error,
        `${t('error.IMAGE_INVALID')} (${file.name}: ${error?.message ?? error})`,
      );
    }
  });

  onLanguageChange(() => {
    if (!lastAnswer || elements.result.hidden) return;
    renderAnswer(lastAnswer, elements.result);
    announceAnswer(lastAnswer, elements.status);
  });
}
