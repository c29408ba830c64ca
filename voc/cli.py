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
@click.option("--store", "store", type=click.Path(dir_okay=False), default=None,
              help="Also add the tagged contacts to this results store (SQLite file).")
@click.option("--resume", is_flag=True, help="Continue an interrupted run (killed, crashed) of the same inputs and output.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@handle_errors
def tag(inputs, output, fmt, workers, batch_size, input_format, encoding, sheet, id_col, text_col,
        speaker_col, time_col, channel_col, customer_col, group_by, no_header, no_redact, pseudonymise_key,
        sentiment_backend, rules, repeat_window, topics, store, resume, quiet):
    """Tag contacts from INPUTS (JSONL, CSV/TSV, XLSX/XLS) into one output file.

    \b
    Examples:
      voc tag corpus/samples/contacts.jsonl -o out/tagged.jsonl
      voc tag corpus/samples/tickets.csv -o out/tickets.xlsx --workers 2
      voc tag corpus/samples/call_turns.csv --group-by 通话ID -o out/calls.jsonl
    """
    from .api import load
    from .io.readers import Columns
    from .run import tag_files

    columns = Columns(id=id_col, text=text_col, speaker=speaker_col, time=time_col, channel=channel_col,
                      customer=customer_col, group_by=group_by, no_header=no_header)
    pipeline = load(redact=not no_redact, pseudonymise_key=pseudonymise_key, sentiment_backend=sentiment_backend,
                    rules=rules, repeat_window=repeat_window, topics=topics)
    summary = tag_files(inputs, output, pipeline=pipeline, format=fmt, workers=workers, batch_size=batch_size,
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
# == end root cause ==

# == sentiment, churn, escalation (issue 4) ==
# == end sentiment, churn, escalation ==

# == topics (issue 5) ==
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
@handle_errors
def report_monthly(store_path, month, output, xlsx):
    """Write the monthly complaint-analysis report (one self-contained HTML file).

    \b
    Example:
      voc report monthly --store voc.db --month 2026-10 -o report.html --xlsx report.xlsx
    """
    from .reports import write_monthly

    for path in write_monthly(store_path, month, output, xlsx=xlsx):
        click.echo(f"voc: wrote {path}", err=True)


@report_group.command("escalation", context_settings=CONTEXT)
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False), help="Results store (SQLite file).")
@click.option("--month", required=True, help="Month to report, YYYY-MM (in the store's time zone).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for one HTML report per owner and flagged-MONTH.csv/.xlsx.")
@handle_errors
def report_escalation(store_path, month, out_dir):
    """Write one escalation report per upstream owner, plus the flagged contacts as CSV/XLSX.

    \b
    Example:
      voc report escalation --store voc.db --month 2026-10 -o escalations/
    """
    from .reports import escalation

    for path in escalation(store_path, month, out_dir).paths:
        click.echo(f"voc: wrote {path}", err=True)
# == end store and reports ==


def main(argv=None) -> None:
    cli.main(args=argv, prog_name="voc")
