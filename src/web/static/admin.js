// Entry module of the admin page at `/admin`. Every request carries `Authorization: Bearer <token>`
// with the token entered on the page, which is kept only in sessionStorage.
import { describeError, requestJson } from './api.js';
import { h, replaceChildren, showMessage } from './dom.js';
import { formatPercent, getLanguage, initLanguage, onLanguageChange, t } from './i18n.js';
import { createJobView, FINAL_STATES } from './job-view.js';
import { renderModels } from './models-view.js';

const TOKEN_KEY = 'nunchi.adminToken';
const SENTIMENT_MODELS = ['sentiment-ko', 'sentiment-en'];
/** Content types of uploaded data sets by file extension, as POST /admin/datasets accepts them. */
const DATASET_TYPES = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  jsonl: 'application/x-ndjson',
  ndjson: 'application/x-ndjson',
};
const MAX_EPOCHS = 1000;
/** Rows of the recent jobs table. */
const MAX_LISTED_JOBS = 10;

const $ = (id) => document.getElementById(id);

function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

const adminError = $('admin-error');
let lastStatus;
let lastModels;
let lastJobs;

const showError = (error) => showMessage(adminError, describeError(error));

/** Renders `backend` of GET /admin/status; it is null before TensorFlow.js has started. */
function renderBackend(backend, gpu) {
  backend ??= {};
  const rows = [
    [t('admin.backend.name'), backend.name ?? '–'],
    [t('admin.backend.gpu'), (backend.gpu ?? gpu) ? t('admin.yes') : t('admin.no')],
  ];
  for (const [key, value] of Object.entries(backend)) {
    if (key === 'name' || key === 'gpu' || value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    rows.push([key, text]);
  }
  replaceChildren(
    $('backend'),
    rows.map(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]),
  );
}

function renderJobs(jobs = []) {
  if (jobs.length === 0)
    return replaceChildren($('jobs'), h('p', { class: 'hint', text: t('admin.jobs.none') }));
  replaceChildren(
    $('jobs'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'admin.jobs.id',
            'admin.jobs.model',
            'admin.jobs.state',
            'admin.accuracy',
            'admin.actions',
          ].map((key) => h('th', { scope: 'col', text: t(key) })),
        ),
      ),
      h(
        'tbody',
        {},
        jobs.map((job) =>
          h(
            'tr',
            {},
            h('td', {}, h('code', { title: job.id, text: String(job.id).slice(0, 8) })),
            h('td', { text: job.model }),
            h('td', {}, h('span', { class: `badge ${job.state}`, text: t(`state.${job.state}`) })),
            h('td', { text: formatPercent(job.result?.metrics?.accuracy) }),
            h(
              'td',
              {},
              h('button', {
                type: 'button',
                class: 'secondary',
                'aria-label': `${t('admin.job.watch')} ${job.id}`,
                text: t('admin.job.watch'),
                onclick: () => jobView.watch(job.id),
              }),
            ),
          ),
        ),
      ),
    ),
  );
}

async function promote(model, version) {
  showMessage(adminError);
  try {
    await requestJson(`/admin/models/${encodeURIComponent(model)}/promote`, {
      method: 'POST',
      body: { version },
      token: getToken(),
    });
    showMessage($('models-status'), t('admin.promoted', { model, version }));
    await loadAll();
  } catch (error) {
    showError(error);
  }
}

async function rollback(model) {
  showMessage(adminError);
  try {
    await requestJson(`/admin/models/${encodeURIComponent(model)}/rollback`, {
      method: 'POST',
      token: getToken(),
    });
    showMessage($('models-status'), t('admin.rolledBack', { model }));
    await loadAll();
  } catch (error) {
    showError(error);
  }
}

const jobView = createJobView({
  getToken,
  onPromote: promote,
  onFinished: () => {
    loadAll();
  },
});

function render() {
  if (lastStatus) renderBackend(lastStatus.backend, lastStatus.gpu);
  if (lastJobs) renderJobs(lastJobs.slice(0, MAX_LISTED_JOBS));
  if (lastModels) {
    renderModels($('models'), lastModels.models ?? [], {
      language: getLanguage(),
      promote,
      rollback,
    });
  }
}

