"""Fitting a topic model: customer tokens -> gensim LDA -> ``voc.topics.model.TopicModel``.

``fit(TopicModel(...), docs, ids)`` takes the customer tokens that the ``segment`` stage
writes and:

1. drops numbers, placeholders (〔手机号〕...), one-character tokens and the generic words of
   ``voc.topics.model.TOPIC_STOPWORDS`` (现在, 已经, 希望, 你们 ...);
2. joins frequent collocations into phrases with gensim ``Phrases`` (NPMI scoring, two
   rounds, so 套餐+被+改 can become 套餐被改);
3. keeps terms found in at least ``no_below`` contacts and at most ``no_above`` of them
   (gensim ``Dictionary.filter_extremes``);
4. fits gensim ``LdaModel`` (single process, ``random_state=seed``); with
   ``num_topics="auto"`` it fits every K of ``k_range`` and keeps the one with the highest
   coherence c_v, recording the curve.

The fitted ``TopicModel`` infers, saves and loads without gensim. ``voc topics fit`` (contacts
in files, ``voc.training.topics.fit_files``) and the per-period refits of ``voc.topics.track``
call it.
"""
from __future__ import annotations

import logging
import re
import time
from typing import Any, Sequence

from ..errors import ConfigError, InputError
from .model import PhraseMerger, TopicModel, clean_tokens, rounded

log = logging.getLogger(__name__)

_PAIR_SEP = " "  # tokens never contain spaces: used inside gensim Phrases only


# -- phrases ---------------------------------------------------------------------------------
def learn_phrases(docs: Sequence[Sequence[str]], *, rounds: int = 2, min_count: int = 10,
                  threshold: float = 0.5) -> PhraseMerger:
    """Frequent collocations with gensim ``Phrases`` (NPMI score >= ``threshold``)."""
    from gensim.models.phrases import Phrases

    merger = PhraseMerger()
    current = [list(d) for d in docs]
    found: list[list[list[Any]]] = []
    for _ in range(rounds):
        ph = Phrases(current, min_count=min_count, threshold=threshold, scoring="npmi",
                     delimiter=_PAIR_SEP)
        pairs = []
        for phrase, score in ph.export_phrases().items():
            parts = phrase.split(_PAIR_SEP)
            if len(parts) == 2 and parts[0] != parts[1]:
                pairs.append([parts[0], parts[1], float(score)])
        pairs.sort(key=lambda p: (p[0], p[1]))
        if not pairs:
            break
        found.append(pairs)
        merger = PhraseMerger(found)
        current = [PhraseMerger([pairs])(d) for d in current]
    return merger


# -- fitting ---------------------------------------------------------------------------------
def _check_params(model: TopicModel) -> None:
    k = model.num_topics
    if not (k == "auto" or (isinstance(k, int) and k >= 2)):
        raise ConfigError(f"num_topics must be an integer of at least 2 or 'auto', not {k!r}.")
    if k == "auto":
        a, b, s = model.k_range
        if not (2 <= a <= b and s >= 1):
            raise ConfigError(f"k_range {model.k_range} is invalid; give (start, stop, step) with 2 <= start <= stop.")
    if not (0 < model.no_above <= 1):
        raise ConfigError(f"no_above must be in (0, 1], not {model.no_above}.")


