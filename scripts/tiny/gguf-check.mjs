// Checks a GGUF against the Python reference produced by parity.py:
//  - llama.cpp's tokenization of full LM / PRM texts equals the Python tokenizer's ids;
//  - greedy generation (step by step, stop "\n\n") equals PyTorch greedy generation;
//  - next-token probabilities at the end of a prompt match PyTorch's.
// usage: node scripts/tiny/gguf-check.mjs model.gguf reference.json (parity.py writes the reference)
import { readFileSync } from 'node:fs';
import { flags } from './engine.mjs';
const {
  _: [modelPath, refPath],
} = flags('node scripts/tiny/gguf-check.mjs model.gguf reference.json', {}, { positionals: 2 });
const ref = JSON.parse(readFileSync(refPath, 'utf8'));
const { getLlama } = await import('node-llama-cpp');
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: 512, threads: 1, batchSize: 512 });
const seq = context.getSequence();
let fail = 0;
const bos = model.tokens.bos;
for (const t of ref.tokenize) {
  const ids = [bos, ...model.tokenize(t.text)];
  const same = JSON.stringify(ids) === JSON.stringify(t.ids);
  const back = model.detokenize(ids.slice(1));
  if (!same || back !== t.text) {
    fail++;
    console.log('TOKENIZE MISMATCH', JSON.stringify(t.text).slice(0, 80), ids.slice(0, 20), t.ids.slice(0, 20), JSON.stringify(back).slice(0, 80));
  }
}
console.log('tokenize checked', ref.tokenize.length, 'bos', bos, 'eos', model.tokens.eos);
for (const g of ref.generate) {
  await seq.clearHistory();
  const out = [];
  for await (const tkn of seq.evaluate(g.prompt_ids, { temperature: 0 })) {
    if (tkn === model.tokens.eos) break;
    out.push(tkn);
    if (out.length >= g.expected_ids.length + 5) break;
  }
  const cmp = g.complete ? out : out.slice(0, g.expected_ids.length);
  const same = JSON.stringify(cmp) === JSON.stringify(g.expected_ids);
  if (!same) {
    fail++;
    console.log('GENERATE MISMATCH\n', JSON.stringify(model.detokenize(out)), '\n', JSON.stringify(model.detokenize(g.expected_ids)));
  }
}
console.log('generate checked', ref.generate.length);
let maxd = 0;
for (const pr of ref.probs) {
  await seq.clearHistory();
  const input = pr.ids.map((t, i) => (i === pr.ids.length - 1 ? [t, { generateNext: { probabilities: true } }] : t));
  const res = await seq.controlledEvaluate(input);
  const probs = res[pr.ids.length - 1].next.probabilities;
  for (const [tk, p] of Object.entries(pr.top)) maxd = Math.max(maxd, Math.abs((probs.get(Number(tk)) ?? 0) - p));
}
console.log('probs checked', ref.probs.length, 'max |dp|', maxd.toExponential(2));
if (maxd > 5e-3) fail++;
await context.dispose();
await model.dispose();
await llama.dispose();
console.log(fail ? `FAIL ${fail}` : 'OK');
process.exit(fail ? 1 : 0);
