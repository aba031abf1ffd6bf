"""Experiment: MiniLM fine-tuned on English entity mentions with entity markers, cross-validated
on the same outer folds as ``bench/framing_ablation.py`` (KFold over all articles, shuffled,
seed 13), then mixed with the linear framing model's out-of-fold probabilities.

    PYTHONPATH=src python bench/framing_ablation.py dump=/tmp/framing-oof.npz
    PYTHONPATH=src python bench/framing_minilm.py --linear /tmp/framing-oof.npz \
        --out /tmp/framing-minilm.npz [--epochs 4] [--lr 5e-5] [--max-pieces 128]

Each English mention is read as ``[CLS] left @ mention @ right [SEP]``, at most
``--max-pieces`` wordpieces centred on the mention; the marker's final state goes to a main-role
head (softmax) and a fine-role head (22 sigmoids). Prints main-role accuracy and fine-role exact
match of the encoder alone and of mixes ``(1 - w) * linear + w * encoder`` for several ``w``
(chosen on the same out-of-fold predictions: an optimistic comparison, for deciding whether
the model is worth building into the stage).
"""

from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np
import torch
from sklearn.model_selection import KFold

from narrascope.encoders import encoder_dir, tokenizer
from narrascope.narratives.commands import DEFAULT_DATA
from narrascope.narratives.data import LANGS, MAIN_ROLES, read_corpus
from narrascope.narratives.framing import FINE, decide_roles
from narrascope.narratives.scoring import role_scores

# Punctuation markers (Zhou and Chen's "typed entity marker (punct)"): their embeddings are
# trained ones, so the word-embedding table can stay frozen as in the shipped encoders.
OPEN, CLOSE = "@", "@"


