"""``voc journey``, ``voc forecast`` and ``voc staffing``: customer journeys and FCR, volume
forecasts, and the agents they need, all from a results store (docs/journey.md, docs/forecast.md)."""
from __future__ import annotations

import json

import click

from .base import CONTEXT, check_outputs, check_suffix, cli, handle_errors

STORE = click.option("--store", "store_path", required=True, type=click.Path(dir_okay=False),
                     help="Results store (SQLite file).")


def _echo_json(value) -> None:
    from ..text.redact import Redactor

    click.echo(json.dumps(Redactor().scrub(value), ensure_ascii=False, indent=1))


@cli.command("journey", context_settings=CONTEXT)
@STORE
@click.option("--customer", default=None, help="Print this customer's timeline (the customer_id as stored).")
@click.option("--window", default="7d", show_default=True,
              help="A later contact about the same issue within this time is a repeat (e.g. 7d, 48h).")
@click.option("--similarity", type=click.FloatRange(0, 1, min_open=True), default=0.3, show_default=True,
              help="Character-bigram Jaccard of two redacted texts from which they are about the same issue.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def journey(store_path, customer, window, similarity, as_json):
    """Customer journeys: repeat contacts about the same issue, channel switching and
    first-contact resolution (FCR) over a store; or one customer's timeline.

    \b
    Examples:
      voc journey --store voc.db
      voc journey --store voc.db --customer U10380
      voc journey --store voc.db --window 14d --json
    """
    from ..journey import summary, timeline

    if customer is not None:
        records = timeline(store_path, customer, window, similarity)
        if as_json:
            _echo_json(records)
            return
        from ..text.redact import Redactor

        scrub = Redactor().scrub
        for r in scrub(records):
            link = f"repeats {r['repeat_of']} ({r['same_issue']})" if r["repeat_of"] else "first contact"
            fcr = f", FCR {r['first_contact_resolution']}" if r["first_contact_resolution"] else ""
            click.echo(f"{r['created_at']}  {r['channel'] or '-':8} {r['contact_type'] or '-':10} "
                       f"{r['root_cause'] or '-':8} {r['sentiment_label'] or '-':8} resolved={r['resolved'] or '-':8} "
                       f"{r['id']}  {link}{fcr}")
            click.echo(f"    {(r['text'] or '')[:120]}")
        return
    s = summary(store_path, window, similarity)
    if as_json:
        _echo_json(s)
        return
    rate = lambda v: "—" if v is None else f"{v * 100:.1f}%"  # noqa: E731
    click.echo(f"contacts {s['contacts']:,}, customers {s['customers']:,} ({s['returning_customers']:,} returning), "
               f"window {s['window_days']:g} days")
    if s.get("unlinked_contacts"):
        click.echo(f"left out: {s['unlinked_contacts']:,} contacts without a customer id or a readable time "
                   f"(tag with --customer-col and --time-col to follow them)")
    click.echo(f"repeats {s['repeats']:,} ({rate(s['repeat_rate'])} of contacts; same issue by "
               f"{', '.join(f'{k} {v}' for k, v in s['same_issue_by'].items()) or '—'}), "
               f"channel switches {s['channel_switches']:,}")
    click.echo(f"FCR {rate(s['fcr_rate'])} of {s['fcr'] + s['not_fcr']:,} issues with a known outcome; "
               f"unclear {s['unclear']:,}, untagged {s['untagged']:,}, still open {s['open']:,}")
    cpr = s["contacts_per_resolution"]
    click.echo(f"contacts per resolved issue {cpr:.2f}" if cpr else "no issue ended resolved")
    for row in s["by"]["month"]:
        click.echo(f"  {row['month'] or '-'}  contacts {row['contacts']:>8,}  repeat {rate(row['repeat_rate']):>6}  "
                   f"FCR {rate(row['fcr_rate']):>6}")
    for e in s["longest"]:
        click.echo(f"  customer {e['customer_id']}: {e['contacts']} contacts in {e['days']} days ({', '.join(e['ids'])})")


@cli.command("forecast", context_settings=CONTEXT)
@STORE
@click.option("--by", type=click.Choice(["all", "root_cause", "contact_type", "topic", "channel", "owner"]),
              default="all", show_default=True, help="One forecast per value of this column.")
@click.option("--horizon", default="30d", show_default=True, help="How far ahead (e.g. 30d, 8w).")
@click.option("--period", "freq", type=click.Choice(["day", "week", "month"]), default="day", show_default=True,
              help="Rows per day, ISO week or month.")
@click.option("--level", type=click.FloatRange(0.5, 0.99), default=0.8, show_default=True,
              help="Prediction interval level.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the rows to this .csv or .json file (default: CSV on stdout).")
@handle_errors
def forecast_cmd(store_path, by, horizon, freq, level, output):
    """Forecast the contact volume after the store's last day, overall or by a column, with
    prediction intervals (weekly and yearly seasonality, Chinese holidays and make-up working days).

    \b
    Examples:
      voc forecast --store voc.db --by root_cause --horizon 30d -o forecast.csv
      voc forecast --store voc.db --period week --horizon 8w -o forecast.json
    """
    check_outputs([("output", output)], [("results store", store_path)])
    check_suffix(output, (".csv", ".json"))
    from ..forecast import csv_text, forecast, write_rows

    out = forecast(store_path, by=by, horizon=horizon, level=level)
    rows = out.rows(freq)
    if output:
        click.echo(f"voc: wrote {write_rows(rows, output)} ({len(rows)} rows)", err=True)
    else:
        click.echo(csv_text(rows, newline="\n"), nl=False)
    for name, why in out.skipped.items():
        click.echo(f"voc: no forecast for {name}: {why}", err=True)


@cli.command("staffing", context_settings=CONTEXT)
@STORE
@click.option("--horizon", default="7d", show_default=True, help="How far ahead (e.g. 7d).")
@click.option("--aht", default=None, help="Average handle time (e.g. 300s, 5min); default: the contacts' "
                                          "handle-time metadata, else 300s.")
@click.option("--service-level", "target", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.8,
              show_default=True, help="Share of contacts to answer within --answer-within.")
@click.option("--answer-within", default="20s", show_default=True, help="Target answer time.")
@click.option("--shrinkage", type=click.FloatRange(0, 1, max_open=True), default=0.0, show_default=True,
              help="Share of paid time off the phones (breaks, training, absence).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the hourly rows to this .csv or .json file.")
@handle_errors
def staffing_cmd(store_path, horizon, aht, target, answer_within, shrinkage, output):
    """Agents needed per day and hour for a service level (Erlang C), from the volume forecast.

    \b
    Examples:
      voc staffing --store voc.db --horizon 7d --aht 300s --service-level 0.8 --answer-within 20s
      voc staffing --store voc.db --shrinkage 0.3 -o staffing.csv
    """
    check_outputs([("output", output)], [("results store", store_path)])
    check_suffix(output, (".csv", ".json"))
    from ..forecast import staffing, write_rows

    s = staffing(store_path, horizon=horizon, aht=aht, target=target, answer_within=answer_within,
                 shrinkage=shrinkage)
    click.echo(f"handle time {s['aht_seconds']:g} s ({s['aht_source']}); target {s['target'] * 100:g}% within "
               f"{s['answer_within_s']:g} s; shrinkage {s['shrinkage'] * 100:g}%")
    for d in s["days"]:
        click.echo(f"  {d['day']}  contacts {d['contacts']:>9,.0f}  peak agents {d['peak_agents']:>4}  "
                   f"agent hours {d['agent_hours']:>6}")
    if output:
        click.echo(f"voc: wrote {write_rows(s['hours'], output)}", err=True)
