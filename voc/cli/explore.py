"""``voc explore``: the local exploration page over a results store."""
from __future__ import annotations

import click

from .base import CONTEXT, cli, handle_errors


@cli.command("explore", context_settings=CONTEXT)
@click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False),
              help="Results store (SQLite file written by voc tag --store).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Do not open the page in the default browser.")
@click.option("--who", default=None, help="Name recorded with your corrections (default: your user name).")
@handle_errors
def explore(store_path, port, no_browser, who):
    """Explore a results store in your browser and correct tags (127.0.0.1 only, offline).

    Every figure of the monthly report links to its contacts; filter by month, channel, type,
    root cause, owner, tier, product, region, team/agent, topic, sentiment, escalation; search
    the redacted text; open a contact and correct its root cause, contact type, sentiment,
    churn level or escalation. Stop with Ctrl+C.

    \b
    Example:
      voc explore --store voc.db
      voc train root-cause --from-store voc.db
    """
    from ..explore import serve

    serve(store_path, port, open_browser=not no_browser, who=who,
          announce=lambda url: click.echo(f"voc: exploring {store_path} at {url} (Ctrl+C to stop)", err=True))