def mention_ids(text: str, start: int, end: int, max_pieces: int) -> tuple[list[int], int]:
    tok = tokenizer()
    left = tok.encode(text[max(0, start - 1500) : start], add_special_tokens=False)
    inner = tok.encode(text[start:end], add_special_tokens=False)[:24]
    right = tok.encode(text[end : end + 1500], add_special_tokens=False)
    room = max_pieces - len(inner) - 4
    n_left = min(len(left), max(room // 2, room - len(right)))
    n_right = min(len(right), room - n_left)
    ids = [
        tok.cls_token_id,
        *left[len(left) - n_left :],
        *tok.convert_tokens_to_ids([OPEN]),
        *inner,
        *tok.convert_tokens_to_ids([CLOSE]),
        *right[:n_right],
        tok.sep_token_id,
    ]
    return ids, 1 + n_left


class RoleModel(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        from transformers import AutoModel

        self.bert = AutoModel.from_pretrained(str(encoder_dir()))
        size = self.bert.config.hidden_size
        self.drop = torch.nn.Dropout(0.1)
        self.main = torch.nn.Linear(2 * size, len(MAIN_ROLES))
        self.fine = torch.nn.Linear(2 * size, len(FINE))

    def forward(self, ids, mask, marks):  # type: ignore[no-untyped-def]
        states = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        rows = torch.arange(ids.shape[0])
        x = torch.cat([states[rows, marks], states[:, 0]], dim=1)
        x = self.drop(x)
        return self.main(x), self.fine(x)


def batch(examples):  # type: ignore[no-untyped-def]
    width = max(len(e[0]) for e in examples)
    ids = torch.zeros((len(examples), width), dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for k, e in enumerate(examples):
        ids[k, : len(e[0])] = torch.tensor(e[0])
        mask[k, : len(e[0])] = 1
    marks = torch.tensor([e[1] for e in examples])
    return ids, mask, marks


def train_fold(train, epochs: int, lr: float, seed: int) -> RoleModel:  # type: ignore[no-untyped-def]
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = RoleModel()
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    opt = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01
    )
    steps = epochs * ((len(train) + 15) // 16)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )
    model.train()
    for _ in range(epochs):
        order = list(train)
        rng.shuffle(order)
        for k in range(0, len(order), 16):
            chunk = order[k : k + 16]
            ids, mask, marks = batch(chunk)
            main_logits, fine_logits = model(ids, mask, marks)
            main_gold = torch.tensor([e[2] for e in chunk])
            fine_gold = torch.tensor(np.array([e[3] for e in chunk]))
            loss = torch.nn.functional.cross_entropy(main_logits, main_gold)
            loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(
                fine_logits, fine_gold
            )
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
    model.eval()
    return model


@torch.no_grad()
def predict(model: RoleModel, examples):  # type: ignore[no-untyped-def]
    mains, fines = [], []
    for k in range(0, len(examples), 32):
        ids, mask, marks = batch(examples[k : k + 32])
        m, f = model(ids, mask, marks)
        mains.append(torch.softmax(m, 1).numpy())
        fines.append(torch.sigmoid(f).numpy())
    return np.concatenate(mains), np.concatenate(fines)


def scores(golds, main_p, fine_p):  # type: ignore[no-untyped-def]
    pred = [decide_roles(main_p[k], fine_p[k])[:2] for k in range(len(main_p))]
    return [
        round(v, 4)
        for v in role_scores(
            [g.main_role for g in golds],
            [p[0] for p in pred],
            [g.fine_roles for g in golds],
            [p[1] for p in pred],
        ).values()
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--linear", required=True)
    parser.add_argument("--out", default="")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--max-pieces", type=int, default=128)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    articles = read_corpus(DEFAULT_DATA, LANGS)
    owner = np.array([i for i, a in enumerate(articles) for _ in a.mentions])
    lang_rows = np.array([articles[i].lang == args.lang for i in owner])
    examples: dict[int, list] = {}
    for i, a in enumerate(articles):
        if a.lang != args.lang:
            continue
        rows = []
        for m in a.mentions:
            ids, mark = mention_ids(a.text, m.start, m.end, args.max_pieces)
            fine = np.zeros(len(FINE), dtype=np.float32)
            for f in m.fine_roles:
                if f in FINE:
                    fine[FINE.index(f)] = 1
            rows.append((ids, mark, MAIN_ROLES.index(m.main_role), fine))
        examples[i] = rows
    main_p = np.zeros((len(owner), len(MAIN_ROLES)), dtype=np.float32)
    fine_p = np.zeros((len(owner), len(FINE)), dtype=np.float32)
    folds = KFold(5, shuffle=True, random_state=13).split(np.arange(len(articles)))
    for fold, (train_idx, test_idx) in enumerate(folds):
        t0 = time.time()
        train = [e for i in train_idx if i in examples for e in examples[i]]
        model = train_fold(train, args.epochs, args.lr, 13 + fold)
        for i in test_idx:
            if examples.get(i):
                m, f = predict(model, examples[i])
                where = np.flatnonzero(owner == i)
                main_p[where], fine_p[where] = m, f
        print(f"fold {fold}: {len(train)} mentions, {time.time() - t0:.0f} s", flush=True)
    if args.out:
        np.savez(args.out, main=main_p, fine=fine_p, article=owner)
    golds = []  # the mentions in the dump's order
    seen: set[int] = set()
    for i in owner:
        if i not in seen:
            seen.add(i)
            golds.extend(articles[i].mentions)
    golds_lang = [g for g, keep in zip(golds, lang_rows, strict=True) if keep]
    dump = np.load(args.linear)
    assert (dump["article"] == owner).all()
    lin_main, lin_fine = dump["main"][lang_rows], dump["fine"][lang_rows]
    enc_main, enc_fine = main_p[lang_rows], fine_p[lang_rows]
    # the encoder's fine sigmoids as a distribution, like the linear model's fine softmax
    enc_fine_n = enc_fine / enc_fine.sum(1, keepdims=True)
    result = {
        "linear": scores(golds_lang, lin_main, lin_fine),
        "encoder": scores(golds_lang, enc_main, enc_fine_n),
    }
    for w in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        result[f"mix{w}"] = scores(
            golds_lang, (1 - w) * lin_main + w * enc_main, (1 - w) * lin_fine + w * enc_fine_n
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
