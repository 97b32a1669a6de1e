"""Generate solution paths with a trained LM (greedy and sampled) and label every step by
checking the arithmetic: extra PRM training data with the models' own kinds of errors.
usage: python3 gen_paths.py CKPT.pt OUT.jsonl --seed 12 --n 1000 --temperature 1.0
"""
import argparse
import json
import os

import torch

import task
import tok
from export import load_ckpt

torch.set_num_threads(int(os.environ.get('TORCH_THREADS', '1')))

ap = argparse.ArgumentParser()
ap.add_argument('ckpt')
ap.add_argument('out')
ap.add_argument('--seed', type=int, default=12)
ap.add_argument('--n', type=int, default=1000)
ap.add_argument('--temperature', type=float, default=1.0)
a = ap.parse_args()
model, _ = load_ckpt(a.ckpt)
probs = task.generate_problems(a.seed, a.n)
g = torch.Generator().manual_seed(a.seed)
nw = nr = 0
with open(a.out, 'w') as f:
    for s in range(0, len(probs), 100):
        chunk = probs[s:s + 100]
        outs = model.generate([tok.encode(task.lm_prompt(p['problem'])) for p in chunk], max_new=420,
                              temperature=a.temperature, gen=g)
        for p, o in zip(chunk, outs):
            steps = [x for x in tok.decode(o).split(task.SEP)]
            steps = [x for x in steps if x][:8]
            if not steps:
                continue
            labels = task.check_steps(p, steps)
            nw += labels.count(False)
            nr += labels.count(True)
            f.write(json.dumps({'problem': p['problem'], 'steps': steps, 'labels': labels}) + '\n')
print('wrote', a.out, 'right steps', nr, 'wrong steps', nw)
