"""``voc tag`` and ``voc info``."""
from __future__ import annotations


import click

from ..pipeline import BATCH_SIZE
from .base import CONTEXT, cli, handle_errors, reader_options


# -- voc tag ----------------------------------------------------------------------------------
@cli.command(context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Output file (.jsonl, .csv or .xlsx); errors go to OUTPUT.errors.jsonl.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default=None,
              help="Output format (default: from the output's extension, else jsonl).")
@click.option("-w", "--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores).")
@click.option("--batch-size", type=click.IntRange(min=1), default=BATCH_SIZE, show_default=True,
              help="Contacts per chunk sent to a worker.")
@click.option("--no-redact", is_flag=True, help="Keep personal data (ID, phone, bank card...) in the output. Not advised.")
@click.option("--pseudonymise", "pseudonymise_key", default=None, metavar="KEY", envvar="VOC_PSEUDONYMISE_KEY",
              help="Replace personal data with keyed pseudonyms (same value -> same token). A key on the "
                   "command line shows in ps: prefer the VOC_PSEUDONYMISE_KEY environment variable or "
                   "--pseudonymise-key-file.")
@click.option("--pseudonymise-key-file", "pseudonymise_key_file", default=None, metavar="FILE",
              type=click.Path(dir_okay=False),
              help="Read the --pseudonymise key from the first line of FILE (keep it readable by you only).")
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
@click.option("--root-cause-model", type=click.Path(exists=True, file_okay=False), default=None,
              help="Root-cause model folder, e.g. from voc train root-cause --from-store (default: the shipped model).")
@click.option("--contact-type-model", type=click.Path(exists=True, file_okay=False), default=None,
              help="Contact-type model folder (default: the shipped model).")
@click.option("--system-lines", "system_lines", type=click.Path(exists=True, dir_okay=False), default=None,
              help="File of extra system-line patterns (kind<TAB>pattern<TAB>comment; "
                   "corpus/lexicons/system_lines.tsv shows the format).")
@click.option("--template-repeats", default=20, show_default=True, type=click.IntRange(min=0),
              help="A customer line repeated verbatim in this many dialogues of one input is a system line "
                   "(0: off).")
@click.option("--store", "store", type=click.Path(dir_okay=False), default=None,
              help="Also add the tagged contacts to this results store (SQLite file).")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run (killed, crashed) of the same inputs and output; with nothing "
                   "to resume it starts the run, on a finished output it says it is complete.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes on this machine; dask: a Dask cluster (voc-cx[dist], docs/scale.md).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a local cluster of --workers).")
@click.option("--segmenter", type=click.Choice(["jieba", "rjieba"]), default=None,
              help="Word segmenter (default: rjieba when installed, else jieba); both give the same tokens.")
@click.option("--reasons-language", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the churn reasons in the output.")
@click.option("--qa", "qa", is_flag=True,
              help="Quality inspection: QA score and hits, commitments, hand-off, agent conduct (docs/qa.md).")
@click.option("--qa-rules", "qa_rules", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A centre's QA rules (TOML) over the shipped scorecard (implies --qa; docs/qa.md).")
@click.option("--agent-col", default=None, help="Agent id column for --qa (default: agent_id, 坐席工号, 客服工号, 工号 ...).")
@click.option("--team-col", default=None, help="Team column for --qa (default: team, 班组, 组别, 技能组 ...).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line.")
@reader_options
@handle_errors
def tag(inputs, output, fmt, workers, batch_size, reader, no_redact, pseudonymise_key, pseudonymise_key_file,
        person_names, sentiment_backend, rules, repeat_window, topics, root_cause_model, contact_type_model,
        system_lines, template_repeats, store, resume, engine, scheduler, segmenter, reasons_language, qa, qa_rules,
        agent_col, team_col, quiet):
    """Tag contacts from INPUTS (JSONL, CSV/TSV, XLSX/XLS) into one output file.

    \b
    Examples:
      voc tag corpus/samples/contacts.jsonl -o out/tagged.jsonl
      voc tag corpus/samples/tickets.csv -o out/tickets.xlsx --workers 2
      voc tag corpus/samples/call_turns.csv --group-by 通话ID -o out/calls.jsonl
      voc tag big.jsonl -o out/big.jsonl --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from ..engines import LocalEngine
    from ..run import read_pseudonymise_key, tag_files
    from ..settings import Settings

    pseudonymise_key = read_pseudonymise_key(pseudonymise_key, pseudonymise_key_file)
    settings = Settings(redact=not no_redact, pseudonymise_key=pseudonymise_key, sentiment_backend=sentiment_backend,
                        rules=rules, repeat_window=repeat_window, topics=topics, segmenter=segmenter,
                        system_lines=system_lines, template_repeats=template_repeats,
                        reasons_language=reasons_language, root_cause_model=root_cause_model,
                        contact_type_model=contact_type_model,
                        qa=qa or qa_rules is not None, qa_rules=qa_rules, agent_col=agent_col, team_col=team_col,
                        person_names=person_names)
    if engine == "dask":  # the workers load the models; this process only reads and writes
        from ..engines.dask import DaskEngine

        runner = DaskEngine(scheduler, workers=workers)
    else:
        runner = LocalEngine(workers)
    with runner:
        summary = tag_files(inputs, output, settings=settings, engine=runner, format=fmt, batch_size=batch_size,
                            input_format=reader["format"], encoding=reader["encoding"], sheet=reader["sheet"],
                            columns=reader["columns"],
                            progress=not quiet, store=store, resume=resume)
    # the run's warnings (summary.warnings()) reach stderr through the voc logger, also with -q
    if summary.already_complete:
        click.echo(f"voc: {summary.output} is already complete ({summary.tagged:,} contacts tagged, "
                   f"{summary.errors:,} errors); nothing to resume", err=True)
        return
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

