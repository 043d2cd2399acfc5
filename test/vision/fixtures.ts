/** Test images drawn on the fly; the renderer lives in src so that the benchmark shares it. */
export { DIGIT_PATHS, type DrawOptions, digitSvg, drawDigits } from '../../src/vision/synthetic.ts';
