"""The model card and data sources of the shipped root-cause model (``build_default``)."""
from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from ..estimators.root_cause import LABELS, VERSION, RootCauseClassifier
from ..records import Contact

DATA_SOURCES = [
    {"name": "corpus/labels/train.csv", "what": "9,052 contacts hand-labelled by the voc project in four rounds (references "
     "into ../shared/data, non-reserved rows only)", "licence": "labels: Apache-2.0 (voc project)"},
    {"name": "heimao_fin_complaints_celine", "origin": "github celineyaxin/celine @7cb5174",
     "rows": "process_category/train.csv, dev.csv", "licence": "none stated"},
    {"name": "stc3_dch_weibo_helpdesk", "origin": "NTCIR-14 STC-3, github SB233/stc3-dataset @90da527",
     "rows": "train_data_cn.json, index % 5 != 0", "licence": "dialogue text non-commercial research use"},
    {"name": "waimai_10k", "origin": "github SophonPlus/ChineseNlpCorpus @a0b781d", "rows": "index % 10 != 0",
     "licence": "none stated"},
    {"name": "ChnSentiCorp_htl_all", "origin": "github SophonPlus/ChineseNlpCorpus @a0b781d",
     "rows": "index % 10 != 0", "licence": "none stated"},
    {"name": "online_shopping_10_cats", "origin": "github SophonPlus/ChineseNlpCorpus @a0b781d",
     "rows": "index % 10 != 0", "licence": "none stated"},
]


ADJUDICATED = "reserved_adjudicated.csv"  # corpus/labels/: the reserved contacts, adjudicated labels


