"""The ``voc`` command: a thin click layer; each command calls one library function."""
from __future__ import annotations

import functools
import sys

import click

from ._version import __version__
from .errors import VocError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def handle_errors(fn):
    """Print a VocError as one sentence and exit with its code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except VocError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="voc")
@click.option("-v", "--verbose", count=True, help="Log progress details on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """voc: tag Chinese customer contacts with root cause, sentiment, churn risk, escalation
    and topics.

    \b
    Example:
      voc tag corpus/samples/contacts.jsonl -o out/tagged.jsonl
    """
    if verbose:
        import logging

        logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO,
                            format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


# -- voc tag ----------------------------------------------------------------------------------
@cli.command(context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output file (.jsonl, .csv or .xlsx); errors go to OUTPUT.errors.jsonl.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default=None,
              help="Output format (default: from the output's extension, else jsonl).")
@click.option("-w", "--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True,
              help="Contacts per chunk sent to a worker.")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "tsv", "xlsx", "xls"]), default=None,
              help="Input format (default: from each file's extension).")
@click.option("--encoding", default=None, help="Input encoding (default: detect UTF-8 / GB18030 / Big5).")
@click.option("--sheet", default=None, help="Excel sheet name (default: the first sheet).")
@click.option("--id-col", default=None, help="Contact id column (default: id, 工单号, 通话ID ...).")
@click.option("--text-col", default=None, help="Text column (default: text, 内容, 通话内容 ...).")
@click.option("--speaker-col", default=None, help="Speaker column for one-turn-per-row files (default: speaker, 角色 ...).")
@click.option("--time-col", default=None, help="Time column (default: created_at, 时间, 创建时间 ...).")
@click.option("--channel-col", default=None, help="Channel column (default: channel, 渠道 ...).")
@click.option("--customer-col", default=None, help="Customer id column (default: customer_id, 客户编号 ...).")
@click.option("--group-by", default=None, help="One turn per row: group consecutive rows by this contact-id column.")
@click.option("--no-header", is_flag=True, help="CSV/Excel without a header row: columns are named 1, 2, 3... (e.g. --text-col 1).")
@click.option("--no-redact", is_flag=True, help="Keep personal data (ID, phone, bank card...) in the output. Not advised.")
@click.option("--pseudonymise", "pseudonymise_key", default=None, metavar="KEY",
              help="Replace personal data with keyed pseudonyms (same value -> same token).")
@click.option("--sentiment-backend", type=click.Choice(["default", "snownlp"]), default="default", show_default=True,
              help="Sentiment model: the in-domain default, or snownlp's shipped model (slow baseline).")
@click.option("--rules", "rules", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Escalation rules TOML file overriding the shipped defaults (docs/rules.md).")
@click.option("--repeat-window", default="7d", show_default=True,
              help="Contacts by the same customer within this window count as repeats (e.g. 7d, 48h).")
@click.option("--topics", "topics", type=click.Path(exists=True, file_okay=False), default=None,
              help="Topic model folder (default: the shipped model).")
@click.option("--system-lines", "system_lines", type=click.Path(exists=True, dir_okay=False), default=None,
              help="File of extra system-line patterns (kind<TAB>pattern<TAB>comment; "
                   "corpus/lexicons/system_lines.tsv shows the format).")
@click.option("--template-repeats", default=20, show_default=True, type=click.IntRange(min=0),
              help="A line repeated verbatim in this many contacts of one input is a system line (0: off).")
@click.option("--store", "store", type=click.Path(dir_okay=False), default=None,
              help="Also add the tagged contacts to this results store (SQLite file).")
@click.option("--resume", is_flag=True, help="Continue an interrupted run (killed, crashed) of the same inputs and output.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes on this machine; dask: a Dask cluster (voc[dist], docs/scale.md).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster of --workers).")
@click.option("--segmenter", type=click.Choice(["jieba", "rjieba"]), default=None,
              help="Word segmenter (default: rjieba when installed, else jieba); both give the same tokens.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@handle_errors
def tag(inputs, output, fmt, workers, batch_size, input_format, encoding, sheet, id_col, text_col,
        speaker_col, time_col, channel_col, customer_col, group_by, no_header, no_redact, pseudonymise_key,
        sentiment_backend, rules, repeat_window, topics, system_lines, template_repeats, store, resume, engine,
        scheduler, segmenter, quiet):
    """Tag contacts from INPUTS (JSONL, CSV/TSV, XLSX/XLS) into one output file.

    \b
    Examples:
      voc tag corpus/samples/contacts.jsonl -o out/tagged.jsonl
      voc tag corpus/samples/tickets.csv -o out/tickets.xlsx --workers 2
      voc tag corpus/samples/call_turns.csv --group-by 通话ID -o out/calls.jsonl
      voc tag big.jsonl -o out/big.jsonl --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from .engines import LocalEngine
    from .io.readers import Columns
    from .run import tag_files
    from .settings import Settings

    columns = Columns(id=id_col, text=text_col, speaker=speaker_col, time=time_col, channel=channel_col,
                      customer=customer_col, group_by=group_by, no_header=no_header)
    settings = Settings(redact=not no_redact, pseudonymise_key=pseudonymise_key, sentiment_backend=sentiment_backend,
                        rules=rules, repeat_window=repeat_window, topics=topics, segmenter=segmenter,
                        system_lines=system_lines, template_repeats=template_repeats)
    if engine == "dask":  # the workers load the models; this process only reads and writes
        from .engines.dask import DaskEngine

        runner = DaskEngine(scheduler, workers=workers)
    else:
        runner = LocalEngine(workers)
    with runner:
        summary = tag_files(inputs, output, settings=settings, engine=runner, format=fmt, batch_size=batch_size,
                            input_format=input_format, encoding=encoding, sheet=sheet, columns=columns,
                            progress=not quiet and sys.stderr.isatty(), store=store, resume=resume)
    if not quiet:
        click.echo(f"voc: {summary.line()}", err=True)
        click.echo(f"voc: wrote {summary.output}" + (f"; errors in {summary.errors_file}" if summary.errors else ""),
                   err=True)


