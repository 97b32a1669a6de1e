// A search's id: short, unique in a session, the same form wherever a search starts (CLI, language server, editor).
import { randomUUID } from 'node:crypto';

export function newSearchId(): string {
  return `s-${randomUUID().slice(0, 8)}`;
}
