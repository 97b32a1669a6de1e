// `specsearch calibrate`: solves labelled problems with the configured models, fits the answer calibration
// (the confidence every surface shows: the probability that an answer is right), prints its reliability
// table, and writes it into a settings file. With --evaluate it fits nothing and reads how well the
// configured calibration holds on the problems (held-out figures).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset, type BenchProblem } from '../core/bench/dataset';
import { parseBenchMethod, runBench, type BenchRecord } from '../core/bench/run';
import { confidenceUnder, fitAnswerCalibration, reliability, reliabilityMarkdown } from '../core/calibrate';
import { isVerified } from '../core/confidence';
import { withSearchOverrides } from '../core/config';
import { loadConfig, readConfigText } from '../core/config-file';
import { EngineError } from '../core/errors';
import { readTextFile } from '../core/files';
import { createModels, disposeModels } from '../core/models/factory';
import type { AnswerCalibration, Settings } from '../core/settings';
import { usageError } from './errors';
import { integerFlag } from './flags';
import { abortOnSignals } from './signals';
import { forTerminal } from './terminal';

export interface CalibrateFlags {
  dataset?: string[];
  from?: string[];
  methods?: string;
  profile?: string;
  config?: string;
  limit?: string;
  seed?: string;
  write?: string;
  evaluate?: boolean;
  out?: string;
  json?: boolean;
}