def fit(model: TopicModel, docs: Sequence[Sequence[str]], ids: Sequence[str] | None = None, *,
        score: bool = True) -> TopicModel:
    """Fit ``model`` (its settings) on the customer tokens of each contact and return it.

    ``ids`` name the contacts for the representative examples (default: their positions).
    ``score=False`` skips the coherence scores of the chosen model (not allowed with
    ``num_topics="auto"``). Learns ``vocab_``, ``lambda_``, ``alpha_``, ``phrases_``,
    ``topics_``, ``coherence_``, ``curve_`` and ``assignments_``."""
    import numpy as np
    from gensim.corpora import Dictionary

    _check_params(model)
    t0 = time.monotonic()
    docs = [list(d) for d in docs]
    ids = [str(i) for i in (ids if ids is not None else range(len(docs)))]
    if len(ids) != len(docs):
        raise ConfigError("ids and docs have different lengths; give one id per document.")
    stop = model.stopwords_
    model.phrases_ = None
    cleaned = [clean_tokens(d, stop) for d in docs]
    if model.phrases is not None:
        model.phrases_ = model.phrases
    elif model.phrase_rounds:
        model.phrases_ = learn_phrases(cleaned, rounds=model.phrase_rounds, min_count=model.phrase_min_count,
                                       threshold=model.phrase_threshold)
    else:
        model.phrases_ = PhraseMerger()
    texts = [[w for w in model.phrases_(d) if len(w) >= model.min_len and w not in stop] for d in cleaned]
    if model.drop_names:  # brand, place and person names are no topic terms at all
        names = _name_filter(model)
        drop = {w for w in {w for t in texts for w in t} if names.is_name(w)}
        texts = [[w for w in t if w not in drop] for t in texts]
        model.dropped_names_ = len(drop)
    dictionary = Dictionary(texts)
    dictionary.filter_extremes(no_below=model.no_below, no_above=model.no_above, keep_n=model.keep_n)
    if len(dictionary) < 2:
        raise InputError(f"only {len(dictionary)} terms occur in at least {model.no_below} contacts; "
                         f"give more contacts or lower no_below.")
    bows = [dictionary.doc2bow(t) for t in texts]
    keep = [i for i, b in enumerate(bows) if sum(c for _, c in b) >= max(1, model.min_terms)]
    if len(keep) < 10:
        raise InputError(f"only {len(keep)} contacts have topic terms; give at least a few hundred contacts.")
    corpus = [bows[i] for i in keep]
    model.n_docs_ = len(docs)
    model.n_train_docs_ = len(corpus)
    log.info("topics: %d contacts, %d with terms, %d terms, %d phrases", len(docs), len(corpus),
             len(dictionary), len(model.phrases_.phrases))
    coh_texts = [[w for w in texts[i] if w in dictionary.token2id] for i in keep]

    if model.num_topics == "auto":
        a, b, s = model.k_range
        curve, best = [], None
        for k in range(a, b + 1, s):
            lda = _train(model, corpus, dictionary, k)
            per = _coherence(lda, coh_texts, dictionary, corpus, "c_v", model.coherence_topn, per_topic=True)
            cv = float(np.mean(per))
            curve.append([k, rounded(cv)])
            log.info("topics: K=%d c_v=%.4f", k, cv)
            if best is None or round(cv, 4) > round(best[1], 4):
                best = (k, cv, lda, per)
        model.curve_ = {"measure": "c_v", "topn": model.coherence_topn, "points": curve}
        k, _, lda, per_cv = best
    else:
        model.curve_ = None
        k, lda = model.num_topics, _train(model, corpus, dictionary, model.num_topics)
        per_cv = None
    model.k_ = k
    model.passes_used_ = passes_for(model, len(corpus))
    model.vocab_ = [dictionary[i] for i in range(len(dictionary))]
    model.dfs_ = [int(dictionary.dfs.get(i, 0)) for i in range(len(dictionary))]
    model.dict_num_docs_ = int(dictionary.num_docs)
    model.lambda_ = np.asarray(lda.state.get_lambda(), dtype=np.float64)
    model.alpha_ = np.asarray(lda.alpha, dtype=np.float64)
    model.dictionary_ = dictionary
    model.build_inference()
    # coherence of the chosen model
    if not score and per_cv is None:
        per_cv = [float("nan")] * k
        model.coherence_ = None
    else:
        if per_cv is None:
            per_cv = _coherence(lda, coh_texts, dictionary, corpus, "c_v", model.coherence_topn, per_topic=True)
        model.coherence_ = _scores(model, lda, coh_texts, dictionary, corpus, per_cv)
    theta = model.infer_terms(texts)
    model.assignments_ = list(zip(ids, model.assign_theta(theta)))
    model.topics_ = _describe(model, theta, texts, ids, per_cv, corpus)
    model.fit_seconds_ = round(time.monotonic() - t0, 1)
    return model


