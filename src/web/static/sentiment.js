// Review box of the demo page: POST /api/sentiment, then the label, the confidence and the top
// words highlighted in the text, with optional feedback through POST /api/feedback.
import { describeError, requestJson } from './api.js';
import { h, replaceChildren, showMessage } from './dom.js';
import { findHighlights, splitText } from './highlight.js';
import { formatNumber, formatPercent, onLanguageChange, t } from './i18n.js';

/** Top words shown in the list below the text. */
const MAX_LISTED_WORDS = 8;

/** Writes the one-line summary that screen readers announce, in the current language. */
function announceResult(result, status) {
  const label = t(`sentiment.${result.label}`);
  showMessage(status, `${label}, ${t('sentiment.confidence')} ${formatPercent(result.confidence)}`);
}

function direction(weight) {
  return weight >= 0 ? 'pos' : 'neg';
}

function signed(weight) {
  return `${weight >= 0 ? '+' : '−'}${formatNumber(Math.abs(weight), 3)}`;
}

function renderHighlightedText(text, topWords) {
  const segments = splitText(text, findHighlights(text, topWords));
  return h(
    'p',
    { class: 'highlighted', lang: '' },
    segments.map((segment) => {
      if (!segment.range) return segment.text;
      const { token, weight } = segment.range;
      const towards = t(weight >= 0 ? 'sentiment.towardPositive' : 'sentiment.towardNegative');
      return h('mark', {
        class: direction(weight),
        title: `${token} ${signed(weight)} (${towards})`,
        text: segment.text,
      });
    }),
  );
}

function renderWordList(topWords) {
  if (topWords.length === 0) return h('p', { class: 'hint', text: t('sentiment.wordsNone') });
  return h(
    'ol',
    { class: 'words' },
    topWords.slice(0, MAX_LISTED_WORDS).map(({ token, weight }) =>
      h(
        'li',
        {},
        h('span', { class: 'token', text: token }),
        ' ',
        h('span', {
          class: `weight ${direction(weight)}`,
          text: `${signed(weight)} ${t(weight >= 0 ? 'sentiment.towardPositive' : 'sentiment.towardNegative')}`,
        }),
      ),
    ),
  );
}

function renderFeedback(text, result, elements) {
  const status = h('span', { class: 'feedback-status', role: 'status' });
  const send = async (correct) => {
    const correctLabel = correct
      ? result.label
      : result.label === 'positive'
        ? 'negative'
        : 'positive';
    for (const button of buttons) button.disabled = true;
    try {
      await requestJson('/api/feedback', {
        method: 'POST',
        body: {
          text,
          predictedLabel: result.label,
          correctLabel,
          modelName: result.model,
          modelVersion: result.modelVersion,
        },
      });
      showMessage(status, t('feedback.thanks'));
    } catch (error) {
      for (const button of buttons) button.disabled = false;
      showMessage(elements.error, describeError(error));
    }
  };
  const buttons = [
    h('button', {
      type: 'button',
      class: 'secondary',
      text: t('feedback.yes'),
      onclick: () => send(true),
    }),
    h('button', {
      type: 'button',
      class: 'secondary',
      text: t('feedback.no'),
      onclick: () => send(false),
    }),
  ];
  return h(
    'div',
    { class: 'feedback' },
    h('span', { text: t('feedback.question') }),
    ' ',
    buttons,
    status,
  );
}

function renderResult(text, result, elements) {
  const label = t(`sentiment.${result.label}`);
  replaceChildren(
    elements.result,
    h(
      'p',
      { class: `verdict ${result.label === 'positive' ? 'pos' : 'neg'}` },
      h('strong', { class: 'label', id: 'sentiment-label', text: label }),
      ' ',
      h('span', {
        id: 'sentiment-confidence',
        text: `${t('sentiment.confidence')} ${formatPercent(result.confidence)}`,
      }),
    ),
    h(
      'p',
      { class: 'meter-row' },
      h('label', { for: 'probability', text: t('sentiment.probability') }),
      ' ',
      h('meter', {
        id: 'probability',
        min: 0,
        max: 1,
        low: 0.5,
        optimum: 1,
        value: result.probabilityPositive,
      }),
      ' ',
      h('span', { text: formatPercent(result.probabilityPositive) }),
    ),
    renderHighlightedText(text, result.topWords),
    h('h3', { text: t('sentiment.words') }),
    renderWordList(result.topWords),
    result.truncated ? h('p', { class: 'note', text: t('sentiment.truncated') }) : null,
    h(
      'p',
      { class: 'meta' },
      `${t('sentiment.model')}: ${result.model} ${result.modelVersion} · `,
      `${t('sentiment.language')}: ${t(`language.${result.language}`)}`,
    ),
    renderFeedback(text, result, elements),
  );
  elements.result.hidden = false;
}

/** Wires the review form of the demo page. */
export function initSentiment() {
  const form = document.getElementById('sentiment-form');
  const textarea = document.getElementById('review');
  const button = document.getElementById('analyze');
  const elements = {
    status: document.getElementById('sentiment-status'),
    error: document.getElementById('sentiment-error'),
    result: document.getElementById('sentiment-result'),
  };
  let last;

  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    showMessage(elements.error);
    if (text === '') {
      showMessage(elements.error, t('error.TEXT_EMPTY'));
      textarea.focus();
      return;
    }
    button.disabled = true;
    showMessage(elements.status, t('sentiment.busy'));
    try {
      const result = await requestJson('/api/sentiment', { method: 'POST', body: { text } });
      last = { text, result };
      renderResult(text, result, elements);
      announceResult(result, elements.status);
    } catch (error) {
      showMessage(elements.status);
      showMessage(elements.error, describeError(error));
    } finally {
      button.disabled = false;
    }
  });

  onLanguageChange(() => {
    if (!last) return;
    renderResult(last.text, last.result, elements);
    announceResult(last.result, elements.status);
  });
}