export async function runCalibrateCommand(flags: CalibrateFlags, argv: string[]): Promise<number> {
  const datasets = flags.dataset ?? [];
  const saved = flags.from ?? [];
  if (datasets.length === 0 && saved.length === 0)
    throw usageError(
      'calibrate needs labelled answers: --dataset FILE.jsonl (or tiny:SEED:N, tiny-beyond:SEED:N, tiny-other:SEED:N; repeat for a mix), or --from a calibration.json written by --out.',
    );
  if (datasets.length > 0 && saved.length > 0) throw usageError('Give either --dataset (solve now) or --from (answers solved before), not both.');
  if (flags.evaluate && flags.write !== undefined) throw usageError('--evaluate reads the configured calibration; it writes nothing, so it takes no --write.');
  const limit = integerFlag('limit', flags.limit, 1);
  const seed = integerFlag('seed', flags.seed, 0);
  const { settings: base, file: source } = loadConfig({ configPath: flags.config, profile: flags.profile });
  const settings = withSearchOverrides(base, { seed }, 'the command line');
  const configured = settings.models.prm.answerCalibration;
  if (flags.evaluate && !configured)
    throw usageError(
      '--evaluate: the configured PRM has no models.prm.answerCalibration to evaluate.',
      'Fit one first: specsearch calibrate --config FILE --dataset FILE --write FILE.',
    );

  let methods: string[];
  let records: BenchRecord[];
  if (saved.length > 0) {
    const loaded = saved.map(readSaved);
    methods = [...new Set(loaded.flatMap((x) => x.methods))];
    records = loaded.flatMap((x) => x.records);
  } else {
    methods = (flags.methods ?? settings.search.method)
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    records = await solveAll(
      settings,
      methods,
      datasets.flatMap((d) => loadDataset(d, limit).map((p) => ({ ...p, id: `${d}#${p.id}` }))),
    );
  }
  const failed = records.filter((r) => r.error !== null);
  const usable = records.filter((r) => r.error === null);
  const head = {
    command: `specsearch ${argv.join(' ')}`,
    config: source,
    methods,
    datasets: datasets.length > 0 ? datasets : saved,
    failedSolves: failed.map((r) => ({ id: r.id, error: r.error })),
  };
  // The answers are saved before anything is fitted: a fit that cannot be made loses no solve.
  const save = (more: object) => {
    if (!flags.out) return;
    fs.mkdirSync(flags.out, { recursive: true });
    const records = usable.map(({ id, label, method, answer, reference, right, weakestScore, basis, error }) => ({
      id,
      label,
      method,
      answer,
      reference,
      right,
      weakestScore,
      basis,
      error,
    }));
    fs.writeFileSync(path.join(flags.out, 'calibration.json'), JSON.stringify({ ...head, ...more, records }, null, 1) + '\n');
  };
  save({});
  if (usable.length === 0) throw usageError(`Every solve failed (${failed[0]?.error ?? 'no records'}); nothing to fit.`);

  const fit = flags.evaluate ? null : fitAnswerCalibration(usable);
  const calibration: AnswerCalibration | null = flags.evaluate ? configured! : fit!.calibration;
  if (!calibration)
    throw usageError(
      `Too few answers inside the models' domain to fit a calibration (at least 2).${flags.out ? ` The answers are saved in ${path.join(flags.out, 'calibration.json')}.` : ''}`,
      'Add problems the models are meant for (--dataset), or check a calibration you have with --evaluate.',
    );
  const byMethod = methods.length > 1;
  const answers = usable.map((r) => {
    const confidence = confidenceUnder(r, calibration);
    const group = `${r.id.split('#')[0]!}${byMethod ? ` · ${r.label}` : ''}`;
    return { confidence, right: r.right, verified: isVerified({ answer: r.answer, confidence, basis: r.basis }, settings.search.minConfidence), group };
  });
  const table = reliability(answers.flatMap((a) => (a.confidence === null ? [] : [{ confidence: a.confidence, right: a.right }])));
  const groups = [...new Set(answers.map((a) => a.group))].map((g) => {
    const xs = answers.filter((a) => a.group === g);
    const count = (f: (a: (typeof xs)[number]) => boolean) => xs.filter(f).length;
    return {
      dataset: g,
      answers: xs.length,
      right: count((a) => a.right),
      verified: count((a) => a.verified),
      rightVerified: count((a) => a.verified && a.right),
      wrongVerified: count((a) => a.verified && !a.right),
      withoutConfidence: count((a) => a.confidence === null),
    };
  });
  const result = {
    ...head,
    mode: flags.evaluate ? 'evaluate' : 'fit',
    answerCalibration: calibration,
    fittedOn: fit ? { inside: fit.inside, outside: fit.outside } : null,
    threshold: settings.search.minConfidence,
    groups,
    reliability: table,
  };
  save(result);
  if (flags.write !== undefined) writeCalibration(flags.write, calibration);
  if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stdout.write(`${flags.evaluate ? 'evaluated' : 'fitted'} models.prm.answerCalibration: ${JSON.stringify(calibration)}\n\n`);
    process.stdout.write(reliabilityMarkdown(table) + '\n\n');
    process.stdout.write(
      `| answers of | answers | right | verified (≥ ${settings.search.minConfidence}) | right and verified | wrong and verified |\n|---|---|---|---|---|---|\n`,
    );
    for (const g of groups) process.stdout.write(`| ${g.dataset} | ${g.answers} | ${g.right} | ${g.verified} | ${g.rightVerified} | ${g.wrongVerified} |\n`);
    if (failed.length > 0) process.stdout.write(`\n${failed.length} solve(s) failed and were left out: ${forTerminal(String(failed[0]!.error))}\n`);
    if (flags.write !== undefined) process.stdout.write(`\nwrote models.prm.answerCalibration into ${flags.write}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

async function solveAll(settings: Settings, methods: string[], problems: BenchProblem[]): Promise<BenchRecord[]> {
  let parsed;
  try {
    parsed = methods.map(parseBenchMethod);
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const models = await createModels(settings);
  const controller = new AbortController();
  const release = abortOnSignals(controller);
  try {
    const records = await runBench({
      problems,
      methods: parsed,
      settings,
      models,
      signal: controller.signal,
      onProgress: (done, total) => {
        if (done % 25 === 0 || done === total) process.stderr.write(`calibrate: ${done}/${total}\n`);
      },
    });
    if (controller.signal.aborted) throw usageError('calibrate was interrupted before every problem was solved; nothing was fitted or written.');
    return records;
  } finally {
    release();
    await disposeModels(models);
  }
}

/** The answers a run with --out saved: what was solved, right or not, and the score the confidence rests on. */
function readSaved(file: string): { methods: string[]; records: BenchRecord[] } {
  // An unreadable file is named by readTextFile; only text that is not JSON is reported here.
  const text = readTextFile(file, {
    what: 'the saved answers',
    code: 'usage',
    maxBytes: 256 * 2 ** 20,
    hint: 'Give a calibration.json that specsearch calibrate --out DIR wrote.',
  });
  let o: { methods?: unknown; records?: unknown };
  try {
    o = JSON.parse(text);
  } catch (err) {
    throw usageError(
      `--from ${file} cannot be read as a calibration.json: ${(err as Error).message}.`,
      'Give a file that specsearch calibrate --out DIR wrote (DIR/calibration.json).',
    );
  }
  if (!Array.isArray(o.records) || !Array.isArray(o.methods))
    throw usageError(`--from ${file} has no "records" and "methods": it was not written by specsearch calibrate --out.`);
  const records = o.records.filter(
    (r): r is BenchRecord => typeof r === 'object' && r !== null && typeof (r as BenchRecord).right === 'boolean' && typeof (r as BenchRecord).id === 'string',
  );
  return { methods: o.methods.map(String), records };
}

/** Sets models.prm.answerCalibration in a JSON settings file, keeping everything else in it. */
function writeCalibration(file: string, calibration: AnswerCalibration): void {
  let config: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    try {
      config = JSON.parse(readConfigText(file));
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw usageError(`--write ${file} is not a JSON settings file: ${(err as Error).message}.`);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw usageError(`--write ${file} does not hold a JSON object.`);
  }
  const models = (config.models ??= {}) as Record<string, unknown>;
  const prm = (models.prm ??= {}) as Record<string, unknown>;
  prm.answerCalibration = calibration;
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
}
