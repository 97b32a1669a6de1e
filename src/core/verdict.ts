// How every surface writes what search.finished says of an answer: its confidence, verified or not, the
// threshold, and the share of drafts kept. One home, no imports, so the CLI, the language server (CodeLens,
// hover), the extension (inline text, notifications) and the panel's webview all bundle the same words.

/** What search.finished carries about the answer (src/core/confidence.ts computes it). */
export interface VerdictFacts {
  answer: string | null;
  /** P(the answer is right) where the PRM is calibrated; otherwise its weakest step score; null when none. */
  confidence: number | null;
  /** Whether confidence is a calibrated probability (models.prm.answerCalibration). */
  calibrated: boolean;
  /** search.minConfidence when the search ran. */
  threshold: number;
  verified: boolean;
  caveat: string | null;
}

/**
 * A confidence as text, rounded down to two places (or as many as the threshold has), so that a value below
 * the threshold never reads as at or above it: 0.4999 is "0.49", 0.9996 is "0.99", not "1.00".
 */
export function formatConfidence(p: number, threshold = 0.5): string {
  if (p >= 1) return '1.00';
  if (p <= 0) return '0.00';
  const places = Math.max(2, decimalsOf(threshold));
  if (p < 10 ** -places) return `< ${(10 ** -places).toFixed(places)}`;
  const scale = 10 ** places;
  return (Math.floor(p * scale + 1e-9) / scale).toFixed(places);
}

function decimalsOf(x: number): number {
  const s = String(x);
  return s.includes('.') ? Math.min(4, s.split('.')[1]!.length) : 0;
}

/** "confidence 0.98" · "confidence 0.31, below 0.5" · "score 0.31 (uncalibrated), below 0.5" · "confidence unknown". */
export function confidenceText(v: Pick<VerdictFacts, 'confidence' | 'calibrated' | 'threshold' | 'verified'>): string {
  if (v.confidence === null) return 'confidence unknown';
  const value = formatConfidence(v.confidence, v.threshold);
  const head = v.calibrated ? `confidence ${value}` : `PRM score ${value} (uncalibrated)`;
  return v.verified ? head : `${head}, below ${v.threshold}`;
}

/** "✓ verified" or "⚠ unverified". */
export function verdictWord(v: Pick<VerdictFacts, 'verified'>): string {
  return v.verified ? '✓ verified' : '⚠ unverified';
}

/** "✓ verified · confidence 0.98" / "⚠ unverified · confidence 0.31, below 0.5": what follows an answer. */
export function verdictText(v: VerdictFacts): string {
  return `${verdictWord(v)} · ${confidenceText(v)}`;
}

/** "32 ✓ verified · confidence 0.98": the answer with its verdict, for one-line surfaces. */
export function answerLine(v: VerdictFacts): string {
  return `${v.answer ?? '(no answer found)'} ${verdictText(v)}`;
}

/** A tooltip or help line explaining what the confidence is. */
export function confidenceMeaning(v: Pick<VerdictFacts, 'calibrated' | 'threshold'>): string {
  return v.calibrated
    ? `Confidence is the calibrated probability that the answer is right; answers at or above ${v.threshold} (specsearch.search.minConfidence) are verified.`
    : `The PRM is not calibrated: the number is its score of the weakest step, not a probability (specsearch calibrate fits one). Answers scoring at or above ${v.threshold} (specsearch.search.minConfidence) are verified.`;
}

/** The share of kept thoughts the small model wrote: accepted / (accepted + corrected); null when nothing was judged. */
export function acceptanceRate(accepted: number, corrected: number, judged: number): number | null {
  return judged === 0 || accepted + corrected === 0 ? null : accepted / (accepted + corrected);
}

/** "small model wrote 59 % of kept thoughts" (or of the kept thoughts at one depth). */
export function acceptanceText(rate: number | null): string {
  return rate === null ? 'no drafts judged' : `small model wrote ${Math.round(rate * 100)} % of kept thoughts`;
}
