// Named bundles of settings; `tiny` runs the bundled CPU models in-process and is the default.
import * as path from 'node:path';
import { besideInstall } from './paths';
import { DEFAULT_SEARCH, type Settings } from './settings';

export const PROFILE_NAMES = ['tiny'] as const;

/** The bundled models travel with the package: dist/ (CLI, server, extension) sits next to models/. */
export function bundledModelsDir(): string {
  const override = process.env.SPECSEARCH_MODELS_DIR;
  if (override) return path.resolve(override);
  return besideInstall(path.join('models', 'tiny')) ?? path.resolve(__dirname, '..', 'models', 'tiny');
}

/**
 * Fitted by `specsearch calibrate --dataset tiny:5000:120 --dataset tiny-beyond:5000:80 --dataset
 * tiny-other:5000:40 --methods specsearch,large,small` (720 answers; seed 5000 is used for nothing else) and
 * checked on 1,500 answers of seed 7000 (models/tiny/MODEL_CARD.md, "Confidence").
 */
const TINY_ANSWER_CALIBRATION = { intercept: 1.516, slope: 0.5631, outside: { intercept: -2.718, slope: 0.05894 } };

export function profileSettings(name: string): Settings {
  switch (name) {
    case 'tiny':
    default: {
      const dir = bundledModelsDir();
      const embedded = {
        provider: 'embedded' as const,
        timeoutMs: 60_000,
        maxConcurrency: 32,
        promptTemplate: 'raw' as const,
      };
      return {
        profile: 'tiny',
        models: {
          small: { ...embedded, model: path.join(dir, 'small.gguf') },
          large: { ...embedded, model: path.join(dir, 'large.gguf') },
          // The verifier is a 0.7 M-parameter LM that solves the task (the earlier large model), read as a
          // likelihood verifier over the whole path: it separates right paths from wrong ones far better
          // than the tag-trained prm.gguf (kind "logprob"), and scoring a thought costs a small share of
          // what the large model pays to write it (see the model card).
          // Its raw score (the least likely token) is not a probability of being right: a right step the verifier
          // is unsure of scores 0.3, a wrong one 1e-5. The calibration maps it to one (scripts/tiny/calibrate-verifier.mjs),
          // the scale on which β is read. The answer calibration maps the weakest score of an answer's path to the
          // probability that the answer is right, fitted on solves of held-out problems inside the family, past its
          // limits and of other kinds (`specsearch calibrate`, models/tiny/MODEL_CARD.md): that is the confidence
          // every surface shows, and an answer is verified from search.minConfidence 0.5 like everywhere else.
          prm: {
            ...embedded,
            model: path.join(dir, 'verifier.gguf'),
            kind: 'likelihood',
            stepTag: ' @',
            positiveToken: '+',
            negativeToken: '-',
            calibration: { midpoint: 0.0106, slope: 1.51 },
            answerCalibration: TINY_ANSWER_CALIBRATION,
          },
        },
        // Temperature 0.3: sampled digits go wrong less often, and the verifier (a smaller model of the same
        // task) shares the large model's blind spots, so fewer wrong thoughts reach the beam (bench/results/tiny).
        // γ = 1.5 (9 drafts for N = 6): with a calibrated verifier a right draft is kept, and the extra three
        // drafts of γ = 2 cost more small-model time than the corrections they save (bench/results/tiny-variants).
        search: { ...DEFAULT_SEARCH, maxDepth: 8, maxStepTokens: 64, temperature: 0.3, draftRatio: 1.5 },
      };
    }
  }
}
