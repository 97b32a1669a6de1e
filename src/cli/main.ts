// The `specsearch` command: solve, grade, bench, calibrate, doctor, demo, lsp. One place turns errors into exit codes.
import { parseArgs } from 'node:util';
import { ALGORITHM_INFO, ALGORITHMS, METHOD_INFO, METHODS, PRM_KIND_INFO, SERVED_PRM_KINDS } from '../core/config';
import { EXIT, exitCodeFor, printError, usageError } from './errors';
import { takeEarlySignals } from './early-signals';
import { INTERRUPTED_EXIT, listenForInterrupts } from './signals';
import { runSolve } from './solve';
import { VERSION } from '../core/version';
import { runGrade } from './grade';

/** Each choice of a flag with its descriptor's description, one per line under the flag. */
function choices<K extends string>(names: readonly K[], info: Record<K, { description: string }>, indent: number): string {
  const width = Math.max(...names.map((n) => n.length));
  return names.map((n) => `${' '.repeat(indent)}${n.padEnd(width)}  ${info[n].description}`).join('\n');
}

const HELP: Record<string, string> = {
  main: `specsearch — speculative search for math and logic reasoning with local models

Usage:
  specsearch solve [PROBLEM] [options]   solve a problem (argument or stdin)
  specsearch grade                       grade {reference, prediction|response} JSON lines from stdin
  specsearch bench [options]             SpecSearch against its baselines
  specsearch calibrate [options]         fit the answers' confidence to labelled problems
  specsearch doctor [options]            check the configured model servers
  specsearch discover [options]          find the model servers running here; write a config for them
  specsearch demo                        solve a few fresh problems with the bundled tiny models
  specsearch lsp --stdio                 run the language server

Run "specsearch COMMAND --help" for a command's options.`,
  solve: `Usage: specsearch solve [PROBLEM] [options]

Solves PROBLEM (or the text on stdin) and prints every thought as it is drafted, judged and corrected.

Options:
  --method ${METHODS.join('|')}   who writes the thoughts (default: specsearch):
${choices(METHODS, METHOD_INFO, 42)}
  --algorithm ${ALGORITHMS.join('|')}       the tree search (default: beam):
${choices(ALGORITHMS, ALGORITHM_INFO, 42)}
  --profile NAME                        a named settings bundle (default: tiny, the bundled CPU models)
  --config FILE                         settings file (default: ./specsearch.config.json when present;
                                        a file found that way may not use apiKeyEnv unless
                                        SPECSEARCH_TRUST_CONFIG=1)
  --mode solve|explain                  explain frames the result as a worked explanation
  --seed N                              sampling seed (default: 0)
  --json                                one SearchEvent per line on stdout
  -h, --help                            this help

Exit codes: 0 finished, 1 search failed (server error, timeout, cancelled: Ctrl-C stops the search and
prints what it found), 2 usage or configuration error (a model file that is missing or not a GGUF model
included), 130 when a third Ctrl-C quits without waiting.`,
  demo: `Usage: specsearch demo [--count N] [--seed N] [--method ${METHODS.join('|')}]

Generates N fresh chain-arithmetic problems (default 5; seeds ≥ 100 are never used in training) and
solves them with the bundled tiny models, printing per problem the answer with its verdict (verified
or not, and its confidence), right or wrong, thoughts drafted / accepted / rejected / corrected, and the
time; then one problem in the same wording with numbers past what the models know, and why its answer
is not verified.`,
  bench: `Usage: specsearch bench [options]

Runs every method on the same problems in one process, interleaved problem by problem (with
--concurrency N: one method after another, N problems in flight), and writes DIR/results.json,
DIR/report.md and SVG plots: accuracy, latency, throughput, speed-ups.

Options:
  --preset paper                     the paper's benchmark: large, sps and specsearch on gsm8k and
                                     math500, one folder each under --out (default bench/results/paper)
                                     and DIR/paper.md, the paper's table over both (docs/bench.md)
  --dataset FILE.jsonl|NAME|tiny:SEED:N
                                     rows {id?, problem|question, answer} (GSM8K "#### N" accepted),
                                     gsm8k or math500 (bench/data), or N fresh tiny problems from
                                     SEED ≥ 100, held out from every training stream
                                     (default tiny:1000:20)
  --methods LIST                     comma-separated, from large,sps,specsearch,small (default: all four)
  --algorithm ${ALGORITHMS.join('|')}    the tree search (default: from settings):
${choices(ALGORITHMS, ALGORITHM_INFO, 39)}
  --profile NAME / --config FILE     settings, as for solve
  --limit N                          the first N problems only
  --seed N                           base sampling seed (problem i uses seed + i)
  --concurrency N                    problems in flight at once (default 1); each model still has at
                                     most its maxConcurrency requests in flight
  --warm                             keep caches from solve to solve (a running language server's
                                     state); by default every solve starts cold, with the in-process
                                     models' KV caches and known path scores emptied
  --baseline FILE                    a config whose models.large serves the \`large\` column: the large
                                     model without token-level speculation
  --allow-speculative-baseline       measure \`large\` even on a server that speculates (the report
                                     then says so at the top); without it, bench refuses
  --out DIR                          output folder (default bench/results/latest)
  --json                             print the summary as one JSON line`,
  calibrate: `Usage: specsearch calibrate --dataset SPEC [--dataset SPEC …] [options]
       specsearch calibrate --from FILE [--from FILE …] [options]

Solves labelled problems with the configured models and fits models.prm.answerCalibration: the map from
the weakest PRM score on an answer's path to the probability that the answer is right, which every
surface shows as the answer's confidence (verified from search.minConfidence). Prints a 10-bin
reliability table and the expected calibration error. A GSM8K slice works; fit on problems like the
ones you will solve, and check on others (--evaluate).

Options:
  --dataset FILE.jsonl|tiny:SEED:N|tiny-beyond:SEED:N|tiny-other:SEED:N
                                     labelled problems, as for bench; repeat for a mix
  --methods LIST                     whose answers to fit on (default: the configured method)
  --profile NAME / --config FILE     settings, as for solve
  --limit N                          the first N problems of each dataset
  --seed N                           base sampling seed (problem i uses seed + i)
  --write FILE                       set models.prm.answerCalibration in this JSON settings file
                                     (created if missing; everything else in it is kept)
  --from FILE                        answers solved before (a calibration.json written by --out)
                                     instead of --dataset: fit or evaluate without solving again
  --evaluate                         fit nothing: read how the configured calibration holds here
  --out DIR                          write DIR/calibration.json (every answer and the figures)
  --json                             print the figures as one JSON line

Exit codes: 0 done, 1 some solves failed (left out of the fit), 2 usage or configuration error.`,
  doctor: `Usage: specsearch doctor [--config FILE] [--profile NAME] [--json]

Checks each configured model: reachable, the model served, capabilities, a one-token round trip, what
is missing and the server flag that fixes it. Exit 0 when all is well, 1 otherwise.`,
  discover: `Usage: specsearch discover [--json] [--ports 8000,30000,8080,11434,1234] [--host 127.0.0.1]
       specsearch discover --small MODEL --large MODEL --prm MODEL [--prm-kind ${SERVED_PRM_KINDS.join('|')}] [--write [--out FILE]]

Probes the usual ports of vLLM (8000), SGLang (30000), llama-server (8080), Ollama (11434) and LM Studio (1234)
and lists each server found: its kind, version and models (a closed port is skipped at once, a silent one
after 1.5 s). With --small/--large/--prm (a model name, or URL#MODEL where two servers list it) it prints
the specsearch.config.json for that choice, or writes it with --write (never over an existing file).

--prm-kind says what the PRM is (default: guessed from its name and server):
${choices(SERVED_PRM_KINDS, PRM_KIND_INFO, 2)}

Exit 0 when a server was found (or the config written), 1 when none was.`,
  lsp: `Usage: specsearch lsp --stdio

Runs the SpecSearch language server over stdio (the same server VS Code uses; see docs/neovim.md).`,
  grade: `Usage: specsearch grade < lines.jsonl

Reads JSON lines {"reference": ..., "prediction": ...} or {"reference": ..., "response": ...} (a whole
solution: its final answer is extracted first) and writes one JSON line per input line, in order:
{"extracted": string|null, "equivalent": boolean}. A line that cannot be read gets {"error": "..."}.`,
};

