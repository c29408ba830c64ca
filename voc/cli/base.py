"""The root ``voc`` group, the shared error handling and reader options of every command module."""
from __future__ import annotations

import functools
import sys

import click

from .._version import __version__
from ..errors import VocError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def handle_errors(fn):
    """Print a VocError as one sentence and exit with its code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except VocError as e:
            from ..text.redact import Redactor  # issue 16: a message may quote input

            click.echo(f"Error: {Redactor().scrub(str(e))}", err=True)
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



def num_topics_option(value: str) -> int | str:
    if str(value).strip().lower() == "auto":
        return "auto"
    try:
        k = int(value)
    except ValueError:
        raise click.BadParameter("give a number of topics (e.g. 20) or 'auto'.") from None
    if k < 2:
        raise click.BadParameter("give at least 2 topics, or 'auto'.")
    return k


def k_range_option(value: str) -> tuple[int, int, int]:
    parts = str(value).replace(",", ":").replace("-", ":").split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise click.BadParameter("give START:STOP[:STEP], e.g. 8:24:2.") from None
    if len(nums) not in (2, 3) or nums[0] < 2 or nums[1] < nums[0]:
        raise click.BadParameter("give START:STOP[:STEP] with 2 <= START <= STOP, e.g. 8:24:2.")
    return (nums[0], nums[1], nums[2] if len(nums) == 3 else 2)


def read_options(input_format, encoding, id_col, text_col, speaker_col, time_col, group_by) -> dict:
    from ..io.readers import Columns

    return {"format": input_format, "encoding": encoding,
            "columns": Columns(id=id_col, text=text_col, speaker=speaker_col, time=time_col, group_by=group_by)}


def input_options(fn):
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

