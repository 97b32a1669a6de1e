// Speed probe: tokens/s of GGUF models in node-llama-cpp (threads 1, context 512).
// usage: node scripts/tiny/probe-speed.mjs a.gguf b.gguf ...
if (process.argv.length < 3 || process.argv.slice(2).some((a) => a.startsWith('-'))) {
  console.error('usage: node scripts/tiny/probe-speed.mjs a.gguf b.gguf ...');
  process.exit(2);
}
const { getLlama } = await import('node-llama-cpp');
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
const models = [];
for (const p of process.argv.slice(2)) {
  const model = await llama.loadModel({ modelPath: p });
  const context = await model.createContext({ contextSize: 512, threads: 1, batchSize: 512 });
  models.push({ p, model, context, seq: context.getSequence(), tps: [] });
}
const prompt = 'Start with 7. Add 5. Multiply by 3. Subtract 4. What is the result?\n\n';
for (let round = 0; round < 5; round++) {
  for (const m of models) {
    await m.seq.clearHistory();
    const toks = m.model.tokenize(prompt);
    let n = 0;
    const t0 = performance.now();
    for await (const t of m.seq.evaluate(toks, { temperature: 0 })) {
      if (++n >= 300) break;
    }
    const dt = (performance.now() - t0) / 1000;
    m.tps.push(n / dt);
  }
}
for (const m of models) console.log(m.p, m.tps.map((x) => x.toFixed(0)).join(' '));
for (const m of models) {
  await m.context.dispose();
  await m.model.dispose();
}
await llama.dispose();