def _scores(model: TopicModel, lda, coh_texts, dictionary, corpus, per_cv) -> dict[str, Any]:
    import numpy as np

    return {
        "c_v": rounded(float(np.mean(per_cv))),
        "u_mass": rounded(_coherence(lda, coh_texts, dictionary, corpus, "u_mass", model.coherence_topn)),
        "c_v_top20": rounded(_coherence(lda, coh_texts, dictionary, corpus, "c_v", 20)),
        "topn": model.coherence_topn,
        "texts": "training contacts' topic terms",
    }


def _train(model: TopicModel, corpus, dictionary, k: int):
    import numpy as np
    from gensim.models import LdaModel

    t0 = time.monotonic()
    prior = _prior(model, corpus, dictionary, k)
    lda = LdaModel(corpus=None if prior is not None else corpus, id2word=dictionary, num_topics=k,
                   random_state=model.seed, passes=passes_for(model, len(corpus)), iterations=model.iterations,
                   alpha=model.alpha, eta=model.eta if prior is None else prior, chunksize=model.chunksize,
                   eval_every=None, update_every=1, dtype=np.float64)
    if prior is not None:  # start from the previous topics, then learn from this data
        from gensim.matutils import dirichlet_expectation

        lda.state.sstats[...] += prior - prior.min(axis=1, keepdims=True)
        lda.expElogbeta = np.exp(dirichlet_expectation(lda.state.sstats))
        lda.update(corpus)
    log.info("topics: trained K=%d in %.1f s", k, time.monotonic() - t0)
    return lda


def _prior(model: TopicModel, corpus, dictionary, k: int):
    """The K x V Dirichlet prior eta of a refit from a previous model (``model.prior_``: its
    vocabulary and K' x V' topic-term probabilities, K' <= K): the symmetric 1/K everywhere,
    plus, on each of the first K' topics, the previous topic's term probabilities (over the
    terms both vocabularies share) times ``prior_weight`` x the mean number of terms per
    topic in this data: the previous month counts as ``prior_weight`` months of data. The
    last K - K' topics are free for new ones. None when there is no previous model."""
    import numpy as np

    prev = getattr(model, "prior_", None)
    if prev is None:
        return None
    vocab, phi = prev
    if phi.shape[0] > k:
        raise ConfigError(f"a refit needs at least as many topics as the previous model ({phi.shape[0]}), not {k}.")
    eta = np.full((k, len(dictionary)), 1.0 / k)
    t2i = dictionary.token2id
    cols = [(j, t2i[w]) for j, w in enumerate(vocab) if w in t2i]
    if not cols:
        return eta
    src, dst = (np.array(x) for x in zip(*cols))
    shared = phi[:, src]
    shared = shared / np.maximum(shared.sum(axis=1, keepdims=True), 1e-300)
    mass = model.prior_weight * sum(c for bow in corpus for _, c in bow) / k
    eta[:phi.shape[0], dst] += mass * shared
    return eta


