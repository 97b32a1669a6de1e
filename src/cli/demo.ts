// `specsearch demo`: a few fresh tiny problems solved with SpecSearch on the bundled models, one line each,
// then one just past what the models know, to show how an answer they cannot back is marked.
import { parseSettings, withSearchOverrides } from '../core/config';
import { answersEquivalent } from '../core/answer/equivalence';
import { createModels, disposeModels } from '../core/models/factory';
import { solve } from '../core/solve';
import { answerCheckOf } from '../core/events';
import { generateBeyondProblems } from '../core/tiny/neighbours';
import { heldOutProblems } from '../core/tiny/held-out';
import { answerLine } from '../core/verdict';
import { integerFlag } from './flags';
import { formatStats } from './print';
import { forTerminal } from './terminal';

export async function runDemo(flags: { count?: string; seed?: string; method?: string }): Promise<number> {
  const count = integerFlag('count', flags.count, 1, 1000) ?? 5;
  // Seeds from 100 up are never training streams, and heldOutProblems skips any problem a training stream held.
  const seed = integerFlag('seed', flags.seed, 100) ?? 100 + (Date.now() % 100_000);

  // The bundled models, as the demo says: never a specsearch.config.json found in the working directory.
  const base = parseSettings({ profile: 'tiny' }, 'the demo (profile tiny)');
  const settings = withSearchOverrides(base, { method: (flags.method as 'specsearch' | undefined) ?? 'specsearch' }, 'the command line');
  process.stdout.write(
    `SpecSearch demo: ${count} fresh problem${count === 1 ? '' : 's'} (seed ${seed}), bundled tiny models, method ${settings.search.method}\n\n`,
  );
  const models = await createModels(settings);
  let right = 0;
  try {
    for (const [i, p] of heldOutProblems(seed, count).entries()) {
      const r = await solve({ problem: p.problem, settings, models });
      const ok = r.answer !== null && answersEquivalent(String(p.answer), r.answer);
      if (ok) right++;
      const s = r.stats;
      process.stdout.write(
        `${String(i + 1).padStart(2)}. ${p.problem}\n` +
          `    answer ${answerLine(answerCheckOf(r))} · ${ok ? 'right' : `wrong (expected ${p.answer})`}` +
          ` · drafted ${s.drafted}, kept ${s.accepted}, below β ${s.rejected}, corrected ${s.corrections}` +
          ` · ${(s.wallMs / 1000).toFixed(2)} s${r.error ? ` · failed: ${forTerminal(r.error.message)}` : ''}\n`,
      );
      if (i === count - 1) process.stdout.write(`    ${formatStats(s)}\n`);
    }
    // What a user types next: the same wording with numbers past what the models were trained on.
    const beyond = generateBeyondProblems(seed, 1)[0]!;
    const r = await solve({ problem: beyond.problem, settings, models });
    const check = answerCheckOf(r);
    process.stdout.write(
      `\nPast what the models know: ${beyond.problem}\n` +
        `    answer ${answerLine(check)} · ${r.answer !== null && answersEquivalent(String(beyond.answer), r.answer) ? 'right' : `wrong (expected ${beyond.answer})`}\n` +
        (check.caveat ? `    ${forTerminal(check.caveat)}\n` : ''),
    );
  } finally {
    await disposeModels(models);
  }
  process.stdout.write(
    `\n${right}/${count} right. Try one yourself: node dist/cli.js solve "Start with 7. Add 5. Multiply by 3. Subtract 4. What is the result?"\n`,
  );
  return 0;
}
