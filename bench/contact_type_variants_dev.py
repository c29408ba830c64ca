"""Contact-type design variants on development folds only (sixth round, not shipped).

    python bench/contact_type_variants_dev.py                        # 1.3.0's design
    python bench/contact_type_variants_dev.py --bigram 0.5           # + token bigrams of the customer text
    python bench/contact_type_variants_dev.py --nb 1 [--nb-beta 0.5] # NB-SVM log-count-ratio scaling
    python bench/contact_type_variants_dev.py --cnb 1                # + complement-NB block, out of fold
    python bench/contact_type_variants_dev.py --question-weight 2    # hand-labelled questions weigh more
    python bench/contact_type_variants_dev.py --cues bench/contact_type_cues6.json  # cues replaced (JSON name -> regex)

The same out-of-fold predictions as ``python bench/more_labels_dev.py --task contact_type --runs with``
(same training rows, weights, groups and folds; 1.3.0's design reproduces its figures exactly), but
only the 5 development-fold fits are made (no final model, no temperature: the argmax is the
same), so a variant over seeds 0-2 takes ~2 minutes. Prints accuracy per kind on the 2,050
everyday.csv rows and on all hand-labelled rows, per seed and the mean. Never reads a reserved row
(``voc.training.contact_type.training_data`` refuses them).

Variants (docs/contact_type.md, "Sixth round"):
- ``--bigram W``: a block of adjacent segment-token pairs of the customer text, weight W;
- ``--nb ALPHA``: each one-vs-rest regression fitted on the n-gram columns scaled by
  |log-count ratio| (Wang & Manning 2012; binarised counts, smoothing ALPHA, computed on the
  fold's training rows only), the ratio folded back into the coefficients (same saved form);
  ``--nb-beta B`` uses |r| ** B;
- ``--cnb W``: six dense columns, the centred and scaled joint log-likelihoods of a complement
  naive Bayes (scikit-learn ``ComplementNB`` over binary character 1-2-grams and tokens); on the
  fold's training rows they are out of (inner, grouped) fold, so no row sees its own label;
- ``--question-weight F``: the hand-labelled customer questions weigh F times more;
- ``--weak-chat-weight W``: the weak chat rows' weight (``voc.training.contact_type.WEAK_CHAT_WEIGHT``);
- ``--cues FILE``: cue expressions replaced; ``bench/contact_type_cues6.json`` holds the sixth
  round's three cue fixes, ``bench/contact_type_cues6_overdue.json`` only 逾期 out of ``failure``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voc.estimators import contact_type as E  # noqa: E402
from voc.estimators.linear_text import LinearText, folds, take  # noqa: E402

KINDS = ("customer questions", "helpdesk dialogues", "chat utterances", "reviews", "complaint posts", "pooled")
SHORT = dict(zip(KINDS, ("questions", "dialogues", "chat", "reviews", "posts", "pooled")))


class NBLinear(LinearText):
    """``LinearText`` whose one-vs-rest regressions see the n-gram columns scaled by the NB
    log-count ratio of their class (dense columns unscaled); coefficients are stored unscaled."""

    nb_alpha, nb_beta = 1.0, 1.0

    def fit(self, texts, dense, y, n_classes, sample_weight=None):
        from scipy.sparse import diags
        from sklearn.linear_model import LogisticRegression

        from voc.estimators.root_cause_features import CharVocab, Vocab

        self.vocabs_ = {k: Vocab.fit([[w.lower() for w in toks] for toks in texts[k]], self.min_df) if lo == 0
                        else CharVocab.fit(list(texts[k]), lo, hi, self.min_df)
                        for k, (lo, hi, _) in self.blocks.items()}
        X = self.design(texts, dense)
        y = np.asarray(y)
        sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight)
        n_sparse = X.shape[1] - dense.shape[1]
        binary = X[:, :n_sparse].copy()
        binary.data[:] = 1.0
        coef = np.zeros((n_classes, X.shape[1]))
        intercept = np.full(n_classes, -30.0)
        for c in np.unique(y):
            pos = y == c
            p = self.nb_alpha + np.asarray(binary.T @ (sw * pos)).ravel()
            q = self.nb_alpha + np.asarray(binary.T @ (sw * ~pos)).ravel()
            scale = np.ones(X.shape[1])
            scale[:n_sparse] = np.abs(np.log((p / p.sum()) / (q / q.sum()))) ** self.nb_beta
            lr = LogisticRegression(C=self.C, solver="liblinear", max_iter=self.max_iter, random_state=0)
            lr.fit(X @ diags(scale), pos.astype(int), sample_weight=sample_weight)
            coef[c], intercept[c] = lr.coef_[0] * scale, lr.intercept_[0]
        self.coef_ = coef.astype(np.float32).astype(np.float64)
        self.intercept_ = intercept.astype(np.float32).astype(np.float64)
        return self


class Variant(E.ContactTypeClassifier):
    bigram, nb = 0.0, 0.0

    def _linear(self) -> LinearText:
        model = super()._linear()
        blocks = dict(model.blocks)
        if self.bigram:
            blocks["bigrams"] = (0, 0, self.bigram)
        cls = NBLinear if self.nb else LinearText
        return cls(blocks, C=self.C, min_df=self.min_df, dense_weight=self.cue_weight)

    def _inputs(self, docs):
        inputs, dense = super()._inputs(docs)
        if self.bigram:
            inputs["bigrams"] = [[f"{a} {b}" for a, b in zip(t, t[1:])] for t in inputs["words"]]
        return inputs, dense


def cnb_matrix(docs):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer

    chars = CountVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, binary=True)
    words = CountVectorizer(analyzer=lambda toks: [t.lower() for t in toks], min_df=2, binary=True)
    return hstack([chars.fit_transform([d.text for d in docs]), words.fit_transform([list(d.tokens) for d in docs])],
                  format="csr")


def cnb_columns(X, y, w, groups, tr, te, seed, alpha):
    """Complement-NB columns of the rows ``tr`` (out of 5 inner grouped folds) and ``te`` (fitted on ``tr``)."""
    from sklearn.naive_bayes import ComplementNB

    def fit_score(a, b):
        nb = ComplementNB(alpha=alpha).fit(X[a], y[a], sample_weight=w[a])
        jl = nb.predict_joint_log_proba(X[b])
        jl = jl - jl.mean(axis=1, keepdims=True)
        out = np.zeros((len(b), len(E.LABELS)))
        out[:, nb.classes_] = jl / (np.abs(jl).max(axis=1, keepdims=True) + 1e-9)
        return out

    inner = folds(len(tr), 5, seed + 100, [groups[i] for i in tr])
    cols = np.zeros((len(tr), len(E.LABELS)))
    for j in range(5):
        cols[inner == j] = fit_score(tr[inner != j], tr[inner == j])
    return cols, fit_score(tr, te)


def out_of_fold(data, seed, args, params):
    m = Variant(random_state=seed, **params)
    m.bigram, m.nb = args.bigram, args.nb
    NBLinear.nb_alpha, NBLinear.nb_beta = args.nb or 1.0, args.nb_beta
    n = len(data["kinds"])
    y = np.array([E.LABELS.index(v) for v in data["y"]])
    w = np.asarray(data["sample_weight"], dtype=np.float64)
    w = w * np.array([m.class_boost.get(lab, 1.0) for lab in E.LABELS])[y]  # as ContactTypeClassifier.fit
    w[:n][np.array(data["kinds"]) == "customer questions"] *= args.question_weight
    inputs, dense = m._inputs(data["X"])
    hand = np.flatnonzero(w >= 1.0)  # the development rows, as fit_with_dev picks them (weak rows
    # weighted 1 or more join them there too); the first n, the hand-labelled ones, are scored
    fold = np.full(len(y), -1)
    fold[hand] = folds(len(hand), m.cv, seed, [data["groups"][i] for i in hand])
    cnb = cnb_matrix(data["X"]) if args.cnb else None
    logits = np.zeros((len(y), len(E.LABELS)))
    for k in range(m.cv):
        tr, te = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        d_tr, d_te = dense[tr], dense[te]
        if args.cnb:
            c_tr, c_te = cnb_columns(cnb, y, w, data["groups"], tr, te, seed, args.cnb_alpha)
            scale = args.cnb / m.cue_weight  # dense columns are multiplied by cue_weight in the design
            d_tr, d_te = np.hstack([d_tr, c_tr * scale]), np.hstack([d_te, c_te * scale])
        model = m._linear().fit(take(inputs, tr), d_tr, y[tr], len(E.LABELS), w[tr])
        logits[te] = model.logits(take(inputs, te), d_te)
    return [E.LABELS[p] for p in logits[:n].argmax(axis=1)]


def main(argv=None) -> None:
    import voc.training.contact_type as ct

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--bigram", type=float, default=0.0, help="weight of a token-bigram block (0: none)")
    ap.add_argument("--nb", type=float, default=0.0, help="NB log-count-ratio scaling with this smoothing (0: off)")
    ap.add_argument("--nb-beta", type=float, default=1.0, help="scale by |r| ** beta")
    ap.add_argument("--cnb", type=float, default=0.0, help="weight of the complement-NB columns (0: none)")
    ap.add_argument("--cnb-alpha", type=float, default=0.3)
    ap.add_argument("--question-weight", type=float, default=1.0)
    ap.add_argument("--weak-chat-weight", type=float, default=None, help="weight of the weak chat rows (1.3.0: 0.5)")
    ap.add_argument("--cues", default="", help="JSON file: cue name -> regular expression (replaces those cues)")
    ap.add_argument("--param", nargs="*", default=[], metavar="KEY=VALUE", help="contact-type estimator parameter")
    args = ap.parse_args(argv)
    params = {k: json.loads(v) for k, _, v in (p.partition("=") for p in args.param)}
    if args.cues:
        params["cues"] = {**E.CUES, **json.loads(Path(args.cues).read_text(encoding="utf-8"))}
    if args.weak_chat_weight is not None:
        ct.WEAK_CHAT_WEIGHT = args.weak_chat_weight
    print(f"variant: {' '.join(sys.argv[1:]) or '1.3.0 design'}")
    acc: dict[tuple[str, str], list[float]] = {}
    for seed in args.seeds:
        data = ct.training_data(seed)
        pred = out_of_fold(data, seed, args, params)
        for src in ("everyday.csv", "all"):
            for k in KINDS:
                sel = [g == p for g, p, kk, s in zip(data["y"], pred, data["kinds"], data["sources"])
                       if src in ("all", s) and k in ("pooled", kk)]
                acc.setdefault((src, k), []).append(float(np.mean(sel)))
        sys.stdout.flush()
    for src in ("everyday.csv", "all"):
        print(f"\nrows of {src}, seeds {args.seeds} (mean)\n")
        print("| kind | " + " | ".join(f"seed {s}" for s in args.seeds) + " | mean |")
        print("|---|" + "---:|" * (len(args.seeds) + 1))
        for k in KINDS:
            v = acc[(src, k)]
            print(f"| {SHORT[k]} | " + " | ".join(f"{x:.3f}" for x in v) + f" | {np.mean(v):.4f} |")


if __name__ == "__main__":
    main()
