"""Chain-arithmetic task of TINY_TASK.md: problem generator (bit-exact port of
src/core/tiny/task.ts), solution text format, PRM text format and planted errors.

Seeds: 1 = training stream, 2 = validation, 3 = test/measurement, >= 100 = fresh
(tests, benchmarks, demo).
"""
import json
import random
import re
import sys

M32 = 0xFFFFFFFF


def _imul(a, b):
    r = ((a & M32) * (b & M32)) & M32
    return r


def mulberry32(a):
    """Bit-exact port of
    function mulberry32(a){return function(){a|=0;a=a+0x6D2B79F5|0;
      let t=Math.imul(a^a>>>15,1|a);t=t+Math.imul(t^t>>>7,61|t)^t;
      return((t^t>>>14)>>>0)/4294967296;}}
    All values are kept as unsigned 32-bit integers (bit patterns equal JS int32)."""
    state = [a & M32]

    def rng():
        s = (state[0] + 0x6D2B79F5) & M32
        state[0] = s
        t = _imul(s ^ (s >> 15), 1 | s)
        t = ((t + _imul(t ^ (t >> 7), 61 | t)) & M32) ^ t
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return rng


def randint(rng, lo, hi):
    return lo + int(rng() * (hi - lo + 1))


OP_WORD = {'+': 'Add', '-': 'Subtract', '*': 'Multiply by', '/': 'Divide by'}


def apply_op(v, op, b):
    if op == '+':
        return v + b
    if op == '-':
        return v - b
    if op == '*':
        return v * b
    return v // b


def _gen_one(rng):
    while True:
        n = randint(rng, 1, 40)
        k = randint(rng, 2, 5)
        v = n
        ops = []
        ok = True
        for _ in range(k):
            found = None
            for _att in range(50):
                kind = randint(rng, 0, 3)
                if kind == 0:
                    b = randint(rng, 1, 40)
                    if v + b <= 400:
                        found = ('+', b)
                elif kind == 1:
                    b = randint(rng, 1, 40)
                    if v - b >= 0:
                        found = ('-', b)
                elif kind == 2:
                    m = randint(rng, 2, 5)
                    if v * m <= 400:
                        found = ('*', m)
                else:
                    m = randint(rng, 2, 5)
                    if v % m == 0:
                        found = ('/', m)
                if found:
                    break
            if not found:
                ok = False
                break
            ops.append(found)
            v = apply_op(v, *found)
        if ok:
            return n, ops, v


def problem_text(start, ops):
    parts = ['Start with %d.' % start]
    for op, b in ops:
        parts.append('%s %d.' % (OP_WORD[op], b))
    parts.append('What is the result?')
    return ' '.join(parts)


def generate_problems(seed, count):
    rng = mulberry32(seed)
    out = []
    for i in range(count):
        n, ops, v = _gen_one(rng)
        out.append({
            'id': 'tiny-%d-%d' % (seed, i),
            'problem': problem_text(n, ops),
            'answer': v,
            'start': n,
            'ops': [{'op': op, 'operand': b} for op, b in ops],
        })
    return out


