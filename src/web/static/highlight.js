// Finds where the model's top words occur in the text the user typed. A token may carry a
// part-of-speech tag ("재밌/VA") or a subword mark ("▁great", "##ing"), or be an n-gram of such
// parts ("정말/MAG 재밌/VA"). Each is matched by its surface form.

const TAG_SUFFIX = /\/[A-Z]{1,4}(?:\+[A-Z]{1,4})*$/;
const SUBWORD_MARK = /^(?:▁|##)/;
const LATIN_WORD_CHAR = /[\p{Script=Latin}\p{Nd}]/u;

/** Returns the surface forms of `token`, one per space-separated part, without tags or marks. */
export function surfaceForms(token) {
  return String(token)
    .split(/\s+/)
    .map((part) => part.replace(TAG_SUFFIX, '').replace(SUBWORD_MARK, ''))
    .filter((part) => part.length > 0);
}

function candidatesOf(token) {
  const forms = surfaceForms(token);
  if (forms.length <= 1) return forms;
  return [forms.join(' '), forms.join(''), ...forms];
}

// A Latin word matches only as a whole word, so "a" does not light up inside "great". Hangul
// morphemes attach to their neighbours and match anywhere.
function isWordBounded(text, start, end, candidate) {
  if (!LATIN_WORD_CHAR.test(candidate)) return true;
  const before = start > 0 ? text[start - 1] : '';
  const after = end < text.length ? text[end] : '';
  return !LATIN_WORD_CHAR.test(before) && !LATIN_WORD_CHAR.test(after);
}

function overlaps(ranges, start, end) {
  return ranges.some((range) => start < range.end && range.start < end);
}

/**
 * Returns the non-overlapping ranges of `text` where the surface forms of `topWords` occur, sorted
 * by position. Stronger words (earlier in `topWords`) claim a position first.
 *
 * @param {string} text the text as typed
 * @param {{token: string, weight: number}[]} topWords strongest first
 * @returns {{start: number, end: number, token: string, weight: number}[]}
 */
export function findHighlights(text, topWords) {
  const lower = text.toLowerCase();
  // Lower-casing changes the length of a few characters (such as "İ"), so then match case-sensitively.
  const haystack = lower.length === text.length ? lower : text;
  const ranges = [];
  for (const { token, weight } of topWords) {
    for (const candidate of candidatesOf(token)) {
      const needle = haystack === lower ? candidate.toLowerCase() : candidate;
      let found = false;
      for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
        const end = at + needle.length;
        if (!isWordBounded(text, at, end, candidate) || overlaps(ranges, at, end)) continue;
        ranges.push({ start: at, end, token, weight });
        found = true;
      }
      if (found) break;
    }
  }
  return ranges.sort((a, b) => a.start - b.start);
}

/** Splits `text` into consecutive segments; a segment inside a range carries that range. */
export function splitText(text, ranges) {
  const segments = [];
  let position = 0;
  for (const range of ranges) {
    if (range.start > position) segments.push({ text: text.slice(position, range.start) });
    segments.push({ text: text.slice(range.start, range.end), range });
    position = range.end;
  }
  if (position < text.length) segments.push({ text: text.slice(position) });
  return segments;
}
