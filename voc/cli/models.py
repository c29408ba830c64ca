"""``voc train``, ``voc evaluate`` and ``voc label``: models and labelled data."""
from __future__ import annotations

import click

from .base import CONTEXT, check_outputs, check_suffix, cli, evaluate, handle_errors, reader_options, train
from .corrections import evaluate_from_store, from_store_options, train_from_store


# == root cause (issue 3) ==
@train.command("root-cause", context_settings=CONTEXT)
@click.option("--data", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Labelled CSV/TSV/XLSX/JSONL: id, text (or turns), root_cause.")
@from_store_options
@click.option("-o", "--output", default=None, type=click.Path(file_okay=False),
              help="New model folder to write (e.g. models/root_cause/my-1; with --from-store default "
                   "models/root_cause/<version> beside the store).")
@click.option("--unlabelled", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Unlabelled contacts for weak supervision by the cue lexicon.")
@click.option("--lexicon", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Cue lexicon TSV (default: corpus/lexicons/root_cause_cues.tsv).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the development folds.")
@handle_errors
def train_root_cause(data, output, unlabelled, lexicon, seed, from_store, holdout, base):
    """Train a root-cause model on your labelled contacts, or on the corrections in a store.

    Labels are agent, product, policy, process, other (or 人员/产品/政策/流程/其他); rows with an
    empty root_cause are skipped, so a filled-in `voc label` sheet can be used as it is. With
    --from-store: the project's labels plus the root causes corrected in `voc explore`
    (docs/explore.md); the model gets its own version user-YYYYMMDD-<hash>.

    \b
    Example:
      voc train root-cause --data my_labels.csv -o models/root_cause/my-1
      voc evaluate root-cause --data my_holdout.csv --model models/root_cause/my-1
      voc train root-cause --from-store voc.db
    """
    if from_store:
        if data or unlabelled or lexicon:
            raise click.UsageError("give either --from-store or --data (with --unlabelled, --lexicon), not both.")
        return train_from_store("root_cause", from_store, output, holdout, base, seed)
    if not data or not output:
        raise click.UsageError("give --data and -o (or --from-store STORE).")
    from ..training.root_cause import train as train_model

    folder = train_model(data, output, unlabelled=unlabelled, lexicon=lexicon, seed=seed)
    click.echo(f"voc: wrote model {folder}", err=True)


@evaluate.command("root-cause", context_settings=CONTEXT)
@click.option("--data", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Labelled CSV/TSV/XLSX/JSONL: id, text (or turns), root_cause.")
@click.option("--from-store", "from_store", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Score on the corrections of this store that --model did not train on, beside the shipped model.")
@click.option("--model", type=click.Path(exists=True, file_okay=False), default=None,
              help="Model folder (default: the shipped model).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="root_cause_eval.json",
              show_default=True, help="Where to write the metrics as JSON.")
@handle_errors
def evaluate_root_cause(data, model, output, from_store):
    """Per-class precision, recall, F1, macro-F1 and confusion matrix of a root-cause model.

    \b
    Example:
      voc evaluate root-cause --data my_labels.csv -o eval.json
      voc evaluate root-cause --from-store voc.db --model models/root_cause/user-20261206-1a2b3c4d
    """
    check_outputs([("output", output)], [("labelled data", data), ("results store", from_store)])
    if from_store:
        return evaluate_from_store("root_cause", from_store, model, output)
    if not data:
        raise click.UsageError("give --data (or --from-store STORE).")
    from ..evaluation import format_report
    from ..training.root_cause import evaluate as evaluate_model

    report = evaluate_model(data, model=model, output=output)
    click.echo(format_report(report, title=f"root cause on {data} (model {report['model']['version']})"))
    ev = report["evidence"]
    if ev["non_other"]:
        click.echo(f"\nevidence inside the customer text: {ev['with_evidence_in_text']}/{ev['non_other']} "
                   f"non-other predictions ({ev['rate']:.1%})")
    click.echo(f"voc: wrote {output}", err=True)


@cli.command(context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--sample", "n", required=True, type=click.IntRange(min=1),
              help="How many contacts to export.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="CSV to write.")
@click.option("--model", type=click.Path(exists=True, file_okay=False), default=None,
              help="Root-cause model folder (default: the shipped model).")
@click.option("--names", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A file of personal names to redact (UTF-8, one name a line), as for voc tag.")
@reader_options
@handle_errors
def label(inputs, n, output, model, names, reader):
    """Export the contacts the root-cause model is least sure about, for an analyst to label.

    Fill in the root_cause column of the CSV and train on it with `voc train root-cause`.

    \b
    Example:
      voc label tickets.csv --sample 200 -o to_label.csv
      voc train root-cause --data to_label.csv -o models/root_cause/my-1
    """
    check_outputs([("output", output)], [("input", p) for p in inputs])
    check_suffix(output, (".csv",))
    from ..training.root_cause import label_sample

    path = label_sample(inputs, n, output, model=model, names=names, read_options=reader)
    click.echo(f"voc: wrote {path}", err=True)
# == end root cause ==

# == sentiment, churn, escalation (issue 4) ==
@train.command("churn", context_settings=CONTEXT)
@click.option("--data", "data", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Contacts (JSONL, CSV/TSV, XLSX) with a churned 0/1 column.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Model folder to write (model.npz, manifest.json, MODEL_CARD.md).")
@click.option("--label-col", default=None,
              help="The churned column (default: churned, churn, label, 流失, 是否流失).")
@click.option("--text-col", default=None, help="Text column (default: text, 内容, 通话内容 ...).")
@click.option("--customer-col", default=None, help="Customer id column (default: customer_id, 客户编号 ...).")
@handle_errors
def train_churn_command(data, output, label_col, text_col, customer_col):
    """Learn a logistic churn model from contacts whose outcome is known.

    The model reads the customer's text and the same features as the transparent default
    scorer (exit intent, sentiment, unresolved problems, complaint threats, root cause,
    customer tier, repeat contacts).

    \b
    Example:
      voc train churn --data churn_outcomes.csv -o models/churn/my-1
    """
    from ..training.churn import train_churn

    cols = {k: v for k, v in {"text": text_col, "customer": customer_col}.items() if v}
    manifest = train_churn(data, output, label_column=label_col, **cols)
    m = manifest["metrics"]
    click.echo(f"voc: wrote {output} ({manifest['data_sources'][0]['rows']:,} contacts; cross-validated "
               f"ROC AUC {m['cv_roc_auc']}, F1 {m['cv_f1']})", err=True)
# == end sentiment, churn, escalation ==