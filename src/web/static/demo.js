// Entry module of the demo page at `/`.
import { initDigits } from './digits.js';
import { initLanguage } from './i18n.js';
import { initSentiment } from './sentiment.js';

initLanguage();
initSentiment();
initDigits();
