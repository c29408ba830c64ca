"""``voc store`` and ``voc report``: the results store and the reports built from it."""
from __future__ import annotations

import click

from .base import CONTEXT, check_outputs, cli, handle_errors


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
    from ..store import add_files

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
    from ..store import purge

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
@click.option("--month", default=None,
              help="Month to report, YYYY-MM (in the store's time zone; default: the latest month with contacts).")
@click.option("--since", default=None, metavar="YYYY-MM",
              help="Report over a range of months from this one (default with --until: the store's first month).")
@click.option("--until", default=None, metavar="YYYY-MM",
              help="Report over a range of months up to this one (default with --since: the latest month).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False), default=None,
              help="Also write the tables and the period's contacts to this XLSX file.")
@click.option("--contact-type", "contact_types", default=None, metavar="TYPES",
              help="Only contacts of these types, comma-separated: complaint, inquiry, request, praise, "
                   "suggestion, other (e.g. complaint,inquiry).")
@handle_errors
def report_monthly(store_path, month, since, until, output, xlsx, contact_types):
    """Write the monthly complaint-analysis report (one self-contained HTML file).

    Without --month: the latest month that holds contacts. With --since/--until: a report over
    that range of months (totals, per-month tables and trends; no comparison with an earlier
    period). Contacts without a readable date belong to no month: every report counts them.

    \b
    Example:
      voc report monthly --store voc.db --month 2026-10 -o report.html --xlsx report.xlsx
      voc report monthly --store voc.db --month 2026-10 --contact-type complaint,inquiry -o report.html
      voc report monthly --store voc.db --since 2026-07 --until 2026-09 -o q3.html
    """
    check_outputs([("report", output), ("XLSX", xlsx)], [("results store", store_path)])
    from ..reports.period import write_report

    period, paths = write_report(store_path, output, month=month, since=since, until=until, xlsx=xlsx,
                                 contact_types=contact_types)
    for path in paths:
        click.echo(f"voc: wrote {path} ({period})", err=True)


@report_group.command("escalation", context_settings=CONTEXT)
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False), help="Results store (SQLite file).")
@click.option("--month", default=None,
              help="Month to report, YYYY-MM (in the store's time zone; default: the latest month with contacts).")
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
    from ..reports import escalation

    for path in escalation(store_path, month, out_dir, contact_types=contact_types).paths:
        click.echo(f"voc: wrote {path}", err=True)
# == end store and reports ==