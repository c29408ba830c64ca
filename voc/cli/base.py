"""The root ``voc`` group, the shared error handling and reader options of every command module."""
from __future__ import annotations

import functools
import logging
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
        logging.basicConfig(level=logging.DEBUG if verbose > 1 else logging.INFO,
                            format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    else:  # the library is silent; the command shows its warnings as one line each
        logger = logging.getLogger("voc")
        if not any(isinstance(h, _Warnings) for h in logger.handlers):
            logger.addHandler(_Warnings())


class _Warnings(logging.Handler):
    """Prints the voc logger's warnings as ``voc: warning: ...`` on the stderr of the moment
    (click's test runner swaps it), without a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"voc: warning: {record.getMessage()}", err=True)


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


# The reader options of every command that reads contact files (voc tag, voc label, voc topics):
# one list, so that each command reads the same exports the same way.
READER_OPTIONS = [
    click.option("--input-format", type=click.Choice(["jsonl", "csv", "tsv", "xlsx", "xls"]), default=None,
                 help="Input format (default: from each file's extension)."),
    click.option("--encoding", default=None, help="Input encoding (default: detect UTF-8 / GB18030 / Big5)."),
    click.option("--sheet", default=None, help="Excel sheet name (default: the first sheet)."),
    click.option("--id-col", default=None, help="Contact id column (default: id, 工单号, 通话ID ...)."),
    click.option("--text-col", default=None, help="Text column (default: text, 内容, 通话内容 ...)."),
    click.option("--speaker-col", default=None,
                 help="Speaker column for one-turn-per-row files (default: speaker, 角色 ...)."),
    click.option("--time-col", default=None, help="Time column (default: created_at, 时间, 创建时间 ...)."),
    click.option("--channel-col", default=None, help="Channel column (default: channel, 渠道 ...)."),
    click.option("--customer-col", default=None, help="Customer id column (default: customer_id, 客户编号 ...)."),
    click.option("--group-by", default=None,
                 help="One turn per row: group consecutive rows by this contact-id column."),
    click.option("--no-header", is_flag=True,
                 help="CSV/Excel without a header row: columns are named 1, 2, 3... (e.g. --text-col 1)."),
]
_READER_KEYS = ("input_format", "encoding", "sheet", "id_col", "text_col", "speaker_col", "time_col", "channel_col",
                "customer_col", "group_by", "no_header")


def reader_options(fn):
    """Add the reader options to a command; it receives them as one ``reader`` dict, the keyword
    arguments of ``voc.io.readers.read_contacts`` (format, encoding, sheet, columns)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..io.readers import Columns

        o = {k: kwargs.pop(k) for k in _READER_KEYS}
        columns = Columns(id=o["id_col"], text=o["text_col"], speaker=o["speaker_col"], time=o["time_col"],
                          channel=o["channel_col"], customer=o["customer_col"], group_by=o["group_by"],
                          no_header=o["no_header"])
        reader = {"format": o["input_format"], "encoding": o["encoding"], "sheet": o["sheet"], "columns": columns}
        return fn(*args, reader=reader, **kwargs)

    for opt in reversed(READER_OPTIONS):
        wrapper = opt(wrapper)
    return wrapper


def workers_option(fn):
    return click.option("-w", "--workers", type=click.IntRange(min=1), default=1, show_default=True,
                        help="Worker processes for segmentation (results do not depend on it).")(fn)

