"""``voc report qa``: the monthly quality-inspection report from the store."""
from __future__ import annotations

import click

from .base import CONTEXT, check_outputs, handle_errors
from .store import report_group


@report_group.command("qa", context_settings=CONTEXT)
@click.option("--store", "store", required=True, type=click.Path(dir_okay=False), help="Results store (SQLite file).")
@click.option("--month", default=None, help="The month, YYYY-MM (default: the latest month with contacts tagged with --qa).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="HTML report to write.")
@click.option("--xlsx", default=None, type=click.Path(dir_okay=False), help="Also write the tables as XLSX.")
@click.option("--return-days", default=7, show_default=True, type=click.IntRange(min=1),
              help="A bot contact whose customer comes back within this many days counts as a return.")
@handle_errors
def report_qa(store, month, output, xlsx, return_days):
    """Scorecards by agent and team, coaching examples, commitments and bot / self-service figures.

    \b
    Example:
      voc tag calls.csv --group-by 通话ID --qa -o out/calls.jsonl --store voc.db
      voc report qa --store voc.db --month 2026-10 -o qa.html --xlsx qa.xlsx
    """
    check_outputs([("report", output), ("XLSX", xlsx)], [("results store", store)])
    from ..reports.qa import write_qa

    write_qa(store, month, output, xlsx, return_days=return_days)
    click.echo(f"voc: wrote {output}" + (f" and {xlsx}" if xlsx else ""), err=True)