def has_hard_step(start, ops):
    """A step the grown large model gets wrong most (measured): a division of a three-digit number, or
    a subtraction that borrows."""
    v = start
    for op, b in ops:
        if op == '/' and v >= 100:
            return True
        if op == '-' and (v % 10 < b % 10 or (v // 10) % 10 < (b // 10) % 10 + (1 if v % 10 < b % 10 else 0)):
            return True
        v = apply_op(v, op, b)
    return False


def problem_stream(seed, easy_keep=1.0):
    """Fresh problems forever. easy_keep < 1 keeps only that share of the problems without a hard step
    (has_hard_step), to fine-tune on the steps that still fail."""
    rng = mulberry32(seed)
    keep = mulberry32(seed ^ 0x5bd1e995)
    i = 0
    while True:
        n, ops, v = _gen_one(rng)
        if easy_keep < 1.0 and not has_hard_step(n, ops) and keep() >= easy_keep:
            continue
        yield {'id': 'tiny-%d-%d' % (seed, i), 'problem': problem_text(n, ops), 'answer': v,
               'start': n, 'ops': [{'op': op, 'operand': b} for op, b in ops]}
        i += 1


PLACES = ['ones', 'tens', 'hundreds', 'thousands', 'ten-thousands', 'hundred-thousands']


def format_step(a, op, b, result):
    """One solution step: column scratch, then the equation in normal digit order.
    `result` may be any non-negative integer (a wrong one for planted errors)."""
    if op == '/':
        # digits from the dividend's highest place downward (leading zeros written)
        nd = len(str(a))
        rs = str(result).rjust(nd, '0')
        if len(rs) > nd:
            nd = len(rs)
        cols = ['%s %s' % (PLACES[nd - 1 - i], rs[i]) for i in range(nd)]
    else:
        rs = str(result)
        cols = ['%s %s' % (PLACES[i], rs[len(rs) - 1 - i]) for i in range(len(rs))]
    return '%d %s %d: %s. %d %s %d = %d' % (a, op, b, ', '.join(cols), a, op, b, result)


def answer_line(r):
    return 'The answer is %d.' % r


def solution_steps(p):
    v = p['start']
    steps = []
    for o in p['ops']:
        r = apply_op(v, o['op'], o['operand'])
        steps.append(format_step(v, o['op'], o['operand'], r))
        v = r
    steps.append(answer_line(v))
    return steps


SEP = '\n\n'


def lm_prompt(problem):
    return problem + SEP


def lm_text(p):
    return lm_prompt(p['problem']) + SEP.join(solution_steps(p))


PRM_TAG = ' @'


def prm_text(problem, steps):
    """problem + "\n\n" + step1 + " @" + "\n\n" + step2 + " @" ..."""
    return problem + SEP + SEP.join(s + PRM_TAG for s in steps)


_PROB_RE = re.compile(r'^Start with (\d+)\.((?: (?:Add \d+|Subtract \d+|Multiply by \d+|Divide by \d+)\.)+) What is the result\?$')
_OP_RE = re.compile(r' (Add|Subtract|Multiply by|Divide by) (\d+)\.')
_WORD_OP = {v: k for k, v in OP_WORD.items()}


def parse_problem(text):
    m = _PROB_RE.match(text.strip())
    if not m:
        return None
    start = int(m.group(1))
    ops = [{'op': _WORD_OP[w], 'operand': int(n)} for w, n in _OP_RE.findall(m.group(2))]
    v = start
    for o in ops:
        if o['op'] == '/' and (o['operand'] == 0 or v % o['operand']):
            return None
        v = apply_op(v, o['op'], o['operand'])
    return {'problem': text.strip(), 'start': start, 'ops': ops, 'answer': v}


_STEP_RE = re.compile(r'(\d+) ([-+*/]) (\d+) = (\d+)\s*$')
_ANS_RE = re.compile(r'The answer is (-?\d+)\.')


def check_steps(p, steps):
    """Arithmetic labels for generated steps (same as checkSteps in task.ts): True while
    each step's equation "A op B = R" applies the right operation to the right value
    with the right result; the first wrong step and all after it False."""
    labels = []
    v = p['start']
    ok = True
    i = 0
    for s in steps:
        if ok:
            m = _STEP_RE.search(s)
            a = _ANS_RE.search(s)
            if m and i < len(p['ops']):
                A, op, B, R = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
                o = p['ops'][i]
                exp = apply_op(v, o['op'], o['operand'])
                if not (A == v and op == o['op'] and B == o['operand'] and R == exp):
                    ok = False
                v = exp
                i += 1
            elif a and i == len(p['ops']):
                if int(a.group(1)) != v:
                    ok = False
                i += 1
            else:
                ok = False
        labels.append(ok)
    return labels


# ---------------------------------------------------------------- planted errors
def _wrong_number(rnd, x, lo=0, hi=400):
    while True:
        c = rnd.random()
        if c < 0.35:
            y = x + rnd.choice([-1, 1])
        elif c < 0.6:
            y = x + rnd.choice([-10, 10, -20, 20])
        elif c < 0.7:
            y = x + rnd.choice([-100, 100])
        elif c < 0.85:
            # change one digit
            s = list(str(x))
            i = rnd.randrange(len(s))
            s[i] = str(rnd.randrange(10))
            y = int(''.join(s))
        else:
            y = rnd.randint(lo, hi)
        if y != x and y >= 0:
            return y


def _digit_slip(rnd, a, op, b, r):
    """Model-style error: one scratch digit wrong, propagated to the result."""
    rs = str(r)
    if op == '/':
        nd = len(str(a))
        rs = rs.rjust(nd, '0')
    s = list(rs)
    i = rnd.randrange(len(s))
    d = int(s[i])
    nd_ = (d + rnd.choice([1, -1, 1, 2, -2, 9])) % 10
    s[i] = str(nd_)
    y = int(''.join(s))
    if y == r:
        y = r + 1
    return y


def planted_error_steps(p, rnd, kind=None):
    """Returns (steps, first_wrong_index, kind). After the first wrong step the
    chain continues consistently from the wrong value (as a model would)."""
    n_ops = len(p['ops'])
    kinds = ['result', 'digit', 'operand', 'operator', 'copy', 'final', 'scratch']
    if kind is None:
        kind = rnd.choice(kinds)
    if kind == 'final':
        i = n_ops
    else:
        i = rnd.randrange(n_ops)
    v = p['start']
    steps = []
    for j, o in enumerate(p['ops']):
        op, b = o['op'], o['operand']
        a = v
        if j == i:
            r = apply_op(a, op, b)
            if kind == 'result':
                r2 = _wrong_number(rnd, r)
                steps.append(format_step(a, op, b, r2))
                v = r2
                continue
            if kind == 'digit':
                r2 = _digit_slip(rnd, a, op, b, r)
                steps.append(format_step(a, op, b, r2))
                v = r2
                continue
            if kind == 'scratch':
                # scratch right but equation result differs (copy slip) or vice versa
                r2 = _digit_slip(rnd, a, op, b, r)
                good = format_step(a, op, b, r)
                bad = format_step(a, op, b, r2)
                if rnd.random() < 0.5:
                    s = good.split('. ')[0] + '. ' + bad.split('. ', 1)[1]
                    v = r2
                else:
                    s = bad.split('. ')[0] + '. ' + good.split('. ', 1)[1]
                    v = r
                steps.append(s)
                continue
            if kind == 'operand':
                b2 = _wrong_number(rnd, b, 1, 40) if op in '+-' else rnd.choice([x for x in range(2, 6) if x != b])
                r2 = apply_op(a, op, b2) if op != '/' else a // b2
                if op == '-' and r2 < 0:
                    r2 = 0
                steps.append(format_step(a, op, b2, r2))
                v = r2
                continue
            if kind == 'operator':
                op2 = rnd.choice([x for x in '+-*/' if x != op])
                r2 = apply_op(a, op2, b) if b != 0 else a
                if r2 < 0:
                    r2 = abs(r2)
                steps.append(format_step(a, op2, b, r2))
                v = r2
                continue
            if kind == 'copy':
                # a wrong value copied from the previous step as the left operand
                a2 = _wrong_number(rnd, a)
                r2 = apply_op(a2, op, b)
                if r2 < 0:
                    r2 = 0
                steps.append(format_step(a2, op, b, r2))
                v = r2
                continue
        r = apply_op(v, op, b) if not (op == '/' and b == 0) else v
        if r < 0:
            r = 0
        steps.append(format_step(v, op, b, r))
        v = r
    if kind == 'final':
        steps.append(answer_line(_wrong_number(rnd, v)))
    else:
        steps.append(answer_line(v))
    return steps, i, kind


if __name__ == '__main__':
    if len(sys.argv) >= 3:
        print(json.dumps(generate_problems(int(sys.argv[1]), int(sys.argv[2])), indent=1))
    else:
        for p in generate_problems(7, 3):
            print(lm_text(p))
            print('---', p['answer'])
        rnd = random.Random(0)
        for p in generate_problems(8, 4):
            s, i, k = planted_error_steps(p, rnd)
            print(k, i, check_steps(p, s))
            print(prm_text(p['problem'], s))
