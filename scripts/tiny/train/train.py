"""Train a tiny LM (solution writer) or PRM on the chain-arithmetic task.

LM:  python3 train.py lm  --out work/large --d 96 --layers 6 --heads 6 --steps 4000
PRM: python3 train.py prm --out work/prm --init work/large/best.pt --steps 1500

Data: training stream seed 1 (LM) / seed 11 (PRM), validation seed 2 (first 200 problems).
Loss only on the solution part (LM) or only at the " @" tag positions (PRM).
Keeps work/<name>/last.pt and work/<name>/best.pt (best validation score).
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

import task
import tok
from model import Config, TinyLM

torch.set_num_threads(int(os.environ.get('TORCH_THREADS', '2')))


def lm_example(p):
    prompt = tok.encode(task.lm_prompt(p['problem']))
    sol = tok.encode(task.SEP.join(task.solution_steps(p)), bos=False) + [tok.EOS]
    ids = prompt + sol
    # targets: next token; loss only on positions predicting the solution
    tgt = ids[1:] + [-100]
    mask_upto = len(prompt) - 1  # position len(prompt)-1 predicts first solution token
    tgt = [-100] * mask_upto + tgt[mask_upto:]
    return ids, tgt


def prm_example(p, rnd, p_correct=0.35):
    if rnd.random() < p_correct:
        steps = task.solution_steps(p)
        first_bad = len(steps)
    else:
        steps, first_bad, _ = task.planted_error_steps(p, rnd)
    text = task.prm_text(p['problem'], steps)
    ids = tok.encode(text)
    tgt = [-100] * len(ids)
    k = 0
    for i, t in enumerate(ids):
        if t == tok.AT:
            tgt[i] = tok.PLUS if k < first_bad else tok.MINUS
            k += 1
    assert k == len(steps)
    return ids, tgt


def prm_path_example(rec):
    steps, labels = rec['steps'], rec['labels']
    ids = tok.encode(task.prm_text(rec['problem'], steps))
    tgt = [-100] * len(ids)
    k = 0
    for i, t in enumerate(ids):
        if t == tok.AT and k < len(labels):
            tgt[i] = tok.PLUS if labels[k] else tok.MINUS
            k += 1
    return ids, tgt


def collate(exs):
    L = max(len(i) for i, _ in exs)
    ids = torch.zeros(len(exs), L, dtype=torch.long)
    tgt = torch.full((len(exs), L), -100, dtype=torch.long)
    for r, (i, t) in enumerate(exs):
        ids[r, :len(i)] = torch.tensor(i)
        tgt[r, :len(t)] = torch.tensor(t)
    return ids, tgt


def parse_answer(text):
    m = task._ANS_RE.search(text)
    return int(m.group(1)) if m else None


@torch.no_grad()
def eval_lm(model, probs, bs=100):
    model.eval()
    right = exact = 0
    for s in range(0, len(probs), bs):
        chunk = probs[s:s + bs]
        outs = model.generate([tok.encode(task.lm_prompt(p['problem'])) for p in chunk], max_new=420)
        for p, o in zip(chunk, outs):
            text = tok.decode(o)
            ref = task.SEP.join(task.solution_steps(p))
            exact += text == ref
            right += parse_answer(text.split(task.SEP)[-1]) == p['answer'] and text.endswith('.')
    model.train()
    return right / len(probs), exact / len(probs)


@torch.no_grad()
def eval_prm(model, probs, seed=5):
    """AUC of P(+) at tags: right steps vs steps with planted errors (first wrong step)."""
    model.eval()
    rnd = random.Random(seed)
    pos, neg = [], []
    batch = []
    for p in probs:
        for planted in (False, True):
            if planted:
                steps, fb, _ = task.planted_error_steps(p, rnd)
            else:
                steps, fb = task.solution_steps(p), 10 ** 9
            batch.append((tok.encode(task.prm_text(p['problem'], steps)), fb))
    for s in range(0, len(batch), 100):
        ch = batch[s:s + 100]
        ids, _ = collate([(i, i) for i, _ in ch])
        lg = model(ids)
        lp = torch.log_softmax(lg[..., [tok.PLUS, tok.MINUS]].float(), -1)[..., 0]
        for r, (i, fb) in enumerate(ch):
            k = 0
            for j, t in enumerate(i):
                if t == tok.AT:
                    if k < fb:
                        pos.append(lp[r, j].item())
                    elif k == fb:
                        neg.append(lp[r, j].item())
                    k += 1
    model.train()
    return auc(pos, neg)


def auc(pos, neg):
    allv = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    # rank-based AUC with ties averaged
    ranks = {}
    i = 0
    n = len(allv)
    rsum = 0.0
    while i < n:
        j = i
        while j < n and allv[j][0] == allv[i][0]:
            j += 1
        r = (i + j + 1) / 2
        for k in range(i, j):
            if allv[k][1]:
                rsum += r
        i = j
    P, N = len(pos), len(neg)
    if P == 0 or N == 0:
        return float('nan')
    return (rsum - P * (P + 1) / 2) / (P * N)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['lm', 'prm'])
    ap.add_argument('--out', required=True)
    ap.add_argument('--d', type=int, default=64)
    ap.add_argument('--layers', type=int, default=2)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--steps', type=int, default=3000)
    ap.add_argument('--bs', type=int, default=32)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--warmup', type=int, default=100)
    ap.add_argument('--eval_every', type=int, default=250)
    ap.add_argument('--n_val', type=int, default=200)
    ap.add_argument('--init', default=None)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--paths', nargs='*', default=[], help='PRM: jsonl files from gen_paths.py')
    ap.add_argument('--paths_frac', type=float, default=0.3)
    ap.add_argument('--stop_at', type=int, default=None, help='stop after this step (schedule still --steps)')
    ap.add_argument('--keep_all', action='store_true', help='also keep step_N.pt at every evaluation')
    ap.add_argument('--easy_keep', type=float, default=1.0, help='share of problems without a hard step kept in the training stream')
    ap.add_argument('--data_seed', type=int, default=None, help='training stream seed (default 1 LM, 11 PRM)')
    ap.add_argument('--bucket', type=int, default=1,
                    help='LM: draw this many batches at once and group examples of similar length (less padding)')
    ap.add_argument('--save_every', type=int, default=None, help='also write last.pt every N steps')
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(a.seed)
    if a.init:
        ck = torch.load(a.init, map_location='cpu')
        cfg = Config(**ck['cfg'])
        model = TinyLM(cfg)
        model.load_state_dict(ck['model'])
    else:
        cfg = Config(vocab=tok.VOCAB_SIZE, d=a.d, layers=a.layers, heads=a.heads)
        model = TinyLM(cfg)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and 'emb' not in n]
    nodecay = [p for n, p in model.named_parameters() if not (p.dim() == 2 and 'emb' not in n)]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1},
                             {'params': nodecay, 'weight_decay': 0.0}], lr=a.lr, betas=(0.9, 0.98))
    stream = task.problem_stream(a.data_seed if a.data_seed is not None else (1 if a.mode == 'lm' else 11), a.easy_keep)
    rnd = random.Random(a.seed + 1234)
    val = task.generate_problems(2, a.n_val)
    paths = []
    for pth in a.paths:
        paths += [json.loads(x) for x in open(pth)]
    if paths:
        print('PRM paths', len(paths), flush=True)
    start_step, best, t_used = 0, -1.0, 0.0
    if a.resume and os.path.exists(os.path.join(a.out, 'last.pt')):
        ck = torch.load(os.path.join(a.out, 'last.pt'), map_location='cpu')
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        start_step, best, t_used = ck['step'], ck.get('best', -1.0), ck.get('time', 0.0)
        for _ in range(start_step * a.bs):
            next(stream)
    print('params', model.n_params(), json.dumps(cfg.to_dict()), flush=True)
    log = open(os.path.join(a.out, 'log.jsonl'), 'a')
    t0 = time.time() - t_used
    tl, tn = 0.0, 0
    pending = []
    for step in range(start_step, min(a.steps, a.stop_at or a.steps)):
        lr = a.lr * min(1.0, (step + 1) / a.warmup) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / a.steps)))
        for g in opt.param_groups:
            g['lr'] = lr
        if a.mode == 'lm':
            if not pending:
                pool = sorted((lm_example(next(stream)) for _ in range(a.bs * a.bucket)), key=lambda e: len(e[0]))
                pending = [pool[i:i + a.bs] for i in range(0, len(pool), a.bs)]
                rnd.shuffle(pending)
            exs = pending.pop()
        else:
            exs = [prm_path_example(rnd.choice(paths)) if paths and rnd.random() < a.paths_frac
                   else prm_example(next(stream), rnd) for _ in range(a.bs)]
        ids, tgt = collate(exs)
        logits = model(ids)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        tl += loss.item()
        tn += 1
        if (step + 1) % 50 == 0:
            print('step %d loss %.4f lr %.2e %.1fs' % (step + 1, tl / tn, lr, time.time() - t0), flush=True)
            tl, tn = 0.0, 0
        if a.save_every and (step + 1) % a.save_every == 0 and (step + 1) % a.eval_every:
            torch.save(dict(cfg=cfg.to_dict(), model=model.state_dict(), step=step + 1, mode=a.mode, opt=opt.state_dict(),
                            best=best, time=time.time() - t0), os.path.join(a.out, 'last.pt.tmp'))
            os.replace(os.path.join(a.out, 'last.pt.tmp'), os.path.join(a.out, 'last.pt'))
        if (step + 1) % a.eval_every == 0 or step + 1 == min(a.steps, a.stop_at or a.steps):
            te = time.time()
            if a.mode == 'lm':
                acc, exact = eval_lm(model, val)
                score = acc + 1e-3 * exact
                rec = dict(step=step + 1, acc=acc, exact=exact, time=time.time() - t0)
            else:
                score = eval_prm(model, val)
                rec = dict(step=step + 1, auc=score, time=time.time() - t0)
            rec['eval_s'] = time.time() - te
            print('EVAL', json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + '\n')
            log.flush()
            ck = dict(cfg=cfg.to_dict(), model=model.state_dict(), step=step + 1, score=score, mode=a.mode,
                      time=time.time() - t0)
            if score > best:
                best = score
                torch.save(ck, os.path.join(a.out, 'best.pt.tmp'))
                os.replace(os.path.join(a.out, 'best.pt.tmp'), os.path.join(a.out, 'best.pt'))
                print('saved best', score, flush=True)
            if a.keep_all:
                torch.save(ck, os.path.join(a.out, 'step_%d.pt' % (step + 1)))
            ck.update(opt=opt.state_dict(), best=best)
            torch.save(ck, os.path.join(a.out, 'last.pt.tmp'))
            os.replace(os.path.join(a.out, 'last.pt.tmp'), os.path.join(a.out, 'last.pt'))


if __name__ == '__main__':
    main()
