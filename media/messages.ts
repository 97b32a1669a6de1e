// Messages between the reasoning panel (webview) and the extension: the panel only ever receives events.
import type { SearchEvent } from '../src/core/events';
import type { Method } from '../src/core/config';

export type ToPanel =
  /** Events of one search, in order; `from` is the index of the first one (lets the page skip duplicates). */
  | { type: 'events'; searchId: string; from: number; events: SearchEvent[] }
  /** Bring a search to the front (a new search, or the user picked it elsewhere). */
  | { type: 'show'; searchId: string }
  /** What idle panels show: the profile in use. */
  | { type: 'profile'; profile: string; models: { small: string; large: string; prm: string } | null };

export type FromPanel =
  /** The page is (re)loaded; `have` says how many events of each search it restored from its saved state. */
  | { type: 'ready'; have: Record<string, number> }
  | { type: 'stop'; searchId: string }
  | { type: 'export'; searchId: string }
  | { type: 'rerun'; searchId: string; method?: Method }
  | { type: 'copy'; searchId: string }
  | { type: 'insert'; searchId: string; worked: boolean }
  | { type: 'solveSelection' };