/** The commands that stop on Ctrl-C by aborting their work (signals.ts); the others end as Node ends them. */
const INTERRUPTIBLE = new Set(['solve', 'bench', 'calibrate', 'doctor', 'discover']);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (INTERRUPTIBLE.has(command)) listenForInterrupts();
  // Any other command ends as Node ends it on Ctrl-C; one heard while the CLI loaded ends it now.
  else if (takeEarlySignals() > 0) return INTERRUPTED_EXIT;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(HELP.main + '\n');
      return command === undefined ? EXIT.usage : EXIT.ok;
    case '--version':
      process.stdout.write(`specsearch ${VERSION}\n`);
      return EXIT.ok;
    case 'solve': {
      const { values, positionals } = parse(rest, {
        method: { type: 'string' },
        algorithm: { type: 'string' },
        profile: { type: 'string' },
        config: { type: 'string' },
        mode: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) return help('solve');
      return runSolve(positionals, values as Record<string, string | boolean | undefined>);
    }
    case 'grade': {
      const { values } = parse(rest, { help: { type: 'boolean', short: 'h' } });
      if (values.help) return help('grade');
      return runGrade();
    }
    case 'demo': {
      const { values } = parse(rest, {
        count: { type: 'string' },
        seed: { type: 'string' },
        method: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) return help('demo');
      return (await import('./demo')).runDemo(values as { count?: string; seed?: string; method?: string });
    }
    case 'bench': {
      const { values } = parse(rest, {
        dataset: { type: 'string' },
        methods: { type: 'string' },
        algorithm: { type: 'string' },
        profile: { type: 'string' },
        config: { type: 'string' },
        limit: { type: 'string' },
        seed: { type: 'string' },
        concurrency: { type: 'string' },
        warm: { type: 'boolean' },
        baseline: { type: 'string' },
        'allow-speculative-baseline': { type: 'boolean' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        preset: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) return help('bench');
      return (await import('./bench')).runBenchCommand(values, argv);
    }
    case 'calibrate': {
      const { values } = parse(rest, {
        dataset: { type: 'string', multiple: true },
        from: { type: 'string', multiple: true },
        methods: { type: 'string' },
        profile: { type: 'string' },
        config: { type: 'string' },
        limit: { type: 'string' },
        seed: { type: 'string' },
        write: { type: 'string' },
        evaluate: { type: 'boolean' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) return help('calibrate');
      return (await import('./calibrate')).runCalibrateCommand(values, argv);
    }
    case 'doctor': {
      const { values } = parse(rest, {
        config: { type: 'string' },
        profile: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) return help('doctor');
      return (await import('./doctor')).runDoctorCommand(values as { config?: string; profile?: string; json?: boolean });
    }
    case 'discover': {
      const { values } = parse(rest, {
        json: { type: 'boolean' },
        ports: { type: 'string' },
        host: { type: 'string' },
        small: { type: 'string' },
        large: { type: 'string' },
        prm: { type: 'string' },
        'prm-kind': { type: 'string' },
        write: { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      });
      if (values.help) return help('discover');
      return (await import('./discover')).runDiscover(values as Record<string, never>);
    }
    case 'lsp': {
      if (rest.includes('--help') || rest.includes('-h')) return help('lsp');
      if (!rest.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket')))
        throw usageError('specsearch lsp needs a transport.', 'Run "specsearch lsp --stdio".');
      (await import('../server/server')).startServer();
      // The connection keeps the process alive; it exits when the client sends exit.
      return new Promise<number>(() => undefined);
    }
    default:
      throw usageError(`Unknown command "${command}".`, 'Run "specsearch --help" for the list of commands.');
  }
}

function help(command: string): number {
  process.stdout.write(HELP[command] + '\n');
  return EXIT.ok;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

export function parse(args: string[], options: Options): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (err) {
    throw usageError((err as Error).message.replace(/\. To specify a positional argument.*$/, '.'), 'Run with --help for the options.');
  }
}

// Until a command settles, the process is failing: if native work stalls and the event loop drains
// before a result, Node exits with this code instead of a silent 0.
process.exitCode = EXIT.failed;
let settled = false;
process.on('beforeExit', () => {
  if (!settled) {
    settled = true;
    printError(new Error('the command stopped before it finished: an inference call never returned.'));
  }
});

main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (err) => {
    settled = true;
    printError(err);
    process.exitCode = exitCodeFor(err);
  },
);
