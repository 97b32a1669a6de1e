"""Parity checks of an exported GGUF:
 1. numpy forward pass of the tensors read back from the GGUF (gguf-py reader) vs the
    PyTorch model's logits on a few sequences;
 2. writes a reference JSON (tokenization of full LM/PRM texts, PyTorch greedy
    generations, next-token probabilities) and runs ../gguf-check.mjs (node-llama-cpp)
    against it.
usage: python3 parity.py CKPT.pt MODEL.gguf [--prm]
"""
import json
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'work', 'llama.cpp', 'gguf-py'))
import gguf  # noqa: E402

import task  # noqa: E402
import tok  # noqa: E402
from export import load_ckpt  # noqa: E402

torch.set_num_threads(1)


def np_forward(r, ids):
    T = {t.name: np.array(t.data, dtype=np.float32).reshape(list(reversed([int(x) for x in t.shape]))) for t in r.tensors}
    f = {k.name: k for k in r.fields.values()}

    def val(key):
        fl = r.fields[key]
        return fl.parts[fl.data[0]][0]
    L = int(val('llama.block_count'))
    H = int(val('llama.attention.head_count'))
    eps = float(val('llama.attention.layer_norm_rms_epsilon'))
    base = float(val('llama.rope.freq_base'))
    E = T['token_embd.weight']
    d = E.shape[1]
    hd = d // H
    n = len(ids)
    x = E[ids]

    def rms(x, w):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w
    inv = base ** (-np.arange(0, hd, 2) / hd)
    ang = np.arange(n)[:, None] * inv[None]
    cos, sin = np.cos(ang), np.sin(ang)

    def rope(q):  # (n, H, hd) consecutive pairs
        q0, q1 = q[..., 0::2], q[..., 1::2]
        out = np.empty_like(q)
        out[..., 0::2] = q0 * cos[:, None] - q1 * sin[:, None]
        out[..., 1::2] = q0 * sin[:, None] + q1 * cos[:, None]
        return out
    mask = np.triu(np.full((n, n), -np.inf), 1)
    for i in range(L):
        p = 'blk.%d.' % i
        h = rms(x, T[p + 'attn_norm.weight'])
        q = rope((h @ T[p + 'attn_q.weight'].T).reshape(n, H, hd))
        k = rope((h @ T[p + 'attn_k.weight'].T).reshape(n, H, hd))
        v = (h @ T[p + 'attn_v.weight'].T).reshape(n, H, hd)
        att = np.einsum('qhd,khd->hqk', q, k) / np.sqrt(hd) + mask
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        o = np.einsum('hqk,khd->qhd', att, v).reshape(n, d)
        x = x + o @ T[p + 'attn_output.weight'].T
        h = rms(x, T[p + 'ffn_norm.weight'])
        g = h @ T[p + 'ffn_gate.weight'].T
        x = x + ((g / (1 + np.exp(-g))) * (h @ T[p + 'ffn_up.weight'].T)) @ T[p + 'ffn_down.weight'].T
    x = rms(x, T['output_norm.weight'])
    W = T['output.weight'] if 'output.weight' in T else E
    return x @ W.T


def main():
    ckpt, gg = sys.argv[1], sys.argv[2]
    prm = '--prm' in sys.argv
    model, _ = load_ckpt(ckpt)
    r = gguf.GGUFReader(gg)
    probs = task.generate_problems(3, 6)
    rnd = __import__('random').Random(3)
    # 1. numpy forward of the GGUF tensors vs torch
    maxd = 0.0
    for p in probs[:3]:
        ids = tok.encode(task.lm_text(p))
        a = np_forward(r, ids)
        b = model(torch.tensor([ids]))[0].detach().numpy()
        maxd = max(maxd, float(np.abs(a - b).max()))
    print('numpy(GGUF) vs torch max |dlogit| = %.2e' % maxd)
    assert maxd < 1e-3, maxd
    # 2. reference for node-llama-cpp
    texts = []
    for p in probs:
        texts.append(task.lm_text(p))
        steps, _, _ = task.planted_error_steps(p, rnd)
        texts.append(task.prm_text(p['problem'], steps))
    ref = {'tokenize': [{'text': t, 'ids': tok.encode(t)} for t in texts], 'generate': [], 'probs': []}
    prompts = [tok.encode(task.lm_prompt(p['problem'])) for p in probs]
    if not prm:
        for pr, out in zip(prompts, model.generate(prompts, max_new=420)):
            complete = len(out) < 420 and len(pr) + len(out) < 511
            ref['generate'].append({'prompt_ids': pr, 'expected_ids': out, 'complete': complete})
    for t in texts[1::2] + texts[:2]:
        ids = tok.encode(t)
        with torch.no_grad():
            pp = torch.softmax(model(torch.tensor([ids]))[0, -1], -1)
        top = torch.topk(pp, 5)
        ref['probs'].append({'ids': ids, 'top': {str(int(i)): float(v) for v, i in zip(top.values, top.indices)}})
    rp = os.path.join(HERE, 'work', os.path.basename(gg) + '.ref.json')
    json.dump(ref, open(rp, 'w'))
    rc = subprocess.call(['node', os.path.join(HERE, '..', 'gguf-check.mjs'), os.path.abspath(gg), rp], cwd=os.path.join(HERE, '..', '..', '..'))
    sys.exit(rc)


if __name__ == '__main__':
    main()
