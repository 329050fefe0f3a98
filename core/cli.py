"""Command-line tools (thin wrappers over services; safe to rerun)."""

from __future__ import annotations

import os

import click

from core import audit, backup, doctor, seed
from core.errors import UserError
from core.extensions import db
from core.runner import run_together
from core.storage import TEMP_PREFIX, collect_garbage


def register_cli(app) -> None:
    from judging import cli as judging_cli

    # Packages add their own command groups (``flask judging ...``); only
    # judging has one so far.
    judging_cli.register(app)

    @app.cli.command("create-admin")
    @click.option("--username", prompt=True)
    @click.option("--name", "display_name", prompt=True)
    @click.password_option()
    def create_admin(username, display_name, password):
        """Create an administrator account."""
        from accounts import services
        from accounts.models import Role

        try:
            user = services.create_user(
                username=username, display_name=display_name, password=password, roles=[Role.ADMIN]
            )
        except UserError as exc:
            raise click.ClickException(exc.render()) from None
        db.session.commit()
        click.echo(f"created administrator {user.username}")

    @app.cli.command("seed-demo")
    @click.option("--force", is_flag=True, help="Seed even when the database already has users.")
    def seed_demo(force):
        """Fill an empty database with demo units, accounts and activities."""
        created = seed.seed_demo(force=force)
        if not created:
            click.echo("database already has users; nothing seeded")
        if created or seed.demo_accounts_present():
            seed.print_accounts(click.echo)

    @app.cli.command("doctor")
    def doctor_cmd():
        """Check fonts, PDF, database, storage and the job queue."""
        ok = doctor.run(click.echo)
        raise SystemExit(0 if ok else 1)

    @app.cli.command("backup")
    @click.argument("target", type=click.Path())
    def backup_cmd(target):
        """Write a consistent backup (database and stored files) to TARGET (.tar.gz)."""
        try:
            path = backup.backup(target)
        except Exception as exc:  # nothing is left at TARGET: say so and fail
            raise click.ClickException(f"backup failed, nothing written to {target}: {exc}") from None
        click.echo(f"backup written to {path} (read back and verified)")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_cmd(source, yes):
        """Replace the database and stored files with a backup."""
        if not yes:
            click.confirm("This replaces the current database and files. Continue?", abort=True)
        try:
            backup.restore(source)
        except backup.BackupError as exc:  # checked before anything is replaced
            raise click.ClickException(f"{source} is not a usable backup, nothing was changed: {exc}") from None
        audit.record("system.restore", object_type="system", label=os.path.basename(source))
        db.session.commit()
        click.echo("restored")

    @app.cli.command("storage-gc")
    def storage_gc():
        """Delete stored files no record refers to, and temporary files (older than an hour)."""
        removed = collect_garbage()
        temporaries = sum(1 for key in removed if key.rsplit("/", 1)[-1].startswith(TEMP_PREFIX))
        if removed:
            audit.record("system.storage_gc", object_type="system", changes={"files": len(removed)})
            db.session.commit()
        click.echo(f"removed {len(removed) - temporaries} orphan files and {temporaries} temporary files")

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5000, type=int)
    @click.option("--workers", default=2, type=int, help="Job worker threads.")
    def serve(host, port, workers):
        """Run the web server and the job worker together (one Ctrl-C stops both)."""
        run_together(host, port, workers)
