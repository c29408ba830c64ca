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
    """Print a VocError as one sentence and exit with its code. Anything else that escapes a
    command (a store another program damaged, a number past what Python or SQLite hold, a bug)
    is one sentence too, never a traceback: the traceback goes to the log (``voc -vv``)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except VocError as e:
            _fail(str(e), e.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as e:  # noqa: BLE001  the last line of defence, said plainly
            logging.getLogger("voc").debug("unexpected error", exc_info=True)
            _fail(_unexpected(e), 1)

    return wrapper


def _fail(message: str, code: int) -> None:
    from ..text.redact import Redactor  # issue 16: a message may quote input

    click.echo(f"Error: {Redactor().scrub(message)}", err=True)
    sys.exit(code)


def _unexpected(e: Exception) -> str:
    """One sentence for an exception that is not a VocError, saying what to do."""
    import sqlite3

    what = f"{type(e).__name__}: {e}"
    if isinstance(e, sqlite3.Error):
        return (f"the results store is damaged, incomplete or was changed by another program ({what}); restore "
                f"a backup or rebuild it with voc tag --store.")
    if isinstance(e, OverflowError):
        return f"a number given is too large ({what}); use a smaller value."
    if isinstance(e, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({what}); save it as UTF-8 and run again."
    return (f"voc stopped on an unexpected {what}; check the files and options given, and report it with the "
            f"command if they look right (voc -vv shows the details).")


def check_outputs(outputs: list[tuple[str, object]], reads: list[tuple[str, object]]) -> None:
    """Refuse to write an output over a file the command reads (an input, the results store) or
    over another output of the same command: it would be destroyed and the run exit 0."""
    from pathlib import Path

    from ..errors import OutputError
    from ..run.state import same_file

    done: list[tuple[str, object]] = []
    for what, path in outputs:
        if not path:
            continue
        for other, r in [*reads, *done]:
            if r and str(r) != ":memory:" and same_file(Path(str(path)), Path(str(r))):
                raise OutputError(f"the {what} {path} is the {other} of this command, which voc would overwrite; "
                                  f"choose another path.")
        done.append((what, path))


def check_suffix(path: object, suffixes: tuple[str, ...]) -> None:
    """Refuse an output whose suffix names a format the command does not write (``-o f.xlsx``
    for a CSV would give Excel a file it calls damaged)."""
    from pathlib import Path

    from ..errors import OutputError

    if path and Path(str(path)).suffix.lower() not in suffixes:
        raise OutputError(f"{path}: this command writes {' or '.join(suffixes)} files; give an output path "
                          f"ending in {' or '.join(suffixes)}.")


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



MAX_TOPICS = 500  # more topics than an analyst can read (gensim would run for hours)


def num_topics_option(value: str) -> int | str:
    if str(value).strip().lower() == "auto":
        return "auto"
    try:
        k = int(value)
    except ValueError:
        raise click.BadParameter("give a number of topics (e.g. 20) or 'auto'.") from None
    if not 2 <= k <= MAX_TOPICS:
        raise click.BadParameter(f"give 2 to {MAX_TOPICS} topics, or 'auto'.")
    return k


def k_range_option(value: str) -> tuple[int, int, int]:
    parts = str(value).replace(",", ":").replace("-", ":").split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise click.BadParameter("give START:STOP[:STEP], e.g. 8:24:2.") from None
    if len(nums) not in (2, 3) or nums[0] < 2 or nums[1] < nums[0] or nums[1] > MAX_TOPICS or (len(nums) == 3
                                                                                                and nums[2] < 1):
        raise click.BadParameter(f"give START:STOP[:STEP] with 2 <= START <= STOP <= {MAX_TOPICS} and STEP >= 1, "
                                 f"e.g. 8:24:2.")
    return (nums[0], nums[1], nums[2] if len(nums) == 3 else 2)


def speakers_option(value: str | None) -> dict[str, str] | None:
    """``0=customer,1=agent`` -> {"0": "customer", "1": "agent"}; a role is a speaker name itself
    (``1=坐席``), not a word that holds one (``客户经理``)."""
    from ..io.columns import speaker_key
    from ..io.values import scrubbed
    from ..records import normalise_speaker

    if not value:
        return None
    found: dict[str, str] = {}
    for part in value.replace("，", ",").split(","):
        if not part.strip():
            continue  # "0=customer," : a trailing comma
        raw, sep, role = part.partition("=")
        try:
            if not sep or not raw.strip():
                raise ValueError
            role = normalise_speaker(role, exact=True)
        except ValueError:
            raise click.BadParameter(f"give VALUE=ROLE pairs with the roles customer, agent, bot or system, "
                                     f"e.g. 0=customer,1=agent (could not read {scrubbed(part.strip())!r}).") from None
        key = speaker_key(raw)  # "０" and "0", "1.0" and "1" are one value
        if found.get(key, role) != role:
            raise click.BadParameter(f"{scrubbed(raw.strip())!r} is given two roles ({found[key]} and {role}); "
                                     f"give each value once.")
        found[key] = role
    return found or None


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
    click.option("--speakers", default=None, callback=lambda ctx, param, value: speakers_option(value),
                 help="The export's own speaker values, e.g. 0=customer,1=agent or 买家=customer,卖家=agent "
                      "(default: customer, 客户, 用户 / agent, 坐席, 客服 ...)."),
    click.option("--time-col", default=None, help="Time column (default: created_at, 时间, 创建时间 ...)."),
    click.option("--channel-col", default=None, help="Channel column (default: channel, 渠道 ...)."),
    click.option("--customer-col", default=None, help="Customer id column (default: customer_id, 客户编号 ...)."),
    click.option("--group-by", default=None,
                 help="One turn per row: group consecutive rows by this contact-id column."),
    click.option("--no-header", is_flag=True,
                 help="CSV/Excel without a header row: columns are named 1, 2, 3... (e.g. --text-col 1)."),
]
_READER_KEYS = ("input_format", "encoding", "sheet", "id_col", "text_col", "speaker_col", "speakers", "time_col",
                "channel_col", "customer_col", "group_by", "no_header")


def reader_options(fn):
    """Add the reader options to a command; it receives them as one ``reader`` dict, the keyword
    arguments of ``voc.io.readers.read_contacts`` (format, encoding, sheet, columns)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..io.readers import Columns

        o = {k: kwargs.pop(k) for k in _READER_KEYS}
        columns = Columns(id=o["id_col"], text=o["text_col"], speaker=o["speaker_col"], time=o["time_col"],
                          channel=o["channel_col"], customer=o["customer_col"], group_by=o["group_by"],
                          no_header=o["no_header"], speakers=o["speakers"])
        reader = {"format": o["input_format"], "encoding": o["encoding"], "sheet": o["sheet"], "columns": columns}
        return fn(*args, reader=reader, **kwargs)

    for opt in reversed(READER_OPTIONS):
        wrapper = opt(wrapper)
    return wrapper


def workers_option(fn):
    return click.option("-w", "--workers", type=click.IntRange(min=1), default=1, show_default=True,
                        help="Worker processes for segmentation (results do not depend on it).")(fn)

