// Grades one `specsearch grade` JSON record: extracts the answers, then compares them.

import { answersEquivalent } from './equivalence';
import { extractAnswer, extractGsm8kReference } from './extract';

export interface GradeResult {
  /** The predicted final answer that was compared, or null when none could be found. */
  extracted: string | null;
  equivalent: boolean;
}

const SHAPE = 'expected a JSON object {"reference", "prediction"} or {"reference", "response"}';

function asText(x: unknown): string | null {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' && Number.isFinite(x)) return String(x);
  return null;
}

/** A reference may be a plain answer, a GSM8K solution (`#### N`) or a MATH solution (`\boxed`). */
function referenceAnswer(reference: string): string {
  if (/####/.test(reference)) return extractGsm8kReference(reference);
  if (/\\(?:boxed|fbox)(?![a-zA-Z])/.test(reference)) return extractAnswer(reference) ?? reference.trim();
  return reference.trim();
}

/** Looks like a solution text rather than a bare answer, so it needs extraction first. */
function needsExtraction(prediction: string): boolean {
  return /\\(?:boxed|fbox)(?![a-zA-Z])|(?:the|final)\s+answer\s*(?:is|:)|####/i.test(prediction);
}

/**
 * Grade `{reference, prediction}` (prediction = an answer, extracted from if it is wrapped
 * in `\boxed` or "The answer is") or `{reference, response}` (a whole solution text).
 * Throws an Error with a readable message when the record has neither shape.
 */
export function gradeRecord(input: unknown): GradeResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Error(`grade: ${SHAPE}, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
  }
  const record = input as Record<string, unknown>;
  const reference = asText(record.reference);
  if (reference === null) {
    throw new Error(`grade: ${SHAPE}; "reference" must be a string or number`);
  }
  const prediction = asText(record.prediction);
  const response = asText(record.response);
  let extracted: string | null;
  if (prediction !== null) {
    extracted = needsExtraction(prediction) ? (extractAnswer(prediction) ?? prediction.trim()) : prediction.trim();
  } else if (response !== null) {
    extracted = extractAnswer(response);
  } else {
    const keys = Object.keys(record).join(', ') || 'none';
    throw new Error(`grade: ${SHAPE}; a string "prediction" or "response" is missing (keys: ${keys})`);
  }
  const equivalent = extracted !== null && answersEquivalent(referenceAnswer(reference), extracted);
  return { extracted, equivalent };
}
