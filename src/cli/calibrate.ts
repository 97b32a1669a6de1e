// `specsearch calibrate`: solves labelled problems with the configured models, fits the answer calibration
// (the confidence every surface shows: the probability that an answer is right), prints its reliability
// table, and writes it into a settings file. With --evaluate it fits nothing and reads how well the
// configured calibration holds on the problems (held-out figures).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadDataset, type BenchProblem } from '../core/bench/dataset';
import { parseBenchMethod, runBench, type BenchRecord } from '../core/bench/run';
import { confidenceUnder, fitAnswerCalibration, reliability, reliabilityMarkdown } from '../core/calibrate';
import { withSearchOverrides } from '../core/config';
import { loadConfig, readConfigText } from '../core/config-file';
import { EngineError } from '../core/errors';
import { createModels, disposeModels } from '../core/models/factory';
import type { AnswerCalibration } from '../core/settings';
import { usageError } from './errors';
import { integerFlag } from './flags';
import { abortOnSignals } from './signals';
import { forTerminal } from './terminal';

export interface CalibrateFlags {
  dataset?: string[];
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
  if (datasets.length === 0) throw usageError('calibrate needs labelled problems: --dataset FILE.jsonl (or tiny:SEED:N, tiny-beyond:SEED:N, tiny-other:SEED:N; repeat for a mix).');
  if (flags.evaluate && flags.write !== undefined) throw usageError('--evaluate reads the configured calibration; it writes nothing, so it takes no --write.');
  const limit = integerFlag('limit', flags.limit, 1);
  const seed = integerFlag('seed', flags.seed, 0);
  const { settings: base, file: source } = loadConfig({ configPath: flags.config, profile: flags.profile });
  const settings = withSearchOverrides(base, { seed }, 'the command line');
  const methods = (flags.methods ?? settings.search.method).split(',').map((m) => m.trim()).filter(Boolean);
  let parsed;
  try {
    parsed = methods.map(parseBenchMethod);
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const problems: BenchProblem[] = datasets.flatMap((d) => loadDataset(d, limit).map((p) => ({ ...p, id: `${d}#${p.id}` })));
  const configured = settings.models.prm.answerCalibration;
  if (flags.evaluate && !configured) throw usageError('--evaluate: the configured PRM has no models.prm.answerCalibration to evaluate.', 'Fit one first: specsearch calibrate --config FILE --dataset FILE --write FILE.');

  const models = await createModels(settings);
  const controller = new AbortController();
  const release = abortOnSignals(controller);
  let records: BenchRecord[];
  try {
    records = await runBench({
      problems,
      methods: parsed,
      settings,
      models,
      signal: controller.signal,
      onProgress: (done, total) => {
        if (done % 25 === 0 || done === total) process.stderr.write(`calibrate: ${done}/${total}\n`);
      },
    });
  } finally {
    release();
    await disposeModels(models);
  }
  if (controller.signal.aborted) throw usageError('calibrate was interrupted before every problem was solved; nothing was fitted or written.');
  const failed = records.filter((r) => r.error !== null);
  const usable = records.filter((r) => r.error === null);
  if (usable.length === 0) throw usageError(`Every solve failed (${failed[0]?.error ?? 'no records'}); nothing to fit.`);

  const fit = flags.evaluate ? null : fitAnswerCalibration(usable);
  const calibration: AnswerCalibration | null = flags.evaluate ? configured! : fit!.calibration;
  if (!calibration) throw usageError('Too few answers inside the models\' domain to fit a calibration (at least 2).');
  const points = usable.flatMap((r) => {
    const confidence = confidenceUnder(r, calibration);
    return confidence === null ? [] : [{ confidence, right: r.right, verified: confidence >= settings.search.minConfidence && r.basis === 'score' && r.answer !== null, group: r.id.split('#')[0]! }];
  });
  const table = reliability(points);
  const groups = [...new Set(points.map((p) => p.group))].map((g) => {
    const xs = points.filter((p) => p.group === g);
    return { dataset: g, answers: xs.length, right: xs.filter((p) => p.right).length, verified: xs.filter((p) => p.verified).length, wrongVerified: xs.filter((p) => p.verified && !p.right).length, rightVerified: xs.filter((p) => p.verified && p.right).length };
  });
  const result = {
    command: `specsearch ${argv.join(' ')}`,
    config: source,
    methods,
    datasets,
    mode: flags.evaluate ? 'evaluate' : 'fit',
    answerCalibration: calibration,
    fittedOn: fit ? { inside: fit.inside, outside: fit.outside } : null,
    threshold: settings.search.minConfidence,
    failedSolves: failed.map((r) => ({ id: r.id, error: r.error })),
    groups,
    reliability: table,
  };
  if (flags.out) {
    fs.mkdirSync(flags.out, { recursive: true });
    fs.writeFileSync(path.join(flags.out, 'calibration.json'), JSON.stringify({ ...result, records: usable }, null, 1) + '\n');
  }
  if (flags.write !== undefined) writeCalibration(flags.write, calibration);
  if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stdout.write(`${flags.evaluate ? 'evaluated' : 'fitted'} models.prm.answerCalibration: ${JSON.stringify(calibration)}\n\n`);
    process.stdout.write(reliabilityMarkdown(table) + '\n\n');
    process.stdout.write('| dataset | answers | right | verified | wrong and verified |\n|---|---|---|---|---|\n');
    for (const g of groups) process.stdout.write(`| ${g.dataset} | ${g.answers} | ${g.right} | ${g.verified} | ${g.wrongVerified} |\n`);
    if (failed.length > 0) process.stdout.write(`\n${failed.length} solve(s) failed and were left out: ${forTerminal(String(failed[0]!.error))}\n`);
    if (flags.write !== undefined) process.stdout.write(`\nwrote models.prm.answerCalibration into ${flags.write}\n`);
  }
  return failed.length > 0 ? 1 : 0;
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
