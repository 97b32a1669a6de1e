"""Export a TinyLM checkpoint to GGUF (architecture `llama`, char-level SPM vocabulary).

usage: python3 export.py CKPT.pt OUT.gguf [--name NAME] [--f16]
       python3 export.py --random d,layers,heads OUT.gguf   (random weights, speed probes)
"""
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'work', 'llama.cpp', 'gguf-py'))
import gguf  # noqa: E402

import tok  # noqa: E402
from model import Config, TinyLM  # noqa: E402


def load_ckpt(path):
    ck = torch.load(path, map_location='cpu')
    cfg = Config(**ck['cfg'])
    m = TinyLM(cfg)
    m.load_state_dict(ck['model'])
    m.eval()
    return m, ck


def export(model, out, name='tiny', f16=False, description=''):
    cfg = model.cfg
    w = gguf.GGUFWriter(out, 'llama')
    w.add_name(name)
    if description:
        w.add_description(description)
    w.add_context_length(cfg.ctx)
    w.add_embedding_length(cfg.d)
    w.add_block_count(cfg.layers)
    w.add_feed_forward_length(cfg.ffn)
    w.add_head_count(cfg.heads)
    w.add_head_count_kv(cfg.heads)
    w.add_layer_norm_rms_eps(cfg.eps)
    w.add_rope_dimension_count(cfg.head_dim)
    w.add_rope_freq_base(cfg.rope_base)
    w.add_vocab_size(cfg.vocab)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if f16 else gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model('llama')
    w.add_token_list(tok.PIECES)
    w.add_token_scores([0.0] * len(tok.PIECES))
    w.add_token_types(tok.TYPES)
    w.add_bos_token_id(tok.BOS)
    w.add_eos_token_id(tok.EOS)
    w.add_unk_token_id(tok.UNK)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_add_space_prefix(False)

    def t(name, tensor, mat=True):
        a = tensor.detach().float().numpy()
        if f16 and mat and a.ndim == 2:
            a = a.astype(np.float16)
        w.add_tensor(name, np.ascontiguousarray(a))

    t('token_embd.weight', model.emb.weight)
    for i, b in enumerate(model.blocks):
        p = 'blk.%d.' % i
        t(p + 'attn_norm.weight', b.attn_norm.weight)
        t(p + 'attn_q.weight', b.wq.weight)
        t(p + 'attn_k.weight', b.wk.weight)
        t(p + 'attn_v.weight', b.wv.weight)
        t(p + 'attn_output.weight', b.wo.weight)
        t(p + 'ffn_norm.weight', b.ffn_norm.weight)
        t(p + 'ffn_gate.weight', b.w_gate.weight)
        t(p + 'ffn_up.weight', b.w_up.weight)
        t(p + 'ffn_down.weight', b.w_down.weight)
    t('output_norm.weight', model.norm.weight)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('ckpt', nargs='?')
    ap.add_argument('out')
    ap.add_argument('--random')
    ap.add_argument('--name', default='tiny')
    ap.add_argument('--description', default='')
    ap.add_argument('--f16', action='store_true')
    a = ap.parse_args()
    if a.random:
        d, L, H = map(int, a.random.split(','))
        torch.manual_seed(0)
        m = TinyLM(Config(vocab=tok.VOCAB_SIZE, d=d, layers=L, heads=H))
    else:
        m, _ = load_ckpt(a.ckpt)
    export(m, a.out, a.name, a.f16, a.description)
    print('wrote', a.out, os.path.getsize(a.out), 'bytes,', m.n_params(), 'params')
