"""``voc topics``: fit, show and track topics."""
from __future__ import annotations

import click

from .base import CONTEXT, check_outputs, cli, handle_errors, k_range_option, num_topics_option, reader_options, workers_option


@cli.group("topics", context_settings=CONTEXT)
def topics_group():
    """Discover topics, show them, and track them month over month.

    \b
    Examples:
      voc topics fit corpus/samples/contacts.jsonl -o models/my-topics --num-topics auto
      voc topics show models/my-topics
      voc topics track --model models/my-topics --by month corpus/samples/contacts.jsonl
    """


@topics_group.command("fit", context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=False, type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", type=click.Path(file_okay=False), default=None,
              help="Model folder to write (topics.json, dictionary, topic-term matrix, manifest); with INPUTS.")
@click.option("--store", "store_path", type=click.Path(dir_okay=False), default=None,
              help="Fit on the contacts of this results store instead of INPUTS, month by month, into STORE.topics/.")
@click.option("--month", default=None, help="With --store: fit (or refit) this month only, YYYY-MM.")
@click.option("--min-contacts", type=click.IntRange(min=1), default=200, show_default=True,
              help="With --store and no --month: fit the months with at least this many contacts.")
@click.option("--keep-names", is_flag=True, help="Let brand, place and person names label topics.")
@click.option("-k", "--num-topics", "num_topics", default="auto", show_default=True,
              help="Number of topics K, or 'auto' to choose K by coherence c_v over --k-range.")
@click.option("--k-range", "k_range", default="8:24:2", show_default=True,
              help="K values tried with --num-topics auto: START:STOP[:STEP].")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same input + K + seed = same model).")
@click.option("--overwrite", is_flag=True, help="Replace the model in OUTPUT if there is one.")
@click.option("--names", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A file of personal names to keep out of the model (UTF-8, one name a line).")
@reader_options
@workers_option
@handle_errors
def topics_fit(inputs, output, store_path, month, min_contacts, keep_names, num_topics, k_range, seed, overwrite,
               names, reader, workers):
    """Fit an LDA topic model on the customer side of the contacts in INPUTS, or on a results
    store's contacts month by month (--store: topic ids and names carry over between months).

    \b
    Examples:
      voc topics fit corpus/samples/contacts.jsonl -o models/my-topics
      voc topics fit tickets.csv -o models/tickets-20 --num-topics 20 --seed 7
      voc topics fit --store voc.db
      voc topics fit --store voc.db --month 2026-10
    """
    from ..topics.model import show_topics

    if store_path:
        from ..topics.store_topics import fit_store

        if inputs or output:
            raise click.UsageError("give either --store or INPUTS with -o, not both.")
        for model in fit_store(store_path, month=month, min_contacts=min_contacts,
                               num_topics=num_topics_option(num_topics), seed=seed, keep_names=keep_names):
            click.echo(show_topics(model.folder_ if hasattr(model, "folder_") else None))
        return
    if not inputs or not output:
        raise click.UsageError("give INPUTS and -o MODEL_DIR, or --store STORE.")
    from ..training.topics import fit_files

    model = fit_files(inputs, output, num_topics=num_topics_option(num_topics), k_range=k_range_option(k_range), seed=seed,
                      workers=workers, overwrite=overwrite, names=names, keep_names=keep_names, read_options=reader)
    click.echo(show_topics(output))
    click.echo(f"voc: wrote {output} ({model.k_} topics from {model.n_train_docs_:,} contacts)", err=True)


@topics_group.command("names", context_settings=CONTEXT)
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False),
              help="Results store whose topics (STORE.topics/) to list.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Names file to write (default STORE.topics/names.toml, which reports read).")
@handle_errors
def topics_names(store_path, output):
    """Write (or update) the topic names file: rename, merge or hide topics by stable id.

    \b
    Example:
      voc topics names --store voc.db        # then edit voc.db.topics/names.toml
    """
    check_outputs([("output", output)], [("results store", store_path)])
    from ..topics.store_topics import write_names

    click.echo(f"voc: wrote {write_names(store_path, output)}", err=True)


@topics_group.command("show", context_settings=CONTEXT)
@click.argument("model_dir", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--terms", type=click.IntRange(1, 20), default=8, show_default=True, help="Top terms shown per topic.")
@handle_errors
def topics_show(model_dir, terms):
    """Print the topics of MODEL_DIR (default: the shipped model) as a table.

    \b
    Example:
      voc topics show models/topics/1.1.0
    """
    from ..topics.model import show_topics

    click.echo(show_topics(model_dir, terms=terms))


@topics_group.command("track", context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Topic model folder (default: the shipped model).")
@click.option("--by", type=click.Choice(["month", "week"]), default="month", show_default=True,
              help="Period (from created_at, Asia/Shanghai).")
@click.option("--reference", type=click.Choice(["model", "previous"]), default="model", show_default=True,
              help="What each period's own topics are aligned to.")
@click.option("--no-refit", is_flag=True, help="Do not fit per-period topics (volumes, shares and terms only).")
@click.option("--window", type=click.IntRange(min=1), default=3, show_default=True,
              help="Previous periods pooled as the baseline of the tests.")
@click.option("--alpha", type=click.FloatRange(0, 1), default=0.01, show_default=True,
              help="Significance level for topics (BH-adjusted); terms use --term-alpha.")
@click.option("--term-alpha", type=click.FloatRange(0, 1), default=0.001, show_default=True,
              help="Significance level for emerging terms (BH-adjusted).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the full report as JSON.")
@reader_options
@workers_option
@handle_errors
def topics_track(inputs, model_dir, by, reference, no_refit, window, alpha, term_alpha, output, reader, workers):
    """Track topics period by period and flag emerging issues in INPUTS.

    \b
    Examples:
      voc topics track --by month corpus/samples/contacts.jsonl
      voc topics track --model models/my-topics --by month jan.csv feb.csv -o out/topics_track.json
    """
    check_outputs([("output", output)], [("input", p) for p in inputs])
    from ..reports.topics import track_files

    report = track_files(inputs, model_dir, by=by, output=output, workers=workers, reference=reference,
                         refit=not no_refit, window=window, alpha=alpha, term_alpha=term_alpha,
                         read_options=reader)
    click.echo(report.to_text())
    if output:
        click.echo(f"voc: wrote {output}", err=True)
# == end topics ==