/**
 * @module Text normalization shared by training and inference, and the length cap applied
 * before analysis. Both must stay identical between the two, so every model saves
 * `PREPROCESSING_VERSION` in its metadata.
 */

/** Changes whenever `normalize` or a tokenizer changes its output for some input. */
export const PREPROCESSING_VERSION = 'nlp-1';

/** Zero-width space, non-joiner, joiner, word joiner, soft hyphen and the byte order mark. */
const ZERO_WIDTH = /\u200B|\u200C|\u200D|\u2060|\u00AD|\uFEFF/g;
/** C0 and C1 control characters, line and paragraph separators (tab and newline included). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
/** Opening, closing and self-closing HTML tags such as `<br />`, `<p>` and `</b>`. */
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,200})?\/?>/g;
const HTML_ENTITIES: Record<string, string> = {
  '&nbsp;': ' ',
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&apos;': "'",
  '&lt;': '<',
  '&gt;': '>',
};
const HTML_ENTITY = /&(?:nbsp|amp|quot|#39|apos|lt|gt);/g;
/** Any Unicode whitespace, including no-break and ideographic spaces. */
const WHITESPACE = /[\s\u3000]+/g;
/** A run of four or more of the same code point. */
const LONG_RUN = /(.)\1{3,}/gsu;
/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Normalizes a text for analysis: Unicode NFC, zero-width characters and BOM removed, lone
 * surrogates, control characters, tabs, newlines and U+2028/U+2029 mapped to spaces, HTML
 * tags and the common entities removed or decoded, whitespace collapsed and trimmed, and a run of
 * one character longer than three squeezed to three (ㅋㅋㅋㅋㅋ -> ㅋㅋㅋ). Emoji, digits and
 * ratings such as "9/10" are kept. The result never contains a line break, so it is safe to
 * write as one line to MeCab.
 */
export function normalize(text: string): string {
  let result = text.replace(LONE_SURROGATE, ' ');
  result = result.normalize('NFC').replace(ZERO_WIDTH, '');
  result = result.replace(HTML_TAG, ' ').replace(HTML_ENTITY, (entity) => HTML_ENTITIES[entity]);
  result = result.replace(CONTROL, ' ').replace(WHITESPACE, ' ');
  return result.replace(LONG_RUN, '$1$1$1').trim();
}

/** A text cut to a maximum length, with a flag saying whether anything was cut. */
export interface CappedText {
  text: string;
  truncated: boolean;
}

/**
 * Cuts `text` to at most `maxChars` UTF-16 code units without splitting a surrogate pair, then
 * trims trailing whitespace. `truncated` is true when characters were removed.
 */
export function capText(text: string, maxChars: number): CappedText {
  if (text.length <= maxChars) return { text, truncated: false };
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { text: text.slice(0, end).trimEnd(), truncated: true };
}

/**
 * Makes any string safe to write to MeCab as one input line: lone surrogates, control
 * characters (line breaks and NUL included) and U+2028/U+2029 mapped to spaces, then capped. It
 * does not normalize, so callers that want identical tokens at training and inference call
 * `normalize` first.
 */
export function toMecabLine(text: string, maxChars: number): CappedText {
  const safe = text.replace(LONE_SURROGATE, ' ').replace(CONTROL, ' ');
  return capText(safe, maxChars);
}
