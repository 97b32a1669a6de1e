// Text from servers and files, made safe to print on a terminal: no keys, no control sequences.
import { redact } from '../core/redact';

/**
 * Escape sequences, in their ESC and one-byte (C1) forms: CSI (colours, clear screen, cursor moves), OSC to BEL
 * or ST (window title, links), DCS/SOS/PM/APC strings, two-byte escapes.
 */
const ESCAPES =
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|(?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?|\x1b[ -~]?/g;
/** What is left of control characters (C0 but tab and newline, DEL, C1 such as the one-byte CSI). */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Redacted, with every terminal control sequence and control character removed (tab and newline stay). */
export function forTerminal(text: string): string {
  return redact(text).replace(ESCAPES, '').replace(CONTROLS, '');
}

/** A JSON-shaped value (an event, a report) with every string in it through forTerminal. */
export function forTerminalDeep<T>(value: T): T {
  if (typeof value === 'string') return forTerminal(value) as T;
  if (Array.isArray(value)) return value.map(forTerminalDeep) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forTerminalDeep(v)])) as T;
  }
  return value;
}