# -- voc info ---------------------------------------------------------------------------------
@cli.command(context_settings=CONTEXT)
@handle_errors
def info():
    """Show versions of voc, its models, dictionaries and dependencies.

    \b
    Example:
      voc info
    """
    from .info import collect

    for section, rows in collect().items():
        click.echo(f"{section}:")
        for key, value in rows.items():
            click.echo(f"  {key}: {value}")


# -- command groups filled by the model and report modules --------------------------------------
@cli.group(context_settings=CONTEXT)
def train():
    """Train a model on your own labelled data.

    \b
    Example:
      voc train root-cause --data my_labels.csv -o models/root_cause/my-1
    """


@cli.group(context_settings=CONTEXT)
def evaluate():
    """Evaluate a model on labelled data (precision, recall, F1, confusion matrix).

    \b
    Example:
      voc evaluate root-cause --data my_labels.csv
    """


# == root cause (issue 3) ==
@train.command("root-cause", context_settings=CONTEXT)
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled CSV/TSV/XLSX/JSONL: id, text (or turns), root_cause.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="New model folder to write (e.g. models/root_cause/my-1).")
@click.option("--unlabelled", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Unlabelled contacts for weak supervision by the cue lexicon.")
@click.option("--lexicon", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Cue lexicon TSV (default: corpus/lexicons/root_cause_cues.tsv).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the development folds.")
@handle_errors
def train_root_cause(data, output, unlabelled, lexicon, seed):
    """Train a root-cause model on your labelled contacts.

    Labels are agent, product, policy, process, other (or 人员/产品/政策/流程/其他); rows with an
    empty root_cause are skipped, so a filled-in `voc label` sheet can be used as it is.

    \b
    Example:
      voc train root-cause --data my_labels.csv -o models/root_cause/my-1
      voc evaluate root-cause --data my_holdout.csv --model models/root_cause/my-1
    """
    from .training.root_cause import train as train_model

    folder = train_model(data, output, unlabelled=unlabelled, lexicon=lexicon, seed=seed)
    click.echo(f"voc: wrote model {folder}", err=True)


@evaluate.command("root-cause", context_settings=CONTEXT)
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled CSV/TSV/XLSX/JSONL: id, text (or turns), root_cause.")
@click.option("--model", type=click.Path(exists=True, file_okay=False), default=None,
              help="Model folder (default: the shipped model).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="root_cause_eval.json",
              show_default=True, help="Where to write the metrics as JSON.")
@handle_errors
def evaluate_root_cause(data, model, output):
    """Per-class precision, recall, F1, macro-F1 and confusion matrix of a root-cause model.

    \b
    Example:
      voc evaluate root-cause --data my_labels.csv -o eval.json
    """
    from .evaluation import format_report
    from .training.root_cause import evaluate as evaluate_model

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
@handle_errors
def label(inputs, n, output, model):
    """Export the contacts the root-cause model is least sure about, for an analyst to label.

    Fill in the root_cause column of the CSV and train on it with `voc train root-cause`.

    \b
    Example:
      voc label tickets.csv --sample 200 -o to_label.csv
      voc train root-cause --data to_label.csv -o models/root_cause/my-1
    """
    from .training.root_cause import label_sample

    path = label_sample(inputs, n, output, model=model)
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
    from .training.churn import train_churn

    cols = {k: v for k, v in {"text": text_col, "customer": customer_col}.items() if v}
    manifest = train_churn(data, output, label_column=label_col, **cols)
    m = manifest["metrics"]
    click.echo(f"voc: wrote {output} ({manifest['data_sources'][0]['rows']:,} contacts; cross-validated "
               f"ROC AUC {m['cv_roc_auc']}, F1 {m['cv_f1']})", err=True)
# == end sentiment, churn, escalation ==

# == topics (issue 5) ==
def _num_topics(value: str) -> int | str:
    if str(value).strip().lower() == "auto":
        return "auto"
    try:
        k = int(value)
    except ValueError:
        raise click.BadParameter("give a number of topics (e.g. 20) or 'auto'.") from None
    if k < 2:
        raise click.BadParameter("give at least 2 topics, or 'auto'.")
    return k


def _k_range(value: str) -> tuple[int, int, int]:
    parts = str(value).replace(",", ":").replace("-", ":").split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise click.BadParameter("give START:STOP[:STEP], e.g. 8:24:2.") from None
    if len(nums) not in (2, 3) or nums[0] < 2 or nums[1] < nums[0]:
        raise click.BadParameter("give START:STOP[:STEP] with 2 <= START <= STOP, e.g. 8:24:2.")
    return (nums[0], nums[1], nums[2] if len(nums) == 3 else 2)


def _read_options(input_format, encoding, id_col, text_col, speaker_col, time_col, group_by) -> dict:
    from .io.readers import Columns

    return {"format": input_format, "encoding": encoding,
            "columns": Columns(id=id_col, text=text_col, speaker=speaker_col, time=time_col, group_by=group_by)}


def _input_options(fn):
    for opt in reversed([
        click.option("--input-format", type=click.Choice(["jsonl", "csv", "tsv", "xlsx", "xls"]), default=None,
                     help="Input format (default: from each file's extension)."),
        click.option("--encoding", default=None, help="Input encoding (default: detect)."),
        click.option("--id-col", default=None, help="Contact id column."),
        click.option("--text-col", default=None, help="Text column."),
        click.option("--speaker-col", default=None, help="Speaker column (one turn per row)."),
        click.option("--time-col", default=None, help="Time column (created_at, 时间 ...)."),
        click.option("--group-by", default=None, help="One turn per row: group rows by this contact-id column."),
        click.option("-w", "--workers", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Worker processes for segmentation (results do not depend on it)."),
    ]):
        fn = opt(fn)
    return fn


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
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Model folder to write (topics.json, dictionary, topic-term matrix, manifest).")
@click.option("-k", "--num-topics", "num_topics", default="auto", show_default=True,
              help="Number of topics K, or 'auto' to choose K by coherence c_v over --k-range.")
@click.option("--k-range", "k_range", default="8:24:2", show_default=True,
              help="K values tried with --num-topics auto: START:STOP[:STEP].")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (same input + K + seed = same model).")
@click.option("--overwrite", is_flag=True, help="Replace the model in OUTPUT if there is one.")
@_input_options
@handle_errors
def topics_fit(inputs, output, num_topics, k_range, seed, overwrite, input_format, encoding, id_col, text_col,
               speaker_col, time_col, group_by, workers):
    """Fit an LDA topic model on the customer side of the contacts in INPUTS.

    \b
    Examples:
      voc topics fit corpus/samples/contacts.jsonl -o models/my-topics
      voc topics fit tickets.csv -o models/tickets-20 --num-topics 20 --seed 7
    """
    from .topics.model import show_topics
    from .training.topics import fit_files

    model = fit_files(inputs, output, num_topics=_num_topics(num_topics), k_range=_k_range(k_range), seed=seed,
                      workers=workers, overwrite=overwrite,
                      read_options=_read_options(input_format, encoding, id_col, text_col, speaker_col, time_col,
                                                 group_by))
    click.echo(show_topics(output))
    click.echo(f"voc: wrote {output} ({model.k_} topics from {model.n_train_docs_:,} contacts)", err=True)


@topics_group.command("show", context_settings=CONTEXT)
@click.argument("model_dir", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--terms", type=click.IntRange(1, 20), default=8, show_default=True, help="Top terms shown per topic.")
@handle_errors
def topics_show(model_dir, terms):
    """Print the topics of MODEL_DIR (default: the shipped model) as a table.

    \b
    Example:
      voc topics show models/topics/1.0.0
    """
    from .topics.model import show_topics

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
@_input_options
@handle_errors
def topics_track(inputs, model_dir, by, reference, no_refit, window, alpha, term_alpha, output, input_format,
                 encoding, id_col, text_col, speaker_col, time_col, group_by, workers):
    """Track topics period by period and flag emerging issues in INPUTS.

    \b
    Examples:
      voc topics track --by month corpus/samples/contacts.jsonl
      voc topics track --model models/my-topics --by month jan.csv feb.csv -o out/topics_track.json
    """
    from .reports.topics import track_files

    report = track_files(inputs, model_dir, by=by, output=output, workers=workers, reference=reference,
                         refit=not no_refit, window=window, alpha=alpha, term_alpha=term_alpha,
                         read_options=_read_options(input_format, encoding, id_col, text_col, speaker_col, time_col,
                                                    group_by))
    click.echo(report.to_text())
    if output:
        click.echo(f"voc: wrote {output}", err=True)
# == end topics ==

# == store and reports (issue 6) ==
@cli.group("store", context_settings=CONTEXT)
def store_group():
    """Keep tagged contacts across months in a results store (one SQLite file).

    \b
    Examples:
      voc store add out/tagged.jsonl --store voc.db
      voc store purge --older-than 365d --store voc.db
    """


@store_group.command("add", context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False),
              help="Results store (SQLite file; created if missing).")
@click.option("--tz", default=None, help="Time zone that defines months in a new store (default: Asia/Shanghai).")
@handle_errors
def store_add(inputs, store_path, tz):
    """Add tagged contacts (the JSONL output of voc tag) to a store; ids already stored are replaced.

    \b
    Example:
      voc store add out/tagged.jsonl --store voc.db
    """
    from .store import add_files

    r = add_files(inputs, store_path, tz=tz)
    months = f"{r['months'][0]} to {r['months'][-1]}" if r["months"] else "none"
    click.echo(f"voc: added {r['added']:,} contacts ({r['new']:,} new, {r['replaced']:,} replaced) to {r['store']}; "
               f"it holds {r['total']:,} contacts, months {months}", err=True)
    if r["undated"]:
        click.echo(f"voc: {r['undated']:,} contacts have no readable created_at and appear in no monthly report",
                   err=True)


@store_group.command("purge", context_settings=CONTEXT)
@click.option("--older-than", required=True, help="Delete contacts created longer ago than this (e.g. 365d, 52w, 48h).")
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False), help="Results store (SQLite file).")
@handle_errors
def store_purge(older_than, store_path):
    """Delete contacts older than a retention period from a store.

    \b
    Example:
      voc store purge --older-than 365d --store voc.db
    """
    from .store import purge

    r = purge(store_path, older_than)
    click.echo(f"voc: deleted {r['deleted']:,} contacts older than {older_than} from {r['store']}; "
               f"{r['left']:,} left", err=True)


@cli.group("report", context_settings=CONTEXT)
def report_group():
    """Reports built from a results store: the monthly analysis and the upstream escalations.

    \b
    Examples:
      voc report monthly --store voc.db --month 2026-10 -o report.html --xlsx report.xlsx
      voc report escalation --store voc.db --month 2026-10 -o escalations/
    """


@report_group.command("monthly", context_settings=CONTEXT)
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False), help="Results store (SQLite file).")
@click.option("--month", required=True, help="Month to report, YYYY-MM (in the store's time zone).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False), default=None,
              help="Also write the tables and the month's contacts to this XLSX file.")
