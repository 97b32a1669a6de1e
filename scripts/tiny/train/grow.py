"""Grow a trained TinyLM into a wider and deeper one that computes the same function.

usage: python3 grow.py SRC OUT.pt --d 256 --layers 9 --heads 8 [--ffn N] [--check]
SRC is a checkpoint (.pt) or a GGUF written by export.py (read back with gguf-py).

What changes and why the function stays the same (checked with --check: logits agree to ~1e-5):
- Residual stream: the old d dimensions come first, the new ones start at zero. Every weight that
  writes into the stream (embedding columns, attention output rows, FFN down rows) is zero for the
  new dimensions; every weight that reads from them may be random, since they read zeros.
- RMSNorm divides by the root mean over all D dimensions; with the new ones at zero that is the old
  root mean times sqrt(d / D), so the old norm weights are scaled by sqrt(d / D) (and eps by d / D).
- Heads keep their width (head_dim), so RoPE is unchanged. Old head h becomes new head h. New heads
  have random Q/K/V and a zero output projection; in old heads the old Q/K/V rows are copied and
  rows reading new dimensions are random (they read zeros).
- FFN: old hidden units are copied, new ones have random gate/up rows and zero down columns.
- Extra layers are spread between the old ones and start as the identity (zero attention output and
  FFN down projections); their other weights are random so that gradients reach them.
"""
import argparse
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'work', 'llama.cpp', 'gguf-py'))

import task  # noqa: E402
import tok  # noqa: E402
from model import Config, TinyLM  # noqa: E402

GGUF_NAMES = {
    'attn_norm.weight': 'attn_norm.weight', 'attn_q.weight': 'wq.weight', 'attn_k.weight': 'wk.weight',
    'attn_v.weight': 'wv.weight', 'attn_output.weight': 'wo.weight', 'ffn_norm.weight': 'ffn_norm.weight',
    'ffn_gate.weight': 'w_gate.weight', 'ffn_up.weight': 'w_up.weight', 'ffn_down.weight': 'w_down.weight',
}


def load_gguf(path):
    import gguf
    r = gguf.GGUFReader(path)

    def val(key):
        fl = r.fields[key]
        return fl.parts[fl.data[0]][0]
    T = {t.name: torch.tensor(np.array(t.data, dtype=np.float32).reshape(list(reversed([int(x) for x in t.shape]))))
         for t in r.tensors}
    cfg = Config(vocab=T['token_embd.weight'].shape[0], d=T['token_embd.weight'].shape[1],
                 layers=int(val('llama.block_count')), heads=int(val('llama.attention.head_count')),
                 ffn=int(val('llama.feed_forward_length')), ctx=int(val('llama.context_length')),
                 rope_base=float(val('llama.rope.freq_base')),
                 eps=float(val('llama.attention.layer_norm_rms_epsilon')))
    sd = {'emb.weight': T['token_embd.weight'], 'norm.weight': T['output_norm.weight']}
    for i in range(cfg.layers):
        for g, n in GGUF_NAMES.items():
            sd['blocks.%d.%s' % (i, n)] = T['blk.%d.%s' % (i, g)]
    m = TinyLM(cfg)
    m.load_state_dict(sd)
    return m


def load_any(path):
    if path.endswith('.gguf'):
        return load_gguf(path)
    ck = torch.load(path, map_location='cpu')
    m = TinyLM(Config(**ck['cfg']))
    m.load_state_dict(ck['model'])
    return m


def layer_slots(old_layers, new_layers):
    """Positions of the old layers among the new ones, spread evenly (the rest start as identity)."""
    return [round(i * (new_layers - 1) / max(1, old_layers - 1)) for i in range(old_layers)] if old_layers > 1 else [0]


@torch.no_grad()
def grow(src, d, layers, heads, ffn=None, seed=0):
    oc = src.cfg
    assert d >= oc.d and layers >= oc.layers and heads >= oc.heads
    cfg = Config(vocab=oc.vocab, d=d, layers=layers, heads=heads, ffn=ffn, ctx=oc.ctx, rope_base=oc.rope_base,
                 eps=oc.eps * oc.d / d)
    assert cfg.head_dim == oc.head_dim, 'heads keep their width: d / heads must equal %d' % oc.head_dim
    assert cfg.ffn >= oc.ffn
    torch.manual_seed(seed)
    m = TinyLM(cfg)  # random init everywhere; the copies and zeros below make it the old function
    od, hd, of = oc.d, oc.head_dim, oc.ffn
    ns = math.sqrt(od / d)
    m.emb.weight.zero_()
    m.emb.weight[:, :od] = src.emb.weight
    m.norm.weight.fill_(ns)
    m.norm.weight[:od] = src.norm.weight * ns
    slots = layer_slots(oc.layers, layers)
    for j, b in enumerate(m.blocks):
        b.attn_norm.weight.fill_(ns)
        b.ffn_norm.weight.fill_(ns)
        b.wo.weight.zero_()
        b.w_down.weight.zero_()
        if j not in slots:
            continue  # identity layer: zero writes, random reads
        o = src.blocks[slots.index(j)]
        b.attn_norm.weight[:od] = o.attn_norm.weight * ns
        b.ffn_norm.weight[:od] = o.ffn_norm.weight * ns
        for h in range(oc.heads):
            r_new, r_old = slice(h * hd, (h + 1) * hd), slice(h * hd, (h + 1) * hd)
            for w_new, w_old in ((b.wq, o.wq), (b.wk, o.wk), (b.wv, o.wv)):
                w_new.weight[r_new, :od] = w_old.weight[r_old]
            # keys of old heads must not pick up the new dimensions' contribution once they are non-zero
            # either: they read zeros now, and training decides from here
            b.wo.weight[:od, r_new] = o.wo.weight[:, r_old]
        b.w_gate.weight[:of, :od] = o.w_gate.weight
        b.w_up.weight[:of, :od] = o.w_up.weight
        b.w_down.weight[:od, :of] = o.w_down.weight
    # identity layers: small random output projections would change the function; keep them zero but
    # give their reads the default init (already there) so that the first gradient step moves them.
    return m


@torch.no_grad()
def max_logit_diff(a, b, n=4):
    worst = 0.0
    for p in task.generate_problems(3, n):
        ids = torch.tensor([tok.encode(task.lm_text(p))])
        worst = max(worst, float((a(ids) - b(ids)).abs().max()))
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('src')
    ap.add_argument('out')
    ap.add_argument('--d', type=int, required=True)
    ap.add_argument('--layers', type=int, required=True)
    ap.add_argument('--heads', type=int, required=True)
    ap.add_argument('--ffn', type=int, default=None)
    ap.add_argument('--check', action='store_true')
    a = ap.parse_args()
    src = load_any(a.src)
    src.eval()
    m = grow(src, a.d, a.layers, a.heads, a.ffn)
    m.eval()
    print('grown %d -> %d params %s' % (src.n_params(), m.n_params(), m.cfg.to_dict()), flush=True)
    if a.check:
        diff = max_logit_diff(src, m)
        print('max |logit difference| old vs grown: %.2e' % diff, flush=True)
        assert diff < 1e-3, diff
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.save(dict(cfg=m.cfg.to_dict(), model=m.state_dict(), step=0, score=-1.0, mode='lm',
                    grown_from=os.path.basename(a.src)), a.out)


if __name__ == '__main__':
    main()
