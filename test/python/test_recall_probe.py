"""recall_probe builds its cases as src/eval/recall.ts does and scores the second word of the name."""
import torch

from models.pipeline.model import build
from models.pipeline.recall_probe import cases, score

from conftest import tiny_cfg

LINES = [f'const value{i} = compute(items[{i}], options);' for i in range(200)]


def test_the_target_is_the_rest_of_the_defined_name(tok):
    text = lambda ids: tok.decode(ids).decode('utf-8')  # noqa: E731
    for ids, first in cases(tok, LINES, 64, 5, seed=3):
        whole = text(ids[1:])
        name = whole.split('export function ')[1].split('(')[0]
        assert ids[0] == tok.special_ids['file']
        assert whole.endswith('\nconst shifted = ' + name)           # the use line ends the text
        assert first < len(ids) and text(ids[first:]) and name.endswith(text(ids[first:]))
        assert len(tok.encode(whole[:whole.index('\n\n') + 2].encode())) < len(ids) - 64   # >= 64 tokens of filler


def test_score_reads_the_argmax_of_every_target_token(tok):
    cfg = tiny_cfg(tok)
    torch.manual_seed(0)
    model = build(cfg).eval()
    ids, first = cases(tok, LINES, 64, 1, seed=4)[0]
    hit, nats = score(model, cfg, ids, first, 8)
    assert isinstance(hit, bool) and nats > 0
    logits = model(torch.tensor([ids + [0] * ((-len(ids)) % 64)]), 8).reshape(-1, cfg.vocab_size)
    assert hit == bool((logits[first:len(ids)].argmax(-1) == torch.tensor(ids[first:])).all())
