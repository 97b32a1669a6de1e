"""Character-level tokenizer shared by the three tiny models, laid out as a
SentencePiece-style llama vocabulary: <unk>, <s>, </s>, 256 byte tokens, then one
piece per character ("▁" for space, a "\n" piece for newline)."""

UNK, BOS, EOS = 0, 1, 2
SPACE_PIECE = '\u2581'

CHARS = (
    [SPACE_PIECE, '\n']
    + list('0123456789')
    + list('.,:?@=+-*/')
    + sorted(set('Start with Add Subtract Multiply by Divide by What is the result '
                 'ones tens hundreds thousands The answer is'.replace(' ', '')))
)

PIECES = ['<unk>', '<s>', '</s>'] + ['<0x%02X>' % i for i in range(256)] + CHARS
# token types: 1 normal, 2 unknown, 3 control, 6 byte
TYPES = [2, 3, 3] + [6] * 256 + [1] * len(CHARS)
VOCAB_SIZE = len(PIECES)
_C2I = {c: i for i, c in enumerate(PIECES) if i >= 259}


def encode(text, bos=True):
    ids = [BOS] if bos else []
    for c in text:
        if c == ' ':
            c = SPACE_PIECE
        i = _C2I.get(c)
        if i is None:
            ids.extend(3 + b for b in c.encode('utf-8'))
        else:
            ids.append(i)
    return ids


def decode(ids):
    out = []
    for i in ids:
        if i < 259:
            continue
        out.append(PIECES[i])
    return ''.join(out).replace(SPACE_PIECE, ' ')


PLUS = _C2I['+']
MINUS = _C2I['-']
AT = _C2I['@']
NL = _C2I['\n']

if __name__ == '__main__':
    print(VOCAB_SIZE, CHARS)
    t = 'Start with 7. Add 5.\n\n7 + 5: ones 2, tens 1. 7 + 5 = 12 @'
    assert decode(encode(t)) == t
    print(encode(t))