@click.option("--contact-type", "contact_types", default=None, metavar="TYPES",
              help="Only contacts of these types, comma-separated: complaint, inquiry, request, praise, "
                   "suggestion, other (e.g. complaint,inquiry).")
@handle_errors
def report_monthly(store_path, month, output, xlsx, contact_types):
    """Write the monthly complaint-analysis report (one self-contained HTML file).

    \b
    Example:
      voc report monthly --store voc.db --month 2026-10 -o report.html --xlsx report.xlsx
      voc report monthly --store voc.db --month 2026-10 --contact-type complaint,inquiry -o report.html
    """
    from .reports import write_monthly

    for path in write_monthly(store_path, month, output, xlsx=xlsx, contact_types=contact_types):
        click.echo(f"voc: wrote {path}", err=True)


@report_group.command("escalation", context_settings=CONTEXT)
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False), help="Results store (SQLite file).")
@click.option("--month", required=True, help="Month to report, YYYY-MM (in the store's time zone).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for one HTML report per owner and flagged-MONTH.csv/.xlsx.")
@click.option("--contact-type", "contact_types", default=None, metavar="TYPES",
              help="Only contacts of these types, comma-separated: complaint, inquiry, request, praise, "
                   "suggestion, other (e.g. complaint,inquiry).")
@handle_errors
def report_escalation(store_path, month, out_dir, contact_types):
    """Write one escalation report per upstream owner, plus the flagged contacts as CSV/XLSX.

    \b
    Example:
      voc report escalation --store voc.db --month 2026-10 -o escalations/
      voc report escalation --store voc.db --month 2026-10 --contact-type complaint -o escalations/
    """
    from .reports import escalation

    for path in escalation(store_path, month, out_dir, contact_types=contact_types).paths:
        click.echo(f"voc: wrote {path}", err=True)
# == end store and reports ==


def main(argv=None) -> None:
    cli.main(args=argv, prog_name="voc")
