"""Llama-style tiny transformer (RMSNorm, RoPE, SwiGLU, no biases, tied embeddings).

RoPE uses llama.cpp's `llama` convention directly: consecutive pairs (x[2i], x[2i+1])
are rotated, so Q/K weights are exported without any permutation."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class Config:
    def __init__(self, vocab=305, d=64, layers=2, heads=4, ffn=None, ctx=512, rope_base=10000.0, eps=1e-5):
        self.vocab, self.d, self.layers, self.heads = vocab, d, layers, heads
        self.ffn = ffn or (d * 8 // 3 + 7) // 8 * 8
        self.ctx, self.rope_base, self.eps = ctx, rope_base, eps
        self.head_dim = d // heads

    def to_dict(self):
        return dict(vocab=self.vocab, d=self.d, layers=self.layers, heads=self.heads, ffn=self.ffn,
                    ctx=self.ctx, rope_base=self.rope_base, eps=self.eps)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(cfg, device=None):
    hd = cfg.head_dim
    inv = cfg.rope_base ** (-torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    pos = torch.arange(cfg.ctx, dtype=torch.float64)
    ang = pos[:, None] * inv[None, :]  # (ctx, hd/2)
    return torch.cos(ang).float(), torch.sin(ang).float()


def apply_rope(x, cos, sin):
    # x: (B, H, T, hd); cos/sin: (B or 1, 1, T, hd/2); pairs (x[2i], x[2i+1]) rotated
    # (real arithmetic: the complex-number form cost ~17 % of a training step)
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), -1).flatten(-2)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.d
        self.cfg = cfg
        self.attn_norm = RMSNorm(d, cfg.eps)
        self.wq = nn.Linear(d, d, bias=False)
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.ffn_norm = RMSNorm(d, cfg.eps)
        self.w_gate = nn.Linear(d, cfg.ffn, bias=False)
        self.w_up = nn.Linear(d, cfg.ffn, bias=False)
        self.w_down = nn.Linear(cfg.ffn, d, bias=False)

    def forward(self, x, cos, sin, mask, cache=None):
        B, T, D = x.shape
        H, hd = self.cfg.heads, self.cfg.head_dim
        h = self.attn_norm(x)
        q = self.wq(h).view(B, T, H, hd).transpose(1, 2)
        k = self.wk(h).view(B, T, H, hd).transpose(1, 2)
        v = self.wv(h).view(B, T, H, hd).transpose(1, 2)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        if cache is not None:
            if cache.get('k') is not None:
                k = torch.cat([cache['k'], k], dim=2)
                v = torch.cat([cache['v'], v], dim=2)
            cache['k'], cache['v'] = k, v
        att = (q * (1.0 / math.sqrt(hd))) @ k.transpose(-1, -2)
        if mask.dtype == torch.bool:
            att = att.masked_fill(~mask, float('-inf'))
        else:
            att = att + mask
        att = torch.softmax(att, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.wo(o)
        h = self.ffn_norm(x)
        x = x + self.w_down(F.silu(self.w_gate(h)) * self.w_up(h))
        return x


class TinyLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.emb = nn.Embedding(cfg.vocab, cfg.d)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.layers)])
        self.norm = RMSNorm(cfg.d, cfg.eps)
        cos, sin = rope_tables(cfg)
        self.register_buffer('cos', cos, persistent=False)
        self.register_buffer('sin', sin, persistent=False)
        nn.init.normal_(self.emb.weight, std=0.02 * 10)
        for b in self.blocks:
            for lin in [b.wq, b.wk, b.wv, b.w_gate, b.w_up]:
                nn.init.normal_(lin.weight, std=1 / math.sqrt(cfg.d))
            nn.init.normal_(b.wo.weight, std=1 / math.sqrt(cfg.d) / math.sqrt(2 * cfg.layers))
            nn.init.normal_(b.w_down.weight, std=1 / math.sqrt(cfg.ffn) / math.sqrt(2 * cfg.layers))

    def n_params(self):
        return sum(p.numel() for p in self.parameters())

    def forward(self, ids):
        """ids: (B, T) -> logits (B, T, V); causal, positions 0..T-1."""
        B, T = ids.shape
        x = self.emb(ids)
        cos = self.cos[:T][None, None]
        sin = self.sin[:T][None, None]
        mask = torch.full((T, T), float('-inf')).triu(1)[None, None]
        for b in self.blocks:
            x = b(x, cos, sin, mask)
        x = self.norm(x)
        return x @ self.emb.weight.t()

    @torch.no_grad()
    def generate(self, prompts, max_new=400, eos=2, temperature=0.0, gen=None):
        """Batched greedy generation with a KV cache. prompts: list of id lists.
        Left-padded; each row has its own positions. Returns list of generated id lists
        (EOS excluded)."""
        B = len(prompts)
        L = max(len(p) for p in prompts)
        pad = [L - len(p) for p in prompts]
        ids = torch.zeros(B, L, dtype=torch.long)
        for i, p in enumerate(prompts):
            ids[i, pad[i]:] = torch.tensor(p)
        padt = torch.tensor(pad)
        caches = [dict() for _ in self.blocks]
        key_valid = torch.arange(L)[None, :] >= padt[:, None]  # (B, L)
        pos = (torch.arange(L)[None, :] - padt[:, None]).clamp(min=0)
        out = [[] for _ in range(B)]
        done = torch.zeros(B, dtype=torch.bool)
        x_ids = ids
        cur_pos = pos
        T = L
        for step in range(max_new):
            t = x_ids.shape[1]
            x = self.emb(x_ids)
            cos = self.cos[cur_pos][:, None]  # (B,1,t,hd/2)
            sin = self.sin[cur_pos][:, None]
            kv_len = key_valid.shape[1]
            causal = torch.ones(t, kv_len, dtype=torch.bool).tril(kv_len - t)
            ok = causal[None, None] & key_valid[:, None, None, :]
            mask = torch.zeros(ok.shape).masked_fill(~ok, -1e9)
            for b, c in zip(self.blocks, caches):
                x = b(x, cos, sin, mask, c)
            x = self.norm(x[:, -1:])
            logits = (x @ self.emb.weight.t())[:, 0]
            if temperature > 0:
                nxt = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=gen)[:, 0]
            else:
                nxt = logits.argmax(-1)
            for i in range(B):
                if not done[i]:
                    if nxt[i].item() == eos:
                        done[i] = True
                    else:
                        out[i].append(nxt[i].item())
            if done.all():
                break
            x_ids = nxt[:, None]
            cur_pos = cur_pos[:, -1:] + 1
            if cur_pos.max() >= self.cfg.ctx:
                break
            key_valid = torch.cat([key_valid, torch.ones(B, 1, dtype=torch.bool)], dim=1)
        return out
