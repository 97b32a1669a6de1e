// Numeric command-line flags, read one way for every command: plain decimal digits only (no 1e3, 0x10, 1.0).
import { usageError } from './errors';

export function integerFlag(flag: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(`--${flag} ${value} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}, written in digits.`);
  }
  return n;
}
