// Model list of the admin page: each model's versions with their metrics, a confusion matrix per
// version that has one, and the promote and rollback buttons.
import { h, replaceChildren } from './dom.js';
import { formatNumber, formatPercent, t } from './i18n.js';

function formatDate(value, language) {
  const date = new Date(value);
  if (!value || Number.isNaN(date.getTime())) return '–';
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(
    date,
  );
}

/** Class names of a confusion matrix: stored labels when they fit, else 0..n-1. */
function matrixLabels(metrics, size) {
  const labels = metrics.labels ?? metrics.classes;
  if (Array.isArray(labels) && labels.length === size) return labels.map(String);
  if (size === 2) return [t('sentiment.negative'), t('sentiment.positive')];
  return Array.from({ length: size }, (_, index) => String(index));
}

/**
 * Renders `matrix[actual][predicted]` counts, each cell shaded by its share of the row. The shade
 * stays at most half opaque, so the dark text keeps a contrast above 4.5:1.
 */
function renderMatrix(matrix, metrics, version) {
  const labels = matrixLabels(metrics, matrix.length);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'matrix' },
      h('caption', { text: t('admin.confusionCaption', { version }) }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', text: `${t('admin.actual')} \\ ${t('admin.predicted')}` }),
          labels.map((label) => h('th', { scope: 'col', text: label })),
        ),
      ),
      h(
        'tbody',
        {},
        matrix.map((row, actual) => {
          const total = row.reduce((sum, count) => sum + Number(count), 0);
          return h(
            'tr',
            {},
            h('th', { scope: 'row', text: labels[actual] }),
            row.map((count) => {
              const share = total > 0 ? Number(count) / total : 0;
              const cell = h('td', { text: formatNumber(Number(count), 0) });
              cell.style.setProperty('--share', String(Math.round(share * 50) / 100));
              return cell;
            }),
          );
        }),
      ),
    ),
  );
}

function renderVersionRow(model, version, { language, promote }) {
  const metrics = version.metrics ?? {};
  return h(
    'tr',
    { 'data-version': version.version },
    h('th', { scope: 'row' }, h('code', { text: version.version })),
    h('td', { text: formatDate(version.createdAt, language) }),
    h('td', { text: version.source ?? '–' }),
    h('td', { text: formatPercent(metrics.accuracy) }),
    h('td', { text: formatNumber(metrics.n, 0) }),
    h(
      'td',
      {},
      h('span', { class: `badge ${version.status}`, text: t(`admin.status.${version.status}`) }),
    ),
    h(
      'td',
      {},
      version.status === 'serving'
        ? null
        : h('button', {
            type: 'button',
            class: 'secondary',
            'aria-label': `${t('admin.promoteVersion', { version: version.version })} (${model.name})`,
            text: t('admin.promote'),
            onclick: () => promote(model.name, version.version),
          }),
    ),
  );
}

function renderModel(model, options) {
  const versions = model.versions ?? [];
  const columns = [
    'admin.version',
    'admin.createdAt',
    'admin.source',
    'admin.accuracy',
    'admin.samples',
    'admin.status',
    'admin.actions',
  ];
  const matrices = versions.filter((version) => version.metrics?.confusionMatrix?.length > 0);
  return h(
    'article',
    { class: 'model-card', 'data-model': model.name },
    h('h3', { text: model.name }),
    h(
      'p',
      { class: 'row' },
      h('span', { text: `${t('admin.models.serving')}: ` }),
      h('code', { text: model.serving ?? '–' }),
      h('button', {
        type: 'button',
        class: 'secondary',
        disabled: !versions.some((version) => version.status === 'previous'),
        'aria-label': `${t('admin.rollback')} (${model.name})`,
        text: t('admin.rollback'),
        onclick: () => options.rollback(model.name),
      }),
    ),
    versions.length === 0
      ? h('p', { class: 'hint', text: t('admin.models.none') })
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                columns.map((key) => h('th', { scope: 'col', text: t(key) })),
              ),
            ),
            h(
              'tbody',
              {},
              versions.map((version) => renderVersionRow(model, version, options)),
            ),
          ),
        ),
    matrices.map((version) =>
      h(
        'details',
        { open: version.status === 'serving' },
        h('summary', { text: `${t('admin.confusion')}: ${version.version}` }),
        renderMatrix(version.metrics.confusionMatrix, version.metrics, version.version),
      ),
    ),
  );
}

/**
 * Renders `models` (the `models` of GET /admin/models) into `container`.
 *
 * @param {{language: string, promote: (model: string, version: string) => void,
 *   rollback: (model: string) => void}} options
 */
export function renderModels(container, models, options) {
  replaceChildren(
    container,
    models.map((model) => renderModel(model, options)),
  );
}
