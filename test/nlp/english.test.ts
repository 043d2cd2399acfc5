import { describe, expect, it } from 'vitest';
import { tokenize, tokenizeEnglish } from '../../src/nlp/index.ts';

describe('tokenizeEnglish', () => {
  it('keeps accented words whole and lowercases them', () => {
    expect(tokenizeEnglish('Amélie is NAÏVE')).toEqual(['amélie', 'is', 'naïve']);
  });

  it.each([
    ["didn't", ['did', 'not']],
    ['won’t', ['will', 'not']],
    ["can't", ['can', 'not']],
    ['cannot', ['can', 'not']],
    ['dont', ['do', 'not']],
    ["they're", ['they', 'are']],
    ["I've", ['i', 'have']],
    ["it's", ['it', 'is']],
    ["the film's", ['the', 'film']],
  ])('expands %s', (text, expected) => {
    expect(tokenizeEnglish(text, { negation: false })).toEqual(expected);
  });

  it('keeps digits and ratings', () => {
    expect(tokenizeEnglish('Rated 9/10, or 7.5/10 by 1,000 people in 2024')).toEqual([
      'rated',
      '9/10',
      'or',
      '7.5/10',
      'by',
      '1,000',
      'people',
      'in',
      '2024',
    ]);
  });

  it('marks negation up to the next punctuation', () => {
    expect(tokenizeEnglish("I didn't like the plot. The cast was great")).toEqual([
      'i',
      'did',
      'not',
      'NOT_like',
      'NOT_the',
      'NOT_plot',
      'the',
      'cast',
      'was',
      'great',
    ]);
  });

  it('ends negation at a contrast word', () => {
    expect(tokenizeEnglish('not great but fun')).toEqual(['not', 'NOT_great', 'but', 'fun']);
  });

  it('can leave negation unmarked', () => {
    expect(tokenizeEnglish('never good', { negation: false })).toEqual(['never', 'good']);
  });

  it('stems on request', () => {
    expect(tokenizeEnglish('loved the movies', { stem: true })).toEqual(['love', 'the', 'movi']);
    expect(tokenizeEnglish('not loved', { stem: true })).toEqual(['not', 'NOT_love']);
  });

  it('keeps ! ? and emoji, drops other punctuation and HTML', () => {
    expect(tokenizeEnglish('Wow!!! Really?<br /><br />"Best" 👍🏻 film...')).toEqual([
      'wow',
      '!',
      '!',
      '!',
      'really',
      '?',
      'best',
      '👍🏻',
      'film',
    ]);
  });

  it('treats Object.prototype names as plain words', () => {
    const text = 'constructor toString __proto__ hasOwnProperty valueOf';
    expect(tokenizeEnglish(text)).toEqual([
      'constructor',
      'tostring',
      'proto',
      'hasownproperty',
      'valueof',
    ]);
    expect(tokenizeEnglish(text, { stem: true })).toHaveLength(5);
  });

  it('returns nothing for punctuation only', () => {
    expect(tokenizeEnglish('... , ;')).toEqual([]);
  });
});

describe('tokenize routing', () => {
  it('sends English text to the English tokenizer', async () => {
    const result = await tokenize('A truly great film');
    expect(result.language).toBe('en');
    expect(result.tokenizer).toBe('en');
    expect(result.tokens).toEqual(['a', 'truly', 'great', 'film']);
  });

  it('honours a forced language', async () => {
    const result = await tokenize('great film', { lang: 'en' });
    expect(result.tokenizer).toBe('en');
    expect(result.normalized).toBe('great film');
  });
});
