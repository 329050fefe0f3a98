"""``flask judging assign ROUND_ID`` and ``flask judging results ROUND_ID --format csv|xlsx``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from core import exports
from core.errors import UserError
from core.extensions import db
from judging import assign_services, results, workspace
from judging.models import Round

judging_cli = AppGroup("judging", help="Judging rounds: assignment and results.")


def _round(round_id: int):
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"no round {round_id}")
    return round_


@judging_cli.command("assign")
@click.argument("round_id", type=int)
def assign_cmd(round_id: int) -> None:
    """Give every entry of the round k judges (safe to rerun: existing assignments stay)."""
    round_ = _round(round_id)
    try:
        result = assign_services.assign_judges(round_, actor=None)
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(exc.render()) from None
    db.session.commit()
    click.echo(
        f"{len(result.new)} new assignments; {len(result.unfilled)} entries short of judges; "
        f"judge groups linked: {result.connected}"
    )
    for entry_id, short in sorted(result.unfilled.items()):
        click.echo(f"  entry {entry_id}: missing {short.missing} ({', '.join(short.reasons)})")


@judging_cli.command("results")
@click.argument("round_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: stdout)")
def results_cmd(round_id: int, fmt: str, output: str | None) -> None:
    """Write the score summary (评分汇总表) of a round."""
    round_ = _round(round_id)
    if not round_.locked:
        results.compute_results(round_)
        db.session.commit()
    table = workspace.summary_table(round_)
    if output:
        with open(output, "wb") as fh:
            exports.write_table(table, fmt, fh)
        click.echo(f"written {output}")
    elif fmt == "csv":
        click.echo(exports.table_bytes(table, "csv").decode("utf-8-sig"), nl=False)
    else:
        sys.stdout.buffer.write(exports.table_bytes(table, "xlsx"))


def register(app) -> None:
    app.cli.add_command(judging_cli)
