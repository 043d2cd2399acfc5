// Korean and English interface text. The language follows the stored choice, else the browser's
// preferred languages, else English. Pages re-render through onLanguageChange.

const STORAGE_KEY = 'nunchi.lang';

/** Interface languages, in the order the language menu lists them. */
export const LANGUAGES = ['ko', 'en'];

const MESSAGES = {
  ko: {
    'lang.label': '언어',
    'nav.demo': '데모',
    'nav.admin': '관리',
    skip: '본문으로 건너뛰기',
    'demo.title': 'nunchi 데모',
    'demo.intro': '리뷰의 분위기를 읽고 손글씨 숫자를 읽습니다.',
    'sentiment.heading': '리뷰 감정 분석',
    'sentiment.label': '리뷰 (한국어 또는 영어)',
    'sentiment.hint': '영화나 상품 리뷰를 붙여 넣고 분석을 누르세요. Ctrl+Enter로도 됩니다.',
    'sentiment.placeholder': '예: 배우들 연기가 정말 좋았고 스토리도 재밌었어요',
    'sentiment.submit': '분석',
    'sentiment.busy': '분석 중…',
    'sentiment.positive': '긍정',
    'sentiment.negative': '부정',
    'sentiment.confidence': '확신도',
    'sentiment.probability': '긍정일 확률',
    'sentiment.words': '판단에 가장 큰 영향을 준 단어',
    'sentiment.wordsNone': '강조할 단어가 없습니다.',
    'sentiment.towardPositive': '긍정 쪽',
    'sentiment.towardNegative': '부정 쪽',
    'sentiment.truncated': '글이 길어 앞부분만 분석했습니다.',
    'sentiment.model': '모델',
    'sentiment.language': '감지한 언어',
    'language.ko': '한국어',
    'language.en': '영어',
    'language.mixed': '혼합',
    'language.unknown': '알 수 없음',
    'feedback.question': '결과가 맞나요?',
    'feedback.yes': '👍 맞아요',
    'feedback.no': '👎 틀려요',
    'feedback.thanks': '의견을 저장했습니다. 고맙습니다!',
    'digit.heading': '손글씨 숫자 읽기',
    'digit.canvas': '숫자를 그리는 캔버스',
    'digit.hint': '마우스, 펜 또는 손가락으로 숫자를 그리세요. 그리기를 멈추면 바로 읽습니다.',
    'digit.read': '읽기',
    'digit.clear': '지우기',
    'digit.upload': '또는 이미지 파일 선택',
    'digit.busy': '읽는 중…',
    'digit.empty': '먼저 숫자를 그리세요.',
    'digit.cleared': '캔버스를 지웠습니다.',
    'digit.kind.digit': '숫자',
    'digit.kind.number': '여러 자리 수',
    'digit.kind.unsure': '확실하지 않음',
    'digit.answer': '읽은 값',
    'digit.top': '후보 상위 3개',
    'digit.position': '{n}번째 자리',
    'digit.modelView': '모델이 본 28×28 이미지',
    'digit.modelViewAlt': '모델이 본 28×28 입력을 확대한 이미지',
    'admin.title': 'nunchi 관리',
    'admin.token.heading': '관리자 토큰',
    'admin.token.label': '토큰',
    'admin.token.hint': '토큰은 이 탭의 세션 저장소에만 보관되며 탭을 닫으면 사라집니다.',
    'admin.token.save': '저장',
    'admin.token.forget': '지우기',
    'admin.token.saved': '토큰을 저장했습니다.',
    'admin.token.none': '토큰을 입력하세요.',
    'admin.token.forgotten': '토큰을 지웠습니다.',
    'admin.refresh': '새로 고침',
    'admin.loading': '불러오는 중…',
    'admin.backend.heading': '백엔드',
    'admin.backend.name': '이름',
    'admin.backend.gpu': 'GPU',
    'admin.yes': '예',
    'admin.no': '아니요',
    'admin.models.heading': '모델',
    'admin.models.serving': '서비스 중인 버전',
    'admin.models.none': '버전이 없습니다.',
    'admin.version': '버전',
    'admin.createdAt': '만든 시각',
    'admin.source': '출처',
    'admin.accuracy': '정확도',
    'admin.samples': '평가 수',
    'admin.status': '상태',
    'admin.actions': '작업',
    'admin.status.serving': '서비스 중',
    'admin.status.candidate': '후보',
    'admin.status.previous': '이전',
    'admin.promote': '서비스로 승격',
    'admin.promoteVersion': '{version} 승격',
    'admin.promoted': '{model}: {version}을(를) 서비스합니다.',
    'admin.rollback': '이전 버전으로 되돌리기',
    'admin.rolledBack': '{model}을(를) 이전 버전으로 되돌렸습니다.',
    'admin.confusion': '혼동 행렬',
    'admin.confusionCaption': '{version} 혼동 행렬 (행: 실제, 열: 예측)',
    'admin.actual': '실제',
    'admin.predicted': '예측',
    'admin.retrain.heading': '재학습',
    'admin.retrain.model': '모델',
    'admin.retrain.epochs': '에포크 수',
    'admin.retrain.epochsHint': '비워 두면 모델의 기본값을 씁니다.',
    'admin.retrain.limit': '최대 학습 예제 수',
    'admin.retrain.dataset': '데이터셋 파일 (CSV, TSV, NDJSON)',
    'admin.retrain.datasetHint': '감정 모델에만 쓰입니다. 올린 파일이 학습 데이터에 더해집니다.',
    'admin.retrain.feedback': '사용자 피드백 포함',
    'admin.retrain.start': '학습 시작',
    'admin.retrain.uploading': '데이터셋을 올리는 중…',
    'admin.retrain.uploaded':
      '데이터셋 {id}: {accepted}/{total}행을 받았고 {skipped}줄을 건너뛰었습니다 ({format}).',
    'admin.retrain.started': '학습 작업 {id}을(를) 시작했습니다.',
    'admin.retrain.badType': '{name}: .csv, .tsv, .jsonl 또는 .ndjson 파일을 고르세요.',
    'admin.job.heading': '학습 진행',
    'admin.job.none': '진행 중인 작업이 없습니다.',
    'admin.job.summary': '{id} ({model}): {state}',
    'admin.job.phase': '단계',
    'admin.job.epoch': '에포크',
    'admin.job.batch': '배치',
    'admin.job.loss': '손실',
    'admin.job.accuracy': '정확도',
    'admin.job.validationAccuracy': '검증 정확도',
    'admin.job.eta': '남은 시간',
    'admin.job.progress': '진행률',
    'admin.job.lossChart': '손실 곡선',
    'admin.job.accuracyChart': '정확도 곡선',
    'admin.job.chartLabel': '{name}: 최근 값 {value}',
    'admin.job.chartEmpty': '{name}: 아직 값이 없습니다.',
    'admin.job.result': '새 버전 {version}, 정확도 {accuracy}',
    'admin.job.streamLost': '진행 스트림이 끊겨 다시 연결합니다…',
    'admin.job.watch': '보기',
    'admin.jobs.heading': '최근 작업',
    'admin.jobs.none': '작업이 없습니다.',
    'admin.jobs.id': '작업',
    'admin.jobs.model': '모델',
    'admin.jobs.state': '상태',
    'state.queued': '대기 중',
    'state.running': '실행 중',
    'state.succeeded': '완료',
    'state.failed': '실패',
    'state.cancelled': '취소됨',
    'state.interrupted': '중단됨',
    'phase.loading': '데이터 읽기',
    'phase.tokenizing': '토큰화',
    'phase.training': '학습',
    'phase.evaluating': '평가',
    'phase.saving': '저장',
    'phase.done': '끝',
    'error.NETWORK': '서버에 연결하지 못했습니다. 연결을 확인하고 다시 시도하세요.',
    'error.TEXT_EMPTY': '리뷰를 입력하세요.',
    'error.TEXT_TOO_LONG': '글이 너무 깁니다. 줄여서 다시 시도하세요.',
    'error.TEXT_INVALID': '글을 읽을 수 없습니다.',
    'error.IMAGE_INVALID': '이미지를 읽을 수 없습니다.',
    'error.IMAGE_TOO_LARGE': '이미지가 너무 큽니다.',
    'error.IMAGE_UNSUPPORTED': '지원하지 않는 이미지 형식입니다.',
    'error.NO_DIGIT_FOUND': '숫자를 찾지 못했습니다. 더 크고 진하게 그려 보세요.',
    'error.MODEL_NOT_FOUND': '모델이 없습니다. 관리자가 먼저 학습해야 합니다.',
    'error.UNAUTHORIZED': '토큰이 맞지 않습니다. 관리자 토큰을 확인하세요.',
    'error.ADMIN_DISABLED': '서버에 관리자 토큰이 설정되지 않아 관리 기능이 꺼져 있습니다.',
    'error.RATE_LIMITED': '요청이 너무 많습니다. 잠시 후 다시 시도하세요.',
    'error.PAYLOAD_TOO_LARGE': '보낸 데이터가 너무 큽니다.',
    'error.JOB_CONFLICT': '다른 학습 작업이 이미 실행 중입니다.',
    'error.DATASET_INVALID': '데이터셋을 읽을 수 없습니다.',
    'error.NOT_FOUND': '찾을 수 없습니다.',
    'error.BAD_REQUEST': '요청이 올바르지 않습니다.',
    'error.BACKEND_UNAVAILABLE': '계산 백엔드를 쓸 수 없습니다.',
    'error.TRAINING_FAILED': '학습에 실패했습니다.',
    'error.INTERNAL': '서버 내부 오류가 발생했습니다.',
    'error.HTTP': '서버가 HTTP {status}로 응답했습니다.',
  },
  en: {
    'lang.label': 'Language',
    'nav.demo': 'Demo',
    'nav.admin': 'Admin',
    skip: 'Skip to content',
    'demo.title': 'nunchi demo',
    'demo.intro': 'Reads the mood of a review and reads hand-drawn digits.',
    'sentiment.heading': 'Review sentiment',
    'sentiment.label': 'Review (Korean or English)',
    'sentiment.hint': 'Paste a movie or product review and press Analyze, or Ctrl+Enter.',
    'sentiment.placeholder': 'For example: the acting was great and the story was fun',
    'sentiment.submit': 'Analyze',
    'sentiment.busy': 'Analyzing…',
    'sentiment.positive': 'Positive',
    'sentiment.negative': 'Negative',
    'sentiment.confidence': 'Confidence',
    'sentiment.probability': 'Probability positive',
    'sentiment.words': 'Words that weighed most',
    'sentiment.wordsNone': 'No words to highlight.',
    'sentiment.towardPositive': 'towards positive',
    'sentiment.towardNegative': 'towards negative',
    'sentiment.truncated': 'The text was long, so only its beginning was analyzed.',
    'sentiment.model': 'Model',
    'sentiment.language': 'Detected language',
    'language.ko': 'Korean',
    'language.en': 'English',
    'language.mixed': 'Mixed',
    'language.unknown': 'Unknown',
    'feedback.question': 'Is this right?',
    'feedback.yes': '👍 Right',
    'feedback.no': '👎 Wrong',
    'feedback.thanks': 'Feedback saved. Thank you!',
    'digit.heading': 'Handwritten digits',
    'digit.canvas': 'Canvas to draw a digit on',
    'digit.hint': 'Draw a digit with a mouse, pen or finger. It is read when you stop drawing.',
    'digit.read': 'Read',
    'digit.clear': 'Clear',
    'digit.upload': 'Or choose an image file',
    'digit.busy': 'Reading…',
    'digit.empty': 'Draw a digit first.',
    'digit.cleared': 'Canvas cleared.',
    'digit.kind.digit': 'Digit',
    'digit.kind.number': 'Number',
    'digit.kind.unsure': 'Not sure',
    'digit.answer': 'Read as',
    'digit.top': 'Top three',
    'digit.position': 'Digit {n}',
    'digit.modelView': 'The 28×28 image the model saw',
    'digit.modelViewAlt': 'The 28×28 input the model saw, enlarged',
    'admin.title': 'nunchi admin',
    'admin.token.heading': 'Admin token',
    'admin.token.label': 'Token',
    'admin.token.hint':
      'The token is kept only in this tab’s session storage and goes when it closes.',
    'admin.token.save': 'Save',
    'admin.token.forget': 'Forget',
    'admin.token.saved': 'Token saved.',
    'admin.token.none': 'Enter the token.',
    'admin.token.forgotten': 'Token forgotten.',
    'admin.refresh': 'Refresh',
    'admin.loading': 'Loading…',
    'admin.backend.heading': 'Backend',
    'admin.backend.name': 'Name',
    'admin.backend.gpu': 'GPU',
    'admin.yes': 'yes',
    'admin.no': 'no',
    'admin.models.heading': 'Models',
    'admin.models.serving': 'Serving version',
    'admin.models.none': 'No versions.',
    'admin.version': 'Version',
    'admin.createdAt': 'Created',
    'admin.source': 'Source',
    'admin.accuracy': 'Accuracy',
    'admin.samples': 'Test examples',
    'admin.status': 'Status',
    'admin.actions': 'Actions',
    'admin.status.serving': 'serving',
    'admin.status.candidate': 'candidate',
    'admin.status.previous': 'previous',
    'admin.promote': 'Promote',
    'admin.promoteVersion': 'Promote {version}',
    'admin.promoted': '{model} now serves {version}.',
    'admin.rollback': 'Roll back to previous version',
    'admin.rolledBack': '{model} rolled back to its previous version.',
    'admin.confusion': 'Confusion matrix',
    'admin.confusionCaption': 'Confusion matrix of {version} (rows: actual, columns: predicted)',
    'admin.actual': 'actual',
    'admin.predicted': 'predicted',
    'admin.retrain.heading': 'Retrain',
    'admin.retrain.model': 'Model',
    'admin.retrain.epochs': 'Epochs',
    'admin.retrain.epochsHint': 'Leave empty for the model’s default.',
    'admin.retrain.limit': 'Maximum training examples',
    'admin.retrain.dataset': 'Data set file (CSV, TSV, NDJSON)',
    'admin.retrain.datasetHint': 'Sentiment models only. Its rows are added to the training data.',
    'admin.retrain.feedback': 'Include user feedback',
    'admin.retrain.start': 'Start training',
    'admin.retrain.uploading': 'Uploading the data set…',
    'admin.retrain.uploaded':
      'Data set {id}: accepted {accepted} of {total} rows, skipped {skipped} lines ({format}).',
    'admin.retrain.started': 'Training job {id} started.',
    'admin.retrain.badType': '{name}: choose a .csv, .tsv, .jsonl or .ndjson file.',
    'admin.job.heading': 'Training progress',
    'admin.job.none': 'No job running.',
    'admin.job.summary': '{id} ({model}): {state}',
    'admin.job.phase': 'Phase',
    'admin.job.epoch': 'Epoch',
    'admin.job.batch': 'Batch',
    'admin.job.loss': 'Loss',
    'admin.job.accuracy': 'Accuracy',
    'admin.job.validationAccuracy': 'Validation accuracy',
    'admin.job.eta': 'Time left',
    'admin.job.progress': 'Progress',
    'admin.job.lossChart': 'Loss curve',
    'admin.job.accuracyChart': 'Accuracy curves',
    'admin.job.chartLabel': '{name}: latest value {value}',
    'admin.job.chartEmpty': '{name}: no values yet.',
    'admin.job.result': 'New version {version}, accuracy {accuracy}',
    'admin.job.streamLost': 'Progress stream lost, reconnecting…',
    'admin.job.watch': 'Watch',
    'admin.jobs.heading': 'Recent jobs',
    'admin.jobs.none': 'No jobs.',
    'admin.jobs.id': 'Job',
    'admin.jobs.model': 'Model',
    'admin.jobs.state': 'State',
    'state.queued': 'queued',
    'state.running': 'running',
    'state.succeeded': 'succeeded',
    'state.failed': 'failed',
    'state.cancelled': 'cancelled',
    'state.interrupted': 'interrupted',
    'phase.loading': 'loading data',
    'phase.tokenizing': 'tokenizing',
    'phase.training': 'training',
    'phase.evaluating': 'evaluating',
    'phase.saving': 'saving',
    'phase.done': 'done',
    'error.NETWORK': 'Could not reach the server. Check the connection and try again.',
    'error.TEXT_EMPTY': 'Enter a review first.',
    'error.TEXT_TOO_LONG': 'The text is too long. Shorten it and try again.',
    'error.TEXT_INVALID': 'The text could not be read.',
    'error.IMAGE_INVALID': 'The image could not be read.',
    'error.IMAGE_TOO_LARGE': 'The image is too large.',
    'error.IMAGE_UNSUPPORTED': 'This image format is not supported.',
    'error.NO_DIGIT_FOUND': 'No digit found. Draw it larger and with bolder strokes.',
    'error.MODEL_NOT_FOUND': 'No model is available yet. An admin has to train one first.',
    'error.UNAUTHORIZED': 'The token was rejected. Check the admin token.',
    'error.ADMIN_DISABLED': 'Admin is disabled because the server has no admin token set.',
    'error.RATE_LIMITED': 'Too many requests. Wait a moment and try again.',
    'error.PAYLOAD_TOO_LARGE': 'The upload is too large.',
    'error.JOB_CONFLICT': 'Another training job is already running.',
    'error.DATASET_INVALID': 'The data set could not be read.',
    'error.NOT_FOUND': 'Not found.',
    'error.BAD_REQUEST': 'The request was invalid.',
    'error.BACKEND_UNAVAILABLE': 'The compute backend is unavailable.',
    'error.TRAINING_FAILED': 'Training failed.',
    'error.INTERNAL': 'The server hit an internal error.',
    'error.HTTP': 'The server answered with HTTP {status}.',
  },
};

