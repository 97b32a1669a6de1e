// The story of a solution, read from its trace: what each step of the answer's path does, in plain words,
// which drafts were rejected there and why (their score against β), and what the large model wrote
// instead. Every surface that explains (inline hover, the server's hover, the panel) renders this.
import type { SearchEvent, Source, Verdict } from './events';

export interface RejectedDraft {
  text: string;
  /** The draft's own PRM score, judged against β. */
  score: number | null;
}

export interface ExplainedStep {
  /** 1-based position on the answer's path. */
  index: number;
  id: string;
  text: string;
  /** What the step does, in plain words. */
  plain: string;
  source: Source;
  /** accepted (a small-model draft that passed β), corrected (the large model's rewrite), or the large model's own. */
  how: 'accepted' | 'corrected' | 'large';
  score: number | null;
  /** β at this step, where SpecSearch judged drafts. */
  threshold: number | null;
  /** Drafts at this step that fell below β. */
  rejected: RejectedDraft[];
  /** For a correction: the rejected draft it replaces. */
  replaced: RejectedDraft | null;
}

/** What explaining needs of a thought; the trace (explainTrace) and the panel's state both provide it. */
export interface ExplainableThought {
  id: string;
  parentId: string | null;
  source: Source;
  text: string;
  /** The thought's own PRM score (what was judged against β). */
  score: number | null;
  verdict: Verdict | null;
  threshold: number | null;
  /** For the large model's rewrites: the rejected draft it replaces. */
  replaces: string | null;
}

const OPS: Record<string, (a: string, b: string, c: string) => string> = {
  '+': (a, b, c) => `Adds ${b} to ${a}, which gives ${c}.`,
  '-': (a, b, c) => `Subtracts ${b} from ${a}, which leaves ${c}.`,
  '*': (a, b, c) => `Multiplies ${a} by ${b}, which gives ${c}.`,
  '×': (a, b, c) => `Multiplies ${a} by ${b}, which gives ${c}.`,
  '/': (a, b, c) => `Divides ${a} by ${b}, which gives ${c}.`,
  '÷': (a, b, c) => `Divides ${a} by ${b}, which gives ${c}.`,
};

/** What a step does, in words: arithmetic read from its equation, the final answer named, else its first sentence. */
export function plainWords(step: string): string {
  const text = step.replace(/\s+/g, ' ').trim();
  const equation = [...text.matchAll(/(-?\d+(?:\.\d+)?) ?([-+*/×÷]) ?(-?\d+(?:\.\d+)?) ?= ?(-?\d+(?:\.\d+)?)/g)].at(-1);
  if (equation) {
    const [, a, op, b, c] = equation;
    return OPS[op](a, b, c);
  }
  const boxed = /\\boxed\{([^{}]*)\}/.exec(text)?.[1];
  const stated = /the (?:final )?answer is:? *\$?([^$]+?)\$?\.?$/i.exec(text)?.[1];
  const answer = boxed ?? stated;
  if (answer !== undefined) return `States the final answer, ${answer.trim()}.`;
  const first = /^(.{1,160}?[.!?])(\s|$)/.exec(text)?.[1] ?? (text.length > 160 ? `${text.slice(0, 159)}…` : text);
  return first;
}

/** The steps of the answer's path, each with its story; empty when the search found no path. */
export function explainTrace(events: readonly SearchEvent[]): ExplainedStep[] {
  const thoughts = new Map<string, ExplainableThought>();
  const children = new Map<string | null, string[]>();
  let path: string[] = [];
  for (const e of events) {
    switch (e.type) {
      case 'thought.drafted':
      case 'thought.corrected': {
        const corrected = e.type === 'thought.corrected';
        thoughts.set(e.id, {
          id: e.id,
          parentId: e.parentId,
          source: corrected ? 'large' : e.source,
          text: e.text,
          score: null,
          verdict: null,
          threshold: null,
          replaces: corrected ? e.replaces : null,
        });
        children.set(e.parentId, [...(children.get(e.parentId) ?? []), e.id]);
        break;
      }
      case 'thought.scored': {
        const t = thoughts.get(e.id);
        if (t) t.score = e.thoughtScore ?? e.score;
        break;
      }
      case 'thought.judged': {
        const t = thoughts.get(e.id);
        if (t) {
          t.verdict = e.verdict;
          t.threshold = e.threshold;
        }
        break;
      }
      case 'search.finished':
        path = e.path;
        break;
      default:
        break;
    }
  }
  return explainPath(
    path,
    (id) => thoughts.get(id),
    (parentId) => children.get(parentId) ?? [],
  );
}

/** The story of each thought on `path`, given how to look thoughts and a node's children up. */
export function explainPath(
  path: readonly string[],
  thought: (id: string) => ExplainableThought | undefined,
  childrenOf: (parentId: string | null) => readonly string[],
): ExplainedStep[] {
  return path.flatMap((id, i) => {
    const t = thought(id);
    if (!t) return [];
    const siblings = childrenOf(t.parentId)
      .map(thought)
      .filter((s): s is ExplainableThought => s !== undefined);
    const rejected = siblings.filter((s) => s.verdict === 'rejected').map((s) => ({ text: s.text, score: s.score }));
    const replaced = t.replaces ? thought(t.replaces) : undefined;
    const threshold = t.threshold ?? replaced?.threshold ?? siblings.find((s) => s.threshold !== null)?.threshold ?? null;
    const step: ExplainedStep = {
      index: i + 1,
      id,
      text: t.text,
      plain: plainWords(t.text),
      source: t.source,
      how: t.replaces !== null ? 'corrected' : t.source === 'small' ? 'accepted' : 'large',
      score: t.score,
      threshold,
      rejected,
      replaced: replaced ? { text: replaced.text, score: replaced.score } : null,
    };
    return [step];
  });
}

const f2 = (x: number | null) => (x === null ? '—' : x.toFixed(2));

/** One step's story as sentences (plain text; callers escape it for their medium). */
export function describeStep(s: ExplainedStep): string[] {
  const lines = [`${s.plain}`];
  if (s.how === 'accepted')
    lines.push(`Drafted by the small model and kept: the PRM scored it ${f2(s.score)}${s.threshold !== null ? `, at or above β ${f2(s.threshold)}` : ''}.`);
  else if (s.how === 'corrected') {
    lines.push(
      `Written by the large model (PRM ${f2(s.score)}) because the small model's draft fell short${s.replaced ? `: "${s.replaced.text.replace(/\s+/g, ' ').trim()}" scored ${f2(s.replaced.score)}${s.threshold !== null ? ` < β ${f2(s.threshold)}` : ''}` : ''}.`,
    );
  } else if (s.index === 1) lines.push(`Written by the large model (PRM ${f2(s.score)}): at the first step it writes a reference thought, whose score sets β.`);
  else lines.push(`Written by the large model (PRM ${f2(s.score)}).`);
  const others = s.rejected.filter((r) => r.text !== s.replaced?.text);
  if (others.length > 0) {
    const scores = others.map((r) => f2(r.score)).join(', ');
    lines.push(
      `${others.length} other draft${others.length === 1 ? ' was' : 's were'} rejected here (scores ${scores}${s.threshold !== null ? ` < β ${f2(s.threshold)}` : ''}).`,
    );
  }
  return lines;
}