def model_card(model: RootCauseClassifier, report: dict[str, Any], base_report: dict[str, Any],
               reserved_pairs: Sequence[tuple[Contact, str]], no_weak_report: dict[str, Any] | None = None,
               adjudicated: dict[str, Any] | None = None) -> str:
    """MODEL_CARD.md of the shipped model from its reports on the reserved rows."""
    from ..evaluation import format_report

    n = model.n_train_
    src_counts = Counter(c.id.split(":", 1)[0] for c, _ in reserved_pairs)
    lines = [
        f"# Root-cause model {VERSION}",
        "",
        "Assigns each Chinese customer contact the upstream owner who must fix its cause: agent "
        "(客服质检/培训), product (产品/研发), policy (业务政策/合规), process (运营/流程), or other "
        "(no cause can be told). Definitions: docs/taxonomy.md. Method: docs/root_cause.md.",
        "",
        "Rebuild: `python -m voc.build root_cause` (needs ../shared/data; deterministic for a given "
        "corpus/, data and library versions).",
        "",
        "## Model",
        "",
        f"- linear SVM (scikit-learn LinearSVC, C={model.C}, balanced class weights) over: the customer's jieba "
        "tokens and token bigrams (TF-IDF); character "
        + ((f"{model.char_ngrams[0]}-{model.char_ngrams[1]}-grams" if model.char_ngrams[0] != model.char_ngrams[1]
            else f"{model.char_ngrams[0]}-grams") + " of the customer text; " if model.char_ngrams else "")
        + f"character bigrams of agent turns as context (weight {model.context_weight}); per-label sums of the "
        "cue lexicon (corpus/lexicons/root_cause_cues.tsv, copied into config.json); and the scores of two "
        "weakly supervised models (below)",
        f"- training rows: the hand labels, plus each contact's secondary root cause (if any) as an extra row "
        f"of that label at weight {model.secondary_weight} ({model.n_train_.get('secondary', 0)} rows)",
        f"- calibration: softmax of the SVM scores with temperature {model.temperature_}; `other` when the best "
        f"label's probability is below {model.threshold_}; both chosen on "
        f"{model.dev_['folds'] if model.dev_ else '?'}-fold out-of-fold predictions over corpus/labels/train.csv "
        "(never on reserved rows)",
        "- evidence: up to two short clauses of the customer text around the features that favour the "
        "predicted label most (agent turns are never evidence)",
        "- files: JSON vocabularies and config, `weights.npz` (numpy, loaded with allow_pickle=False), "
        "checked against manifest.json before loading",
        "",
        "## Training data",
        "",
        "| label | hand-labelled (train.csv) | weakly labelled (cues) |",
        "|---|---|---|",
    ]
    for lab in LABELS:
        lines.append(f"| {lab} | {n['labelled_by_class'].get(lab, 0)} | {n['weak_by_class'].get(lab, 0)} |")
    lines += [
        f"| total | {n['labelled']} | {n['weak']} |",
        "",
        "Hand labels: corpus/labels/train.csv, non-reserved rows of the sets below, labelled by reading "
        "each contact against the taxonomy (see corpus/README.md; four rounds, Cohen's kappa 0.921 "
        "between first and independent second pass on 870 items).",
        "",
        "Weak supervision (never the hand labels, never reserved rows):",
        f"- cue model: a logistic regression on customer words trained on {n['weak']} other non-reserved "
        "contacts whose cue-lexicon scores point clearly to one label (positive reviews without cues -> other);",
        "- polarity model: a logistic regression on customer words trained on non-reserved reviews with "
        f"their own positive/negative rating ({n.get('auxiliary', {}).get('polarity', {})}).",
        "Their scores are features of the main model, which learns from the hand labels how far to trust them.",
        "",
        "Sources (text is read from ../shared/data at training time; none is shipped, only weights "
        "and vocabulary):",
        "",
    ]
    for s in DATA_SOURCES:
        lines.append(f"- {s['name']}: {s.get('origin', s.get('what', ''))}; rows: {s.get('rows', 'all')}; "
                     f"licence: {s['licence']}")
    lines += [
        "",
        "## Metrics on reserved rows (corpus/labels/reserved_eval.csv)",
        "",
        f"{report['n']} hand-labelled reserved contacts ("
        + ", ".join(f"{k} {v}" for k, v in sorted(src_counts.items())) + "). "
        f"Macro-F1 {report['macro_f1']:.3f} (keyword-only baseline {base_report['macro_f1']:.3f}"
        + (f"; the same model without weak supervision {no_weak_report['macro_f1']:.3f}" if no_weak_report else "")
        + f"; target 0.75, {'reached' if report['macro_f1'] >= 0.75 else 'not reached'} on these labels). "
        f"Evidence non-empty and inside the customer text for "
        f"{report['evidence']['with_evidence_in_text']}/{report['evidence']['non_other']} non-other predictions "
        f"({report['evidence']['rate']:.1%}).",
        "",
        "```",
        format_report(report),
        "```",
        "",
        "Reproduce: `python bench/root_cause_eval.py` (also trains the model without weak supervision "
        "for comparison) or `voc evaluate root-cause --data corpus/labels/reserved_eval.csv`.",
        "",
    ]
    if adjudicated is not None:
        lines += [
            f"## Metrics on the adjudicated reserved labels (corpus/labels/{ADJUDICATED})",
            "",
            ("The same reserved contacts, labelled a second time independently and blind to any model; where "
             "the two passes differed an adjudicator decided, seeing both labels in random order "
             f"(corpus/README.md). Macro-F1 {adjudicated['macro_f1']:.3f} (target 0.75, "
             f"{'reached' if adjudicated['macro_f1'] >= 0.75 else 'not reached'} on these labels)."),
            "",
            "```",
            format_report(adjudicated),
            "```",
            "",
        ]
    lines += [
        "## Known weaknesses",
        "",
        "- Trained on financial complaints, Weibo helpdesk dialogues (telecom, phones, apps, travel) and "
        "food-delivery, hotel and shopping reviews; other industries (utilities, government hotlines, "
        "insurance claims) and ASR call transcripts with recognition errors are unseen: check a sample "
        "and retrain with `voc train root-cause` on your own labels (`voc label --sample N` picks them).",
        "- agent vs process and policy vs process are the most confused pairs (a slow refund handled "
        "rudely, a fee charged by a system error): see the confusion matrix above. Secondary causes "
        "are not predicted.",
        "- Long complaints that list several grievances get one label; the evidence shows the strongest.",
        "- Sarcasm and negation (\"不是态度问题\") are only partly handled by the bag-of-words model.",
        "- The tokens depend on corpus/lexicons/userdict.txt and stopwords.txt; rebuild the model after "
        "changing them (a warning is logged when they differ from training).",
    ]
    return "\n".join(lines) + "\n"