/** Loads the status and the model list; returns false when a request failed. */
async function loadAll() {
  const token = getToken();
  if (!token) return false;
  try {
    const [status, models, jobs] = await Promise.all([
      requestJson('/admin/status', { token }),
      requestJson('/admin/models', { token }),
      requestJson('/admin/jobs', { token }),
    ]);
    lastStatus = status;
    lastModels = models;
    lastJobs = jobs.jobs ?? [];
    showMessage(adminError);
    $('admin-content').hidden = false;
    render();
    const running = lastJobs.find((job) => !FINAL_STATES.includes(job.state));
    if (running && !$('job-progress').dataset.state) jobView.watch(running.id);
    return true;
  } catch (error) {
    showError(error);
    if (error?.status === 401 || error?.status === 403) $('admin-content').hidden = true;
    return false;
  }
}

function updateRetrainFields() {
  const textual = SENTIMENT_MODELS.includes($('retrain-model').value);
  $('retrain-dataset').disabled = !textual;
  $('retrain-feedback').disabled = !textual;
}

function readPositiveInteger(input, max) {
  if (input.value.trim() === '') return undefined;
  const value = Number(input.value);
  if (!Number.isInteger(value) || value < 1 || (max && value > max)) {
    const expected = max ? `1–${max}` : '≥ 1';
    throw new Error(
      `${input.labels[0]?.textContent ?? input.name}: "${input.value}" (${expected})`,
    );
  }
  return value;
}

async function uploadDataset(file, token) {
  const extension = file.name.split('.').pop().toLowerCase();
  const contentType = DATASET_TYPES[extension];
  if (!contentType) throw new Error(t('admin.retrain.badType', { name: file.name }));
  showMessage($('retrain-status'), t('admin.retrain.uploading'));
  const upload = await requestJson('/admin/datasets', {
    method: 'POST',
    body: file,
    contentType,
    token,
  });
  showMessage(
    $('retrain-status'),
    t('admin.retrain.uploaded', {
      id: upload.id,
      accepted: upload.acceptedRows,
      total: upload.totalRows,
      // The line numbers of the skipped lines, or their count.
      skipped: Array.isArray(upload.skippedLines)
        ? upload.skippedLines.length
        : upload.skippedLines,
      format: upload.format,
    }),
  );
  return upload.id;
}

async function startRetrain(event) {
  event.preventDefault();
  const button = $('retrain-start');
  showMessage(adminError);
  button.disabled = true;
  try {
    const token = getToken();
    const model = $('retrain-model').value;
    const body = { model };
    const epochs = readPositiveInteger($('retrain-epochs'), MAX_EPOCHS);
    const limit = readPositiveInteger($('retrain-limit'));
    if (epochs !== undefined) body.epochs = epochs;
    if (limit !== undefined) body.limit = limit;
    if (SENTIMENT_MODELS.includes(model)) {
      const [file] = $('retrain-dataset').files;
      if (file) body.dataset = await uploadDataset(file, token);
      if ($('retrain-feedback').checked) body.includeFeedback = true;
    }
    const { jobId } = await requestJson('/admin/retrain', { method: 'POST', body, token });
    showMessage($('retrain-status'), t('admin.retrain.started', { id: jobId }));
    loadAll();
    await jobView.watch(jobId);
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
}

function init() {
  initLanguage();
  $('token-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    if (!token) {
      showMessage($('token-status'), t('admin.token.none'));
      $('token').focus();
      return;
    }
    setToken(token);
    $('token').value = '';
    showMessage($('token-status'), t('admin.token.saved'));
    await loadAll();
  });
  $('forget-token').addEventListener('click', () => {
    setToken('');
    jobView.stop();
    $('admin-content').hidden = true;
    showMessage($('token-status'), t('admin.token.forgotten'));
    $('token').focus();
  });
  $('refresh').addEventListener('click', () => loadAll());
  $('retrain-model').addEventListener('change', updateRetrainFields);
  $('retrain-form').addEventListener('submit', startRetrain);
  updateRetrainFields();
  onLanguageChange(render);

  if (getToken()) {
    showMessage($('token-status'), t('admin.token.saved'));
    loadAll();
  } else {
    $('token').focus();
  }
}

init();