def passes_for(model: TopicModel, n_docs: int) -> int:
    """``passes`` if set, else about 200,000 document updates in all (5 to 30 passes)."""
    if model.passes:
        return int(model.passes)
    return int(min(30, max(5, -(-200_000 // max(1, n_docs)))))


def _coherence(lda, texts, dictionary, corpus, measure: str, topn: int, per_topic: bool = False):
    from gensim.models import CoherenceModel

    import numpy as np

    lam = np.asarray(lda.state.get_lambda())
    top = [[dictionary[int(i)] for i in np.argsort(-row, kind="stable")[:topn]] for row in lam]
    cm = CoherenceModel(topics=top, texts=texts if measure != "u_mass" else None,
                        corpus=corpus if measure == "u_mass" else None, dictionary=dictionary,
                        coherence=measure, topn=topn, processes=1)
    import warnings

    with warnings.catch_warnings():  # gensim's log(0) of word pairs that never co-occur: its own business,
        warnings.simplefilter("ignore", RuntimeWarning)  # not a line with a library path under the user's prompt
        return cm.get_coherence_per_topic() if per_topic else cm.get_coherence()


def _describe(model: TopicModel, theta, texts, ids, per_cv, corpus) -> list[dict[str, Any]]:
    import numpy as np

    K = model.k_
    has = theta.any(axis=1)
    primary = np.where(has, np.argmax(theta, axis=1), -1)
    n_with = int(has.sum()) or 1
    # term marginal for label relevance
    counts = np.zeros(len(model.vocab_))
    for bow in corpus:
        for i, c in bow:
            counts[i] += c
    pw = counts / counts.sum()
    phi = model.topic_term_
    lengths = np.array([len(t) for t in texts])
    out = []
    labels_seen: set[str] = set()
    for k in range(K):
        order = np.argsort(-phi[k], kind="stable")
        terms = [[model.vocab_[i], rounded(phi[k, i], 5)] for i in order[:20]]
        label = _label(model, phi[k], pw, labels_seen)
        labels_seen.add(label)
        member = np.flatnonzero(primary == k)
        # representative: the highest weight among contacts with at least 5 terms (else any)
        cand = [i for i in member if lengths[i] >= 5] or list(member)
        cand.sort(key=lambda i: (-round(float(theta[i, k]), 6), i))
        out.append({
            "id": k,
            "label": label,
            "terms": terms,
            "share": rounded(len(member) / n_with),
            "contacts": int(len(member)),
            "mean_weight": rounded(float(theta[has, k].mean()) if has.any() else 0.0),
            "representative": [ids[i] for i in cand[:3]],
            "c_v": rounded(per_cv[k]) if per_cv[k] == per_cv[k] else None,
        })
    return out


def _label(model: TopicModel, phik, pw, taken: set[str]) -> str:
    """Top terms by relevance (Sievert and Shirley 2014, lambda 0.6) among the topic's 30
    most probable terms that are not brand, place or person names (unless ``keep_names``) or
    counts of days or times (十天, 一晚),
    skipping terms that contain or are contained in one already chosen; one more term when
    the label is already taken."""
    import numpy as np

    top = np.argsort(-phik, kind="stable")
    names = None if model.keep_names else _name_filter(model)  # brand, place, person names (voc.topics.names)
    ok = [i for i in top[:60] if not _COUNTED.match(model.vocab_[i])
          and (names is None or not names.is_name(model.vocab_[i]))]
    top = np.array(ok[:30] or top[:30], dtype=np.int64)
    rel = 0.6 * np.log(phik[top]) + 0.4 * np.log(phik[top] / np.maximum(pw[top], 1e-12))
    ranked = [model.vocab_[i] for i, _ in sorted(zip(top, rel), key=lambda x: (-round(float(x[1]), 9), x[0]))]
    chosen: list[str] = []
    n = model.label_terms
    for w in ranked:
        if any(w in c or c in w for c in chosen):
            continue
        chosen.append(w)
        if len(chosen) >= n and "/".join(chosen) not in taken:
            break
    return "/".join(chosen)


# a number of days, nights, times ... (十天, 二十天, 一晚, 两次): never a label term
_COUNTED = re.compile(r"^[一二两三四五六七八九十百千几半多]+[天年月日周晚次个块元分秒号遍趟]$")


def _name_filter(model: TopicModel):
    f = getattr(model, "name_filter_", None)
    if f is None:
        from .names import NameFilter

        f = model.name_filter_ = NameFilter()
    return f