let current = 'en';
const listeners = [];

function storedLanguage() {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Picks 'ko' or 'en' from a list of BCP 47 tags, most preferred first; English by default. */
export function pickLanguage(tags) {
  for (const tag of tags) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return 'en';
}

/** Returns the interface language now in use. */
export function getLanguage() {
  return current;
}

/** Returns the message `key` in the current language with `{name}` placeholders filled in. */
export function t(key, values = {}) {
  const template = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (match, name) =>
    name in values ? String(values[name]) : match,
  );
}

/** Returns true when `key` has a message. */
export function hasMessage(key) {
  return key in MESSAGES.en;
}

/** Formats a probability from 0 to 1 as a percentage in the current language. */
export function formatPercent(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return new Intl.NumberFormat(current, { style: 'percent', maximumFractionDigits: 1 }).format(
    value,
  );
}

/** Formats a number with at most `digits` fraction digits in the current language. */
export function formatNumber(value, digits = 3) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  return new Intl.NumberFormat(current, { maximumFractionDigits: digits }).format(value);
}

/** Fills every `data-i18n` element's text and every `data-i18n-attr` attribute under `root`. */
export function translatePage(root = document) {
  for (const element of root.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of element.dataset.i18nAttr.split(';')) {
      const [attribute, key] = pair.split('=').map((part) => part.trim());
      if (attribute && key) element.setAttribute(attribute, t(key));
    }
  }
}

/** Switches the interface language, stores the choice and re-renders through the listeners. */
export function setLanguage(language, { store = true } = {}) {
  current = LANGUAGES.includes(language) ? language : 'en';
  document.documentElement.lang = current;
  if (store) {
    try {
      window.localStorage.setItem(STORAGE_KEY, current);
    } catch {
      // Storage may be disabled, and then the choice lasts until the page reloads.
    }
  }
  translatePage();
  for (const listener of listeners) listener(current);
}

/** Calls `listener` after every language switch. */
export function onLanguageChange(listener) {
  listeners.push(listener);
}

/** Applies the stored or browser language and wires the `#lang` menu. */
export function initLanguage() {
  const stored = storedLanguage();
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  const initial = LANGUAGES.includes(stored) ? stored : pickLanguage(preferred);
  setLanguage(initial, { store: false });
  const menu = document.getElementById('lang');
  if (menu) {
    menu.value = current;
    menu.addEventListener('change', () => setLanguage(menu.value));
  }
}
