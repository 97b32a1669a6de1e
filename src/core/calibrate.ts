// Fitting an answer calibration from labelled solves, and reading how well one holds: Platt scaling of
// "the answer is right" on the log-odds of the weakest score on its path, a 10-bin reliability table and the
// expected calibration error (ECE). `specsearch calibrate` and the model card's figures use these.
import { confidenceFor, logOdds, type ConfidenceBasis } from './confidence';
import type { AnswerCalibration, PlattMap } from './settings';

export interface LabelledAnswer {
  weakestScore: number | null;
  basis: ConfidenceBasis | null;
  right: boolean;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * P(right) = σ(a + b·ln(s / (1 − s))) by Newton's method on the log-loss with Platt's smoothed targets
 * ((N₊ + 1)/(N₊ + 2) for right answers, 1/(N₋ + 2) for wrong ones), so that classes that separate completely
 * still give a finite slope. Null with fewer than 2 answers.
 */
export function fitPlatt(samples: readonly { score: number; right: boolean }[]): PlattMap | null {
  if (samples.length < 2) return null;
  const pos = samples.filter((x) => x.right).length;
  const neg = samples.length - pos;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const xs = samples.map((x) => ({ z: logOdds(x.score), t: x.right ? hi : lo }));
  // Mean log-loss against the smoothed targets; Newton's method with a step halved until the loss falls.
  const loss = (a: number, b: number) => {
    let l = 0;
    for (const { z, t } of xs) {
      const u = a + b * z;
      // log(1 + e^u) without overflow, then −[t·log σ(u) + (1 − t)·log(1 − σ(u))] = log(1 + e^u) − t·u.
      l += (u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u))) - t * u;
    }
    return l / xs.length;
  };
  let a = 0;
  let b = 1;
  let current = loss(a, b);
  for (let iter = 0; iter < 500; iter++) {
    let ga = 0,
      gb = 0,
      haa = 1e-9,
      hab = 0,
      hbb = 1e-9;
    for (const { z, t } of xs) {
      const p = sigmoid(a + b * z);
      const w = p * (1 - p);
      ga += p - t;
      gb += (p - t) * z;
      haa += w;
      hab += w * z;
      hbb += w * z * z;
    }
    const det = haa * hbb - hab * hab;
    const da = det > 0 ? (hbb * ga - hab * gb) / det : ga;
    const db = det > 0 ? (haa * gb - hab * ga) / det : gb;
    let step = 1;
    let next = loss(a - da, b - db);
    while (!(next < current) && step > 1e-12) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (!(next < current)) break;
    a -= step * da;
    b -= step * db;
    const gain = current - next;
    current = next;
    if (gain < 1e-13) break;
  }
  // A score that goes against being right is read as saying nothing: the slope is kept at 0 or above.
  if (b < 0) return fitConstant(xs);
  return { intercept: Number(a.toPrecision(4)), slope: Number(b.toPrecision(4)) };
}

/** The best constant map: the smoothed share of right answers. */
function fitConstant(xs: readonly { t: number }[]): PlattMap {
  const mean = xs.reduce((n, x) => n + x.t, 0) / xs.length;
  return { intercept: Number(logOdds(mean).toPrecision(4)), slope: 0 };
}

/** Fits the map for answers inside the models' domain and, where there are any, the one for answers outside it. */
export function fitAnswerCalibration(answers: readonly LabelledAnswer[]): { calibration: AnswerCalibration | null; inside: number; outside: number } {
  const of = (basis: ConfidenceBasis) =>
    answers.filter((x) => x.basis === basis && x.weakestScore !== null).map((x) => ({ score: x.weakestScore!, right: x.right }));
  const inside = of('score');
  const outside = of('outside');
  const main = fitPlatt(inside);
  const out = fitPlatt(outside);
  return { calibration: main ? { ...main, ...(out ? { outside: out } : {}) } : null, inside: inside.length, outside: outside.length };
}

/** The confidence an answer gets under `calibration` (as src/core/confidence.ts gives it); null where it has none. */
export function confidenceUnder(x: LabelledAnswer, calibration: AnswerCalibration): number | null {
  return x.basis === null ? null : confidenceFor(x.basis, x.weakestScore, calibration);
}

export interface ReliabilityRow {
  /** The bin [lo, hi) of confidence (the last bin holds 1). */
  lo: number;
  hi: number;
  count: number;
  meanConfidence: number | null;
  accuracy: number | null;
}

export interface Reliability {
  rows: ReliabilityRow[];
  /** Σ over bins of (count / total) · |accuracy − mean confidence|. */
  ece: number;
  count: number;
}

export function reliability(points: readonly { confidence: number; right: boolean }[], bins = 10): Reliability {
  const rows: ReliabilityRow[] = Array.from({ length: bins }, (_, i) => ({ lo: i / bins, hi: (i + 1) / bins, count: 0, meanConfidence: null, accuracy: null }));
  const sums = rows.map(() => ({ p: 0, right: 0 }));
  for (const x of points) {
    const i = Math.min(bins - 1, Math.floor(x.confidence * bins));
    rows[i]!.count++;
    sums[i]!.p += x.confidence;
    sums[i]!.right += x.right ? 1 : 0;
  }
  let ece = 0;
  rows.forEach((r, i) => {
    if (r.count === 0) return;
    r.meanConfidence = sums[i]!.p / r.count;
    r.accuracy = sums[i]!.right / r.count;
    ece += (r.count / points.length) * Math.abs(r.accuracy - r.meanConfidence);
  });
  return { rows, ece: points.length === 0 ? 0 : ece, count: points.length };
}

/** The reliability table as Markdown. */
export function reliabilityMarkdown(r: Reliability): string {
  const f = (x: number | null) => (x === null ? '–' : x.toFixed(3));
  const lines = ['| confidence | answers | mean confidence | share right |', '|---|---|---|---|'];
  for (const row of r.rows) lines.push(`| ${row.lo.toFixed(1)}–${row.hi.toFixed(1)} | ${row.count} | ${f(row.meanConfidence)} | ${f(row.accuracy)} |`);
  lines.push('', `Expected calibration error: **${r.ece.toFixed(4)}** over ${r.count} answers.`);
  return lines.join('\n');
}
