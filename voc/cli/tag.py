"""``voc tag`` and ``voc info``."""
from __future__ import annotations

import sys

import click

from .base import CONTEXT, cli, handle_errors


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
@click.option("--names", "person_names", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A file of personal names to redact wherever they occur (UTF-8, one name a line).")
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
        person_names, sentiment_backend, rules, repeat_window, topics, system_lines, template_repeats, store, resume, engine,
        scheduler, segmenter, quiet):
    """Tag contacts from INPUTS (JSONL, CSV/TSV, XLSX/XLS) into one output file.

    \b
    Examples:
      voc tag corpus/samples/contacts.jsonl -o out/tagged.jsonl
      voc tag corpus/samples/tickets.csv -o out/tickets.xlsx --workers 2
      voc tag corpus/samples/call_turns.csv --group-by 通话ID -o out/calls.jsonl
      voc tag big.jsonl -o out/big.jsonl --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from ..engines import LocalEngine
    from ..io.readers import Columns
    from ..run import tag_files
    from ..settings import Settings

    columns = Columns(id=id_col, text=text_col, speaker=speaker_col, time=time_col, channel=channel_col,
                      customer=customer_col, group_by=group_by, no_header=no_header)
    settings = Settings(redact=not no_redact, pseudonymise_key=pseudonymise_key, sentiment_backend=sentiment_backend,
                        rules=rules, repeat_window=repeat_window, topics=topics, segmenter=segmenter,
                        system_lines=system_lines, template_repeats=template_repeats, person_names=person_names)
    if engine == "dask":  # the workers load the models; this process only reads and writes
        from ..engines.dask import DaskEngine

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
    from ..info import collect

    for section, rows in collect().items():
        click.echo(f"{section}:")
        for key, value in rows.items():
            click.echo(f"  {key}: {value}")

