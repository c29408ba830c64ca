"""Models trained on the corrections of a store: ``--from-store`` of ``voc train`` and
``voc evaluate`` (root cause in ``models.py``; contact type here)."""
from __future__ import annotations

import functools

import click

from .base import CONTEXT, check_outputs, evaluate, handle_errors, train


def from_store_options(fn, required: bool = False):
    """--from-store, --holdout and --base of ``voc train <model>``."""
    for opt in reversed([
        click.option("--from-store", "from_store", default=None, required=required,
                     type=click.Path(exists=True, dir_okay=False),
                     help="Train on the project's labels plus the corrections in this store (voc explore)."),
        click.option("--holdout", type=click.FloatRange(0, 0.9), default=0.2, show_default=True,
                     help="With --from-store: share of corrected contacts kept out for voc evaluate --from-store."),
        click.option("--base", type=click.Choice(["auto", "labels", "store"]), default="auto", show_default=True,
                     help="With --from-store: base labels: the project's (labels, needs ../shared/data), the "
                          "store's own tags (store), or labels when the data is here (auto)."),
    ]):
        fn = opt(fn)
    return fn


def train_from_store(task, store, output, holdout, base, seed):
    from ..training.from_store import train as train_model

    r = train_model(task, store, output, holdout=holdout, base=base, seed=seed)
    flag = "--root-cause-model" if task == "root_cause" else "--contact-type-model"
    click.echo(f"voc: wrote model {r['folder']} (version {r['version']}: {r['base']} + {r['corrections']:,} "
               f"corrections; {r['held_out']:,} held out). Tag with it: voc tag ... {flag} {r['folder']}; "
               f"compare: voc evaluate {task.replace('_', '-')} --from-store {store} --model {r['folder']}", err=True)


def evaluate_from_store(task, store, model, output):
    from ..training.from_store import evaluate as evaluate_model

    r = evaluate_model(task, store, model, output)
    click.echo(f"{task.replace('_', ' ')} on {r['held_out']:,} held-out corrections of {store}:")
    click.echo(f"  {'model':<10} {'version':<28} {'accuracy':>9} {'macro-F1':>9}")
    for key, m in r["models"].items():
        click.echo(f"  {key:<10} {str(m['version']):<28} {m['accuracy']:>9.3f} {m['macro_f1']:>9.3f}")
    click.echo(f"  (the store's own tags of these contacts, full contact: accuracy {r['stored_tags_accuracy']:.3f})")
    if output:
        click.echo(f"voc: wrote {output}", err=True)


@train.command("contact-type", context_settings=CONTEXT)
@click.option("-o", "--output", default=None, type=click.Path(file_okay=False),
              help="New model folder (default: models/contact_type/<version> beside the store).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the development folds.")
@functools.partial(from_store_options, required=True)
@handle_errors
def train_contact_type(from_store, output, holdout, base, seed):
    """Retrain the contact-type model with the contact types corrected in a store.

    \b
    Example:
      voc train contact-type --from-store voc.db
    """
    train_from_store("contact_type", from_store, output, holdout, base, seed)


@evaluate.command("contact-type", context_settings=CONTEXT)
@click.option("--from-store", "from_store", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Score on the corrections of this store that --model did not train on.")
@click.option("--model", type=click.Path(exists=True, file_okay=False), default=None,
              help="Model folder from voc train contact-type --from-store (default: the shipped model only).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the figures as JSON.")
@handle_errors
def evaluate_contact_type(from_store, model, output):
    """The retrained and the shipped contact-type model on the held-out corrections of a store.

    \b
    Example:
      voc evaluate contact-type --from-store voc.db --model models/contact_type/user-20261206-1a2b3c4d
    """
    check_outputs([("output", output)], [("results store", from_store)])
    evaluate_from_store("contact_type", from_store, model, output)
