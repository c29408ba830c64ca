"""Topic models from contacts: contacts -> customer tokens (the text stages of
``voc.training.text``) -> ``voc.topics.fit.fit``; ``voc topics fit`` (``fit_files``) and the
shipped model's build (``build_default``) with its model card.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import InputError
from ..records import Contact
from ..topics.fit import fit
from ..topics.model import NAME, VERSION, TopicModel, rounded

log = logging.getLogger(__name__)

def tokenise_contacts(contacts: Iterable[Contact], *, workers: int = 1, batch_size: int = 256,
                      names: str | Path | None = None) -> tuple[list[str], list[tuple[str, ...]], list[Any]]:
    """(ids, tokens, tagged) of contacts, through the text stages (on ``workers`` processes)."""
    from ..text.redact import Redactor, personal_token, read_names
    from .text import pipeline_through

    redactor = Redactor(names=read_names(names) if names else ())  # issue 16: a user name list too
    personal = personal_token(redactor)
    ids, toks, tagged = [], [], []
    for t in pipeline_through("segment").pipe(contacts, workers=workers, batch_size=batch_size):
        if t.status.startswith("error"):
            log.warning("contact %s skipped: %s", t.contact.id, t.status)
            continue
        ids.append(redactor.scrub(t.contact.id))
        toks.append(tuple(w for w in t.tokens or () if not personal(w)))  # issue 16: no names in a model
        tagged.append(t)
    return ids, toks, tagged


def fit_contacts(contacts: Iterable[Contact], *, workers: int = 1, names: str | Path | None = None,
                 **params: Any) -> TopicModel:
    """Fit a ``TopicModel`` on contacts (their customer tokens)."""
    ids, toks, _ = tokenise_contacts(contacts, workers=workers, names=names)
    if not toks:
        raise InputError("no contacts to fit topics on; give files with customer text.")
    return fit(TopicModel(**params), toks, ids)


def fit_files(inputs: Sequence[str | Path], output: str | Path, *, num_topics: int | str = "auto", seed: int = 1,
              workers: int = 1, overwrite: bool = False, version: str = f"user-{VERSION}", read_options: dict | None = None,
              names: str | Path | None = None, **params: Any) -> TopicModel:
    """``voc topics fit``: fit on the contacts of ``inputs`` and write the model folder."""
    from ..io.readers import read_inputs

    model = fit_contacts(read_inputs(inputs, **(read_options or {})), workers=workers, num_topics=num_topics,
                         seed=seed, names=names, **params)
    from ..text.redact import Redactor

    sources = [{"name": Redactor().scrub(Path(p).name), "note": "user input"} for p in inputs]  # issue 16
    model.save(output, version=version, data_sources=sources, overwrite=overwrite,
               description=f"LDA topic model fitted with voc topics fit on {len(inputs)} file(s)")
    return model


# -- the shipped default model ---------------------------------------------------------------
def training_contacts() -> tuple[list[Contact], list[dict[str, Any]]]:
    """The non-reserved complaint and dialogue contacts of ../shared/data: heimao
    train + dev, STC-3 train dialogues with index % 5 != 0 (customer turns are used)."""
    from .. import datasets as ds

    heimao = [c for fn in ("process_category/train.csv", "process_category/dev.csv")
              for c, _ in ds.iter_dataset(ds.HEIMAO, file=fn)]
    stc3 = [c for c, _ in ds.iter_dataset(ds.STC3, file="train_data_cn.json")]
    sources = [
        {"name": ds.HEIMAO, "files": ["process_category/train.csv", "process_category/dev.csv"],
         "rows": len(heimao), "note": "financial complaints; test.csv (reserved) not used"},
        {"name": ds.STC3, "files": ["train_data_cn.json"], "rows": len(stc3),
         "note": "customer turns of dialogues with index % 5 != 0 (reserved ones not used)"},
    ]
    return heimao + stc3, sources


def reserved_contacts() -> list[Contact]:
    """The reserved complaint and dialogue rows (evaluation only)."""
    from .. import datasets as ds

    return ([c for c, _ in ds.iter_dataset(ds.HEIMAO, reserved=True)]
            + [c for c, _ in ds.iter_dataset(ds.STC3, reserved=True)])


def heldout_coherence(model: TopicModel, token_lists: Sequence[Sequence[str]], topn: int | None = None) -> dict:
    """c_v and u_mass of the model's topics measured on other contacts' tokens."""
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    topn = topn or model.coherence_topn
    texts = [[w for w in model.preprocess(t) if w in model.token2id_] for t in token_lists]
    texts = [t for t in texts if t]
    d = Dictionary()
    d.token2id = dict(model.token2id_)
    d.id2token = {}
    topics = [[w for w, _ in t["terms"][:topn]] for t in model.topics_]
    cv = CoherenceModel(topics=topics, texts=texts, dictionary=d, coherence="c_v", topn=topn, processes=1)
    um = CoherenceModel(topics=topics, corpus=[d.doc2bow(t) for t in texts], dictionary=d, coherence="u_mass",
                        topn=topn, processes=1)
    return {"c_v": rounded(cv.get_coherence()), "u_mass": rounded(um.get_coherence()), "topn": topn,
            "contacts": len(texts)}


DEFAULT_PARAMS: dict[str, Any] = dict(num_topics="auto", seed=1, k_range=(10, 24, 2), drop_names=True)


def build_default(models_root: str | Path) -> Path:
    """Train the shipped topic model on the non-reserved complaint and dialogue texts,
    score its coherence on the training and the reserved texts, write models/topics/<v>/."""
    contacts, sources = training_contacts()
    t0 = time.monotonic()
    ids, toks, _ = tokenise_contacts(contacts, workers=1)
    t_tok = time.monotonic() - t0
    model = fit(TopicModel(**DEFAULT_PARAMS), toks, ids)
    _, rtoks, _ = tokenise_contacts(reserved_contacts(), workers=1)
    held = heldout_coherence(model, rtoks)
    metrics = {"heldout_reserved": held}
    log.info("topics: tokenised in %.0f s, fitted in %.0f s", t_tok, model.fit_seconds_)
    folder = Path(models_root) / NAME / VERSION
    card = _default_card(model, sources, held)
    model.save(folder, version=VERSION, data_sources=sources, metrics=metrics, model_card=card, overwrite=True,
               description="Default topic model: LDA over customer tokens of real complaint and dialogue texts")
    return folder


def _default_card(model: TopicModel, sources: list[dict[str, Any]], held: dict[str, Any]) -> str:
    c = model.coherence_
    curve = " ".join(f"K={k}: {v}" for k, v in (model.curve_ or {}).get("points", []))
    lines = [
        f"# topics {VERSION}: default topic model", "",
        "LDA (gensim `LdaModel`, single process, seed "
        f"{model.seed}) over the customer-side jieba tokens of real complaint and helpdesk dialogue texts.",
        "Built with `python -m voc.build topics` (voc.topics.model.build_default).", "",
        "## Data (non-reserved rows only)", "",
        *[f"- `{s['name']}` {', '.join(s['files'])}: {s['rows']:,} contacts ({s['note']})" for s in sources],
        "",
        "The texts are not redistributed: only the learned vocabulary, topic-term matrix and the ids of",
        "training contacts (`assignments.jsonl`, references into ../shared/data) ship here. Licences:",
        "heimao complaints — none stated; STC-3 dialogue text — non-commercial research use.", "",
        "## Method", "",
        "- tokens: voc's segment stage (project jieba tokenizer, user dictionary, stopwords), customer turns only;",
        "  numbers, placeholders, one-character tokens and the generic words of `preprocess.json` dropped;",
        f"- phrases: gensim `Phrases`, NPMI >= {model.phrase_threshold}, min count {model.phrase_min_count}, "
        f"{model.phrase_rounds} rounds ({len(model.phrases_.phrases)} phrases);",
        f"- dictionary: `filter_extremes(no_below={model.no_below}, no_above={model.no_above}, keep_n={model.keep_n})`"
        f" -> {len(model.vocab_):,} terms;",
        f"- LDA: passes {model.passes_used_}, chunksize {model.chunksize}, iterations {model.iterations}, alpha {model.alpha}, eta {model.eta};",
        f"- K chosen by c_v (top {c['topn']} terms) over {curve};",
        "- brand, organisation, place and person names (corpus/lexicons/topic_names.tsv and jieba's ns/nr/nt tags,",
        f"  voc.topics.names) are no topic terms: {getattr(model, 'dropped_names_', 0):,} terms dropped, so no label",
        "  carries a brand of the training sets. This model is only the fallback: fit topics on your own contacts",
        "  with `voc topics fit --store voc.db` (docs/topics.md).", "",
        "## Coherence (gensim CoherenceModel, same tokens)", "",
        f"- training texts: c_v {c['c_v']} (top {c['topn']}), c_v {c['c_v_top20']} (top 20), u_mass {c['u_mass']}",
        f"- reserved texts (heimao test.csv + STC-3 reserved dialogues, {held['contacts']:,} contacts with terms): "
        f"c_v {held['c_v']}, u_mass {held['u_mass']}", "",
        "## Limits", "",
        "- Trained on financial complaints (loans, credit cards, collection) and Weibo helpdesk dialogues",
        "  (telecom, phones, travel): topics of other industries map onto the nearest of these; fit your own",
        "  model with `voc topics fit` on your contacts for a production view.",
        "- Topic labels are the most relevant terms, not curated names.", "",
        "## Topics", "", "| id | label | share | c_v | top terms |", "|---|---|---|---|---|",
    ]
    for t in model.topics_:
        lines.append(f"| {t['id']} | {t['label']} | {t['share']:.1%} | {t['c_v']} | "
                     f"{' '.join(w for w, _ in t['terms'][:8])} |")
    return "\n".join(lines) + "\n"
