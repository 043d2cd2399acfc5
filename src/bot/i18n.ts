/**
 * @module User-facing bot text in Korean and English. Discord locales starting with `ko` get
 * Korean, every other locale gets English. Errors map from their stable code to a message.
 */
import type { Language, SentimentLabel } from '../core/contracts.ts';
import { isNunchiError, type ErrorCode } from '../core/errors.ts';

export type BotLocale = 'ko' | 'en';

/** Picks the reply language for a Discord locale such as `ko`, `en-US` or `fr`. */
export function pickLocale(discordLocale: string | null | undefined): BotLocale {
  return discordLocale?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;

const LATIN_LETTER = /[A-Za-z]/;

/**
 * Picks the reply language for a chat message, which carries no user locale: Korean for text
 * with Hangul, English for other text with Latin letters, and the server's locale otherwise.
 */
export function pickMessageLocale(text: string, guildLocale: string | undefined): BotLocale {
  if (HANGUL.test(text)) return 'ko';
  if (LATIN_LETTER.test(text)) return 'en';
  return pickLocale(guildLocale);
}

const en = {
  positive: 'Positive',
  negative: 'Negative',
  sentimentTitle: 'Sentiment: {label}',
  confidence: 'Confidence',
  language: 'Language',
  topWords: 'Words that weighed most',
  noTopWords: 'No single word stood out.',
  truncated: 'The text was longer than the model reads; only the beginning was analysed.',
  model: 'Model',
  digitTitle: 'Digit: {text}',
  numberTitle: 'Number: {text}',
  unsureTitle: 'Not sure, maybe {text}',
  digitInput: 'What the model saw (28x28)',
  candidates: 'Top three',
  digitPosition: 'Digit {index}',
  languageKo: 'Korean',
  languageEn: 'English',
  languageMixed: 'Mixed',
  languageUnknown: 'Unknown',
  feedbackUp: 'Right',
  feedbackDown: 'Wrong',
  feedbackAsk: 'What is the right label for this text?',
  feedbackThanks: 'Thank you. Your label "{label}" was stored for the next retraining.',
  feedbackOnlyAuthor: 'Only the person who asked can rate this answer.',
  feedbackExpired: 'This answer is too old to rate. Ask again and rate the new answer.',
  feedbackAlready: 'You already rated this answer.',
  feedbackOptedOut: 'Nothing was stored: feedback is turned off for you or for this server.',
  cooldown: 'Please wait {seconds} s before the next request.',
  noText:
    'Mention me with a review, for example "@nunchi this movie was great", or use `/sentiment`.',
  noContentIntent:
    'I cannot read this message. Use `/sentiment` for a review or `/digit` for a drawn digit.',
  modelsTitle: 'Models',
  modelsEmpty: 'No model is loaded yet.',
  backend: 'Backend',
  accuracy: 'accuracy {value}',
  trainedAt: 'trained {date}',
  helpTitle: 'nunchi help',
  helpCommands:
    '`/sentiment text` classifies a review as positive or negative.\n' +
    '`/digit image` reads a hand-drawn digit or number.\n' +
    '`/model` lists model versions, accuracy and backend.\n' +
    '`/privacy` turns feedback storage off or on.\n' +
    'You can also mention me with a review or an image, or write to me in a direct message.',
  helpStoredTitle: 'What is stored',
  helpStored:
    'Nothing from your messages is stored. When you press 👍 or 👎 under an answer, nunchi ' +
    'stores the text, the predicted and the correct label, the model version, the time, your ' +
    'user id and the server id. Admins may use these labels to retrain the model.',
  helpOptOutTitle: 'Opting out',
  helpOptOut:
    '`/privacy feedback:off` stops storing your feedback; `scope:server` does it for the whole ' +
    'server (needs the Manage Server permission). Labels stored before an opt-out are left out ' +
    'of retraining.',
  privacyStatus: 'Feedback storage for you: {user}. For this server: {guild}.',
  privacyOn: 'on',
  privacyOff: 'off',
  privacyUserSet: 'Feedback storage for you is now {state}.',
  privacyGuildSet: 'Feedback storage for this server is now {state}.',
  privacyNeedsManageGuild: 'Only members with the Manage Server permission can change this.',
  privacyNoGuild: 'The server scope works only inside a server.',
  lateAnswer: '{user}, here is the answer to your request:',
  error_TEXT_EMPTY: 'The text is empty. Write a review, for example "the acting was superb".',
  error_TEXT_TOO_LONG: 'The text is too long ({length} characters, at most {max}). Shorten it.',
  error_TEXT_INVALID: 'The text could not be read. Send plain text.',
  error_NO_DIGIT_FOUND:
    'No digit was found in the image. Draw a dark digit on a light background, or a light one on a dark background.',
  error_IMAGE_INVALID: 'The image could not be decoded. Send a PNG, JPEG, WebP or GIF file.',
  error_IMAGE_TOO_LARGE: 'The image is too large ({size}, at most {max}). Send a smaller image.',
  error_IMAGE_UNSUPPORTED:
    'This file type ({type}) is not supported. Send a PNG, JPEG, WebP or GIF image.',
  error_MODEL_NOT_FOUND: 'The model is not available yet. Ask an admin to train or install it.',
  error_MODEL_INVALID: 'The model files are damaged. Ask an admin to reinstall the model.',
  error_BACKEND_UNAVAILABLE: 'The model runtime is not available. Ask an admin to check the logs.',
  error_ANALYZER_UNAVAILABLE: 'The Korean analyser is not available. Try again later.',
  error_ANALYZER_FAILED: 'The Korean analyser failed on this text. Try again later.',
  error_STORAGE_FAILED: 'The feedback could not be stored. Try again later.',
  error_RATE_LIMITED: 'Too many requests. Wait a moment and try again.',
  error_INTERNAL: 'Something went wrong on my side. Try again later.',
} as const;

export type MessageKey = keyof typeof en;

const ko: Record<MessageKey, string> = {
  positive: '긍정',
  negative: '부정',
  sentimentTitle: '감정: {label}',
  confidence: '확신도',
  language: '언어',
  topWords: '판단에 가장 큰 영향을 준 단어',
  noTopWords: '특별히 두드러진 단어가 없습니다.',
  truncated: '글이 모델이 읽는 길이보다 길어서 앞부분만 분석했습니다.',
  model: '모델',
  digitTitle: '숫자: {text}',
  numberTitle: '수: {text}',
  unsureTitle: '확실하지 않음, 아마도 {text}',
  digitInput: '모델이 본 이미지 (28x28)',
  candidates: '상위 3개',
  digitPosition: '{index}번째 숫자',
  languageKo: '한국어',
  languageEn: '영어',
  languageMixed: '혼합',
  languageUnknown: '알 수 없음',
  feedbackUp: '맞아요',
  feedbackDown: '틀려요',
  feedbackAsk: '이 글의 올바른 레이블은 무엇인가요?',
  feedbackThanks: '고맙습니다. "{label}" 레이블을 다음 재학습을 위해 저장했습니다.',
  feedbackOnlyAuthor: '질문한 사람만 이 답을 평가할 수 있습니다.',
  feedbackExpired: '이 답은 너무 오래되어 평가할 수 없습니다. 다시 물어보고 새 답을 평가해 주세요.',
  feedbackAlready: '이미 이 답을 평가했습니다.',
  feedbackOptedOut: '저장하지 않았습니다: 사용자 또는 이 서버의 피드백 저장이 꺼져 있습니다.',
  cooldown: '다음 요청까지 {seconds}초 기다려 주세요.',
  noText:
    '리뷰와 함께 저를 멘션해 주세요. 예: "@nunchi 이 영화 진짜 좋았어". `/감정분석`도 쓸 수 있습니다.',
  noContentIntent:
    '이 메시지를 읽을 수 없습니다. 리뷰는 `/감정분석`, 손글씨 숫자는 `/숫자` 명령을 써 주세요.',
  modelsTitle: '모델',
  modelsEmpty: '아직 불러온 모델이 없습니다.',
  backend: '백엔드',
  accuracy: '정확도 {value}',
  trainedAt: '{date} 학습',
  helpTitle: 'nunchi 도움말',
  helpCommands:
    '`/감정분석 리뷰` 리뷰가 긍정인지 부정인지 분류합니다.\n' +
    '`/숫자 이미지` 손으로 쓴 숫자를 읽습니다.\n' +
    '`/모델` 모델 버전, 정확도, 백엔드를 보여 줍니다.\n' +
    '`/개인정보` 피드백 저장을 끄거나 켭니다.\n' +
    '리뷰나 이미지와 함께 저를 멘션하거나 DM을 보내도 됩니다.',
  helpStoredTitle: '저장하는 정보',
  helpStored:
    '메시지 내용은 저장하지 않습니다. 답 아래의 👍 또는 👎 버튼을 누르면 글, 예측 레이블과 올바른 ' +
    '레이블, 모델 버전, 시각, 사용자 ID와 서버 ID를 저장합니다. 관리자는 이 레이블로 모델을 다시 ' +
    '학습할 수 있습니다.',
  helpOptOutTitle: '저장 거부',
  helpOptOut:
    '`/개인정보 피드백:끄기`로 내 피드백 저장을 멈춥니다. `범위:서버`는 서버 전체에 적용됩니다(서버 ' +
    '관리 권한 필요). 거부 전에 저장된 레이블은 재학습에서 빠집니다.',
  privacyStatus: '내 피드백 저장: {user}. 이 서버: {guild}.',
  privacyOn: '켜짐',
  privacyOff: '꺼짐',
  privacyUserSet: '내 피드백 저장이 이제 {state} 상태입니다.',
  privacyGuildSet: '이 서버의 피드백 저장이 이제 {state} 상태입니다.',
  privacyNeedsManageGuild: '서버 관리 권한이 있는 멤버만 바꿀 수 있습니다.',
  privacyNoGuild: '서버 범위는 서버 안에서만 쓸 수 있습니다.',
  lateAnswer: '{user} 님, 요청하신 결과입니다:',
  error_TEXT_EMPTY: '글이 비어 있습니다. 리뷰를 써 주세요. 예: "연기가 정말 훌륭했어".',
  error_TEXT_TOO_LONG: '글이 너무 깁니다({length}자, 최대 {max}자). 줄여서 다시 보내 주세요.',
  error_TEXT_INVALID: '글을 읽을 수 없습니다. 일반 텍스트로 보내 주세요.',
  error_NO_DIGIT_FOUND:
    '이미지에서 숫자를 찾지 못했습니다. 밝은 배경에 진한 숫자를, 또는 어두운 배경에 밝은 숫자를 그려 주세요.',
  error_IMAGE_INVALID: '이미지를 읽을 수 없습니다. PNG, JPEG, WebP, GIF 파일을 보내 주세요.',
  error_IMAGE_TOO_LARGE: '이미지가 너무 큽니다({size}, 최대 {max}). 더 작은 이미지를 보내 주세요.',
  error_IMAGE_UNSUPPORTED:
    '이 파일 형식({type})은 지원하지 않습니다. PNG, JPEG, WebP, GIF 이미지를 보내 주세요.',
  error_MODEL_NOT_FOUND:
    '모델이 아직 준비되지 않았습니다. 관리자에게 학습이나 설치를 요청해 주세요.',
  error_MODEL_INVALID: '모델 파일이 손상되었습니다. 관리자에게 모델 재설치를 요청해 주세요.',
  error_BACKEND_UNAVAILABLE:
    '모델 실행 환경을 쓸 수 없습니다. 관리자에게 로그 확인을 요청해 주세요.',
  error_ANALYZER_UNAVAILABLE: '한국어 형태소 분석기를 쓸 수 없습니다. 잠시 후 다시 시도해 주세요.',
  error_ANALYZER_FAILED: '한국어 형태소 분석에 실패했습니다. 잠시 후 다시 시도해 주세요.',
  error_STORAGE_FAILED: '피드백을 저장하지 못했습니다. 잠시 후 다시 시도해 주세요.',
  error_RATE_LIMITED: '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.',
  error_INTERNAL: '내부 오류가 발생했습니다. 잠시 후 다시 시도해 주세요.',
};

const TABLES: Record<BotLocale, Record<MessageKey, string>> = { en, ko };

/** Returns the message `key` in `locale` with each `{name}` replaced by `values[name]`. */
export function translate(
  locale: BotLocale,
  key: MessageKey,
  values: Record<string, string | number> = {},
): string {
  return TABLES[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/** Returns both translations of `key`, for Discord's localised command names and descriptions. */
export function bothLocales(key: MessageKey): { en: string; ko: string } {
  return { en: en[key], ko: ko[key] };
}

export function labelText(locale: BotLocale, label: SentimentLabel): string {
  return translate(locale, label);
}

const LANGUAGE_KEYS: Record<Language, MessageKey> = {
  ko: 'languageKo',
  en: 'languageEn',
  mixed: 'languageMixed',
  unknown: 'languageUnknown',
};

export function languageText(locale: BotLocale, language: Language): string {
  return translate(locale, LANGUAGE_KEYS[language]);
}

const USER_ERROR_CODES = new Set<ErrorCode>([
  'TEXT_EMPTY',
  'TEXT_TOO_LONG',
  'TEXT_INVALID',
  'NO_DIGIT_FOUND',
  'IMAGE_INVALID',
  'IMAGE_TOO_LARGE',
  'IMAGE_UNSUPPORTED',
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'BACKEND_UNAVAILABLE',
  'ANALYZER_UNAVAILABLE',
  'ANALYZER_FAILED',
  'STORAGE_FAILED',
  'RATE_LIMITED',
]);

/** Formats a byte count as `812 KB` or `8.0 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Returns the localised user message for `error`. NunchiError codes that describe the user's
 * input or a known service state get their own message; anything else gets the generic one.
 */
export function errorText(locale: BotLocale, error: unknown): string {
  if (!isNunchiError(error) || !USER_ERROR_CODES.has(error.code)) {
    return translate(locale, 'error_INTERNAL');
  }
  const details = error.details;
  const values: Record<string, string | number> = {};
  if (typeof details.length === 'number') values.length = details.length;
  if (typeof details.maxChars === 'number') values.max = details.maxChars;
  if (typeof details.max === 'number') values.max = details.max;
  if (typeof details.bytes === 'number') values.size = formatBytes(details.bytes);
  if (typeof details.maxBytes === 'number') values.max = formatBytes(details.maxBytes);
  if (typeof details.contentType === 'string') values.type = details.contentType;
  const text = translate(locale, `error_${error.code}` as MessageKey, values);
  // Drops a bracketed detail such as "(812 KB, at most 8.0 MB)" whose values the error lacks.
  return text.replace(/\s?\([^()]*\{\w+\}[^()]*\)/g, '');
}
