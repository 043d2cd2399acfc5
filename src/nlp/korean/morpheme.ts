/**
 * @module Morphemes as MeCab-ko prints them, and the token strings the models see.
 */

/** One morpheme of MeCab-ko output: `surface\tPOS,semantic,coda,reading,type,...`. */
export interface Morpheme {
  surface: string;
  /** First feature, the mecab-ko-dic part-of-speech tag such as NNG, JKS or EP+EC. */
  pos: string;
  /** All comma-separated features, `pos` first. */
  features: string[];
}

/**
 * A morpheme parsed from MeCab output that splits its feature string only when `pos` or
 * `features` is read. Bulk analysis creates millions of these, and splitting every feature string
 * up front costs more than MeCab's own analysis.
 */
export class MecabMorpheme implements Morpheme {
  private split: string[] | undefined;

  constructor(
    readonly surface: string,
    /** The comma-separated feature field as MeCab printed it. */
    readonly featureText: string,
  ) {}

  get pos(): string {
    const comma = this.featureText.indexOf(',');
    return comma < 0 ? this.featureText : this.featureText.slice(0, comma);
  }

  get features(): string[] {
    this.split ??= this.featureText.split(',');
    return this.split;
  }

  toJSON(): Morpheme {
    return { surface: this.surface, pos: this.pos, features: this.features };
  }
}

/**
 * Parses one morpheme line of MeCab's default output format (`surface\tfeatures`). Returns
 * undefined for a line without a tab; the caller handles EOS.
 */
export function parseMorphemeLine(line: string): Morpheme | undefined {
  const tab = line.indexOf('\t');
  if (tab < 0) return undefined;
  return new MecabMorpheme(line.slice(0, tab), line.slice(tab + 1));
}

/** Returns each morpheme's surface, or "surface/POS" when `withPos` is set. */
export function koreanTokens(
  morphemes: readonly Morpheme[],
  options: { withPos?: boolean } = {},
): string[] {
  if (options.withPos) return morphemes.map((morpheme) => `${morpheme.surface}/${morpheme.pos}`);
  return morphemes.map((morpheme) => morpheme.surface);
}
