// Human-readable rendering of a SearchEvent stream for the terminal.
import { ALGORITHM_INFO } from '../core/settings';
import type { SearchEvent, SearchStats } from '../core/events';
import { describeStep, explainTrace } from '../core/explain';
import { acceptanceText, verdictText } from '../core/verdict';
import { forTerminalDeep } from './terminal';
import type { Mode } from '../core/models/types';

interface Thought {
  text: string;
  source: 'small' | 'large';
  score?: number;
  replaces?: string | null;
}

const ANSI = { green: '\x1b[32m', red: '\x1b[31m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

export class TracePrinter {
  private readonly thoughts = new Map<string, Thought>();
  private readonly events: SearchEvent[] = [];
  private method = 'specsearch';
  private mode: Mode = 'solve';

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly options: { color: boolean },
  ) {}

  private paint(color: keyof typeof ANSI, text: string): string {
    return this.options.color ? `${ANSI[color]}${text}${ANSI.reset}` : text;
  }

  private line(mark: string, color: keyof typeof ANSI, t: Thought, detail: string): void {
    const text = t.text.replace(/\s*\n\s*/g, ' ⏎ ');
    this.out.write(`  ${this.paint(color, mark)} ${t.source.padEnd(5)} ${detail.padEnd(16)} ${text}\n`);
  }

  /** Every text of the event (thoughts, answers, a server's error) is cleaned before it reaches the terminal. */
  print(event: SearchEvent): void {
    const e = forTerminalDeep(event);
    this.events.push(e);
    switch (e.type) {
      case 'search.started':
        this.method = e.method;
        this.mode = e.mode;
        this.out.write(
          this.paint('bold', `${e.method} · ${e.algorithm}`) +
            this.paint('dim', ` · ${(ALGORITHM_INFO[e.algorithm]?.parameters ?? []).map((p) => `${p.label}=${e.settings[p.key]}`).join(' ')}`) +
            '\n',
        );
        break;
      case 'step.started':
        this.out.write(this.paint('dim', `step ${e.depth}`) + '\n');
        break;
      case 'thought.drafted':
        this.thoughts.set(e.id, { text: e.text, source: e.source });
        break;
      case 'thought.corrected':
        this.thoughts.set(e.id, { text: e.text, source: 'large', replaces: e.replaces });
        break;
      case 'thought.scored': {
        const t = this.thoughts.get(e.id);
        if (!t) break;
        t.score = e.thoughtScore ?? e.score;
        // SpecSearch prints drafts when judged; corrections, the large model's reference thoughts at the
        // root and baseline thoughts have no verdict.
        if (t.replaces !== undefined) this.line('↻', 'yellow', t, `${t.score.toFixed(2)}${t.replaces ? ` for ${t.replaces}` : ''}`);
        else if (this.method !== 'specsearch' || t.source === 'large') this.line('•', 'dim', t, t.score.toFixed(2));
        break;
      }
      case 'thought.judged': {
        const t = this.thoughts.get(e.id);
        if (!t) break;
        const score = (t.score ?? 0).toFixed(2);
        const beta = e.threshold.toFixed(2);
        if (e.verdict === 'accepted') this.line('✓', 'green', t, `${score} ≥ ${beta}`);
        else if (e.verdict === 'surplus') this.line('·', 'dim', t, `${score} ≥ ${beta}, not needed`);
        else this.line('✗', 'red', t, `${score} < ${beta}`);
        break;
      }
      case 'search.finished': {
        if (this.mode === 'explain') {
          this.out.write(this.paint('bold', 'explanation:') + '\n');
          for (const step of explainTrace(this.events)) {
            const [plain, ...story] = describeStep(step);
            this.out.write(`  ${step.index}. ${plain} ${this.paint('dim', `(${step.text.replace(/\s*\n\s*/g, ' ')})`)}\n     ${story.join(' ')}\n`);
          }
        }
        if (e.verified) this.out.write(this.paint('bold', `answer: ${e.answer} ${verdictText(e)}`) + '\n');
        else {
          this.out.write(this.paint('bold', `answer: ${e.answer ?? '(no answer found)'}`) + this.paint('yellow', ` ${verdictText(e)}`) + '\n');
          if (e.caveat) this.out.write(this.paint('yellow', `  ${e.caveat}`) + '\n');
        }
        break;
      }
      case 'search.failed':
        this.out.write(this.paint('red', `failed (${e.error.code}): ${e.error.message}`) + '\n');
        break;
      default:
        break;
    }
  }
}

export function formatStats(s: SearchStats): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const parts = [
    `time ${seconds(s.wallMs)}`,
    `small ${s.small.tokens} tok / ${seconds(s.small.ms)}`,
    `large ${s.large.tokens} tok / ${seconds(s.large.ms)}`,
    `PRM ${s.prm.scored} scored / ${seconds(s.prm.ms)}`,
  ];
  if (s.acceptanceRate !== null)
    parts.push(`drafts kept ${s.accepted} of ${s.drafted} (${s.rejected} below β)`, `corrections ${s.corrections}`, acceptanceText(s.acceptanceRate));
  if (s.speculative) parts.push(`speculation ${s.speculative.accepted}/${s.speculative.drafted} draft tokens accepted`);
  return parts.join(' · ');
}
