// Live view of one training job on the admin page: reads GET /admin/jobs/:id/events with fetch()
// (so the Authorization header goes along), and draws the loss and accuracy curves as each
// `progress` event arrives. A `state` event with a final state ends the stream.
import { describeError, request, requestJson } from './api.js';
import { drawLineChart } from './chart.js';
import { h, replaceChildren, showMessage } from './dom.js';
import { formatNumber, formatPercent, onLanguageChange, t } from './i18n.js';
import { readEventStream } from './sse.js';

/** Job states after which no more events come. */
export const FINAL_STATES = ['succeeded', 'failed', 'cancelled', 'interrupted'];
/** Reconnections tried when the event stream ends before a final state. */
const MAX_RECONNECTS = 5;
const RECONNECT_DELAY_MS = 1000;
const COLORS = { loss: '#1d4ed8', accuracy: '#0b6b2b', validation: '#b45309' };

function formatSeconds(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '–';
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, '0')}`;
}

/**
 * Returns how far a run is, from 0 to 1, counting `epoch` from 1 and the batches inside it. Returns
 * undefined when the progress names no epoch count, as in loading and saving.
 */
export function overallFraction(progress) {
  if (progress.phase === 'done') return 1;
  if (!(progress.epochs > 0)) return undefined;
  const withinEpoch = progress.batches > 0 ? progress.batch / progress.batches : 0;
  // NOTE: assumes epochs are numbered from 1. A counter from 0 would only shift the curve left.
  const done = Math.max(0, progress.epoch - 1) + withinEpoch;
  return Math.min(1, done / progress.epochs);
}

/**
 * Creates the job view over the elements of the admin page's progress section.
 *
 * @param {{getToken: () => string, onFinished: (job: object) => void,
 *   onPromote: (model: string, version: string) => void}} callbacks
 */
export function createJobView({ getToken, onFinished, onPromote }) {
  const elements = {
    state: document.getElementById('job-state'),
    progress: document.getElementById('job-progress'),
    numbers: document.getElementById('job-numbers'),
    lossChart: document.getElementById('loss-chart'),
    accuracyChart: document.getElementById('accuracy-chart'),
    result: document.getElementById('job-result'),
  };
  let controller;
  let job;
  let progress;
  let lastTraining;
  let series;
  let announced = '';

  const resetSeries = () => {
    series = { loss: [], accuracy: [], validation: [], lastX: 0 };
  };
  resetSeries();

  const announce = (text) => {
    if (text !== announced) showMessage(elements.state, text);
    announced = text;
  };

  const summary = () => {
    if (!job) return t('admin.job.none');
    const state = t(`state.${job.state}`);
    const phase = progress && job.state === 'running' ? ` · ${t(`phase.${progress.phase}`)}` : '';
    const epoch =
      progress?.epochs > 0 && job.state === 'running'
        ? ` ${progress.epoch}/${progress.epochs}`
        : '';
    return `${t('admin.job.summary', { id: job.id, model: job.model, state })}${phase}${epoch}`;
  };

  const renderNumbers = () => {
    // Loading, saving and done reports carry no epoch or metrics, so the last training values stay.
    const phase = job?.state === 'succeeded' ? 'done' : progress?.phase;
    const p = { ...lastTraining, phase, etaSeconds: phase === 'done' ? 0 : progress?.etaSeconds };
    const rows = [
      ['admin.job.phase', p.phase ? t(`phase.${p.phase}`) : '–'],
      ['admin.job.epoch', p.epochs > 0 ? `${p.epoch} / ${p.epochs}` : '–'],
      ['admin.job.batch', p.batches > 0 ? `${p.batch} / ${p.batches}` : '–'],
      ['admin.job.loss', formatNumber(p.loss, 4)],
      ['admin.job.accuracy', formatPercent(p.accuracy)],
      ['admin.job.validationAccuracy', formatPercent(p.validationAccuracy)],
      ['admin.job.eta', formatSeconds(p.etaSeconds)],
    ];
    replaceChildren(
      elements.numbers,
      rows.map(([key, value]) => [
        h('dt', { text: t(key) }),
        h('dd', { 'data-field': key, text: value }),
      ]),
    );
  };

  const chartLabel = (nameKey, points) =>
    points.length === 0
      ? t('admin.job.chartEmpty', { name: t(nameKey) })
      : t('admin.job.chartLabel', { name: t(nameKey), value: formatNumber(points.at(-1).y, 4) });

  const renderCharts = () => {
    drawLineChart(elements.lossChart, {
      series: [{ color: COLORS.loss, points: series.loss }],
      xMax: lastTraining?.epochs,
      xLabel: t('admin.job.epoch'),
    });
    drawLineChart(elements.accuracyChart, {
      series: [
        { color: COLORS.accuracy, points: series.accuracy },
        { color: COLORS.validation, dash: [6, 4], points: series.validation },
      ],
      yMax: 1,
      xMax: lastTraining?.epochs,
      xLabel: t('admin.job.epoch'),
    });
    elements.lossChart.setAttribute('aria-label', chartLabel('admin.job.lossChart', series.loss));
    elements.accuracyChart.setAttribute(
      'aria-label',
      [
        chartLabel('admin.job.accuracy', series.accuracy),
        chartLabel('admin.job.validationAccuracy', series.validation),
      ].join('; '),
    );
    elements.lossChart.dataset.points = String(series.loss.length);
    elements.accuracyChart.dataset.points = String(series.accuracy.length);
  };

  const renderResult = () => {
    if (!job || !FINAL_STATES.includes(job.state)) return replaceChildren(elements.result);
    if (job.state !== 'succeeded') {
      return replaceChildren(
        elements.result,
        h('p', { class: 'error', text: job.error ?? t(`state.${job.state}`) }),
      );
    }
    const result = job.result ?? {};
    replaceChildren(
      elements.result,
      h('p', {
        id: 'job-outcome',
        text: t('admin.job.result', {
          version: result.version ?? '–',
          accuracy: formatPercent(result.metrics?.accuracy),
        }),
      }),
      result.reason ? h('p', { class: 'hint', text: result.reason }) : null,
      result.version && result.promoted === false
        ? h('button', {
            type: 'button',
            text: t('admin.promoteVersion', { version: result.version }),
            onclick: () => onPromote(job.model, result.version),
          })
        : null,
    );
  };

  const render = () => {
    announce(summary());
    let fraction = progress ? overallFraction(progress) : 0;
    if (job?.state === 'succeeded') fraction = 1;
    if (fraction !== undefined) elements.progress.value = fraction;
    elements.progress.dataset.state = job?.state ?? '';
    renderNumbers();
    renderCharts();
    renderResult();
  };

  const recordProgress = (next) => {
    progress = next;
    if (next.epochs > 0) {
      const defined = Object.entries(next).filter(([, value]) => value !== undefined);
      lastTraining = { ...lastTraining, ...Object.fromEntries(defined) };
    }
  };

  const addProgress = (next) => {
    recordProgress(next);
    const fraction = overallFraction(next);
    if (fraction !== undefined && next.phase === 'training') {
      const x = Math.max(series.lastX, fraction * next.epochs);
      series.lastX = x;
      if (typeof next.loss === 'number') series.loss.push({ x, y: next.loss });
      if (typeof next.accuracy === 'number') series.accuracy.push({ x, y: next.accuracy });
      if (typeof next.validationAccuracy === 'number')
        series.validation.push({ x, y: next.validationAccuracy });
    }
    render();
  };

  const setJob = (next) => {
    const finishedNow = FINAL_STATES.includes(next.state) && !FINAL_STATES.includes(job?.state);
    job = next;
    if (next.progress && !progress) recordProgress(next.progress);
    render();
    if (finishedNow) onFinished(job);
  };

  const stream = async (id, signal) => {
    for (let attempt = 0; attempt <= MAX_RECONNECTS; attempt += 1) {
      try {
        const response = await request(`/admin/jobs/${encodeURIComponent(id)}/events`, {
          token: getToken(),
          signal,
        });
        await readEventStream(
          response,
          (event) => {
            const data = JSON.parse(event.data);
            if (event.type === 'progress') addProgress(data);
            else if (event.type === 'state') setJob(data);
          },
          signal,
        );
      } catch (error) {
        if (signal.aborted) return;
        if (error?.status >= 400 && error.status < 500) throw error;
      }
      if (signal.aborted || (job && FINAL_STATES.includes(job.state))) return;
      announce(t('admin.job.streamLost'));
      await new Promise((resolve) => window.setTimeout(resolve, RECONNECT_DELAY_MS));
    }
    setJob(
      await requestJson(`/admin/jobs/${encodeURIComponent(id)}`, { token: getToken(), signal }),
    );
  };

  onLanguageChange(() => {
    if (job) render();
  });

  return {
    /** Shows job `id` and follows its events until it reaches a final state. */
    async watch(id) {
      controller?.abort();
      controller = new window.AbortController();
      const { signal } = controller;
      job = undefined;
      progress = undefined;
      lastTraining = undefined;
      announced = '';
      resetSeries();
      announce(t('admin.loading'));
      try {
        // The stream starts with the job's state, so no separate GET is needed first.
        await stream(id, signal);
      } catch (error) {
        if (signal.aborted) return;
        replaceChildren(
          elements.result,
          h('p', { class: 'error', role: 'alert', text: describeError(error) }),
        );
      }
    },
    /** Stops following the current job. */
    stop() {
      controller?.abort();
    },
  };
}
