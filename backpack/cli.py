"""Commands: flask --app backpack init | demo | create-teacher NAME | export-credentials DIR | backup PATH | restore PATH
| status-lists refresh (the worker command is notify's). Each commits once its work is done."""
import io
import os
from pathlib import Path

import click
import qrcode
from flask import Flask
from flask_migrate import upgrade

from backpack import backup
from backpack.admin.teacher_accounts import create_teacher
from backpack.auth import invites
from backpack.demo import load_demo
from backpack.extensions import db
from backpack.issuing import status
from backpack.models import Award


def _print_invite(label: str, token: str) -> None:
    click.echo(f"{label}: {invites.link(token)}")


def _terminal_qr(url: str) -> str:
    code = qrcode.QRCode(border=2)
    code.add_data(url)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()


def init_app(app: Flask) -> None:
    @app.cli.command("init")
    def init_command():
        """Apply database migrations (safe to run again)."""
        upgrade()
        click.echo(f"Database ready at {db.engine.url.render_as_string(hide_password=True)}")

    @app.cli.command("create-teacher")
    @click.argument("name")
    def create_teacher_command(name: str):
        """Create a teacher and print their invite link and QR code."""
        teacher, token = create_teacher(name, by=None)
        db.session.commit()
        url = invites.link(token)
        click.echo(f"Teacher {teacher.display_name!r} created. Invite link (single use):")
        click.echo(url)
        click.echo(_terminal_qr(url))

    @app.cli.command("export-credentials")
    @click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
    def export_credentials_command(directory: Path):
        """Write every issued credential as DIRECTORY/<award id>.json, exactly as signed."""
        directory.mkdir(parents=True, exist_ok=True)
        count = 0
        for award_id, credential_json in db.session.execute(
            db.select(Award.public_id, Award.credential_json).order_by(Award.id)
        ):
            (directory / f"{award_id}.json").write_text(credential_json, encoding="utf-8")
            count += 1
        click.echo(f"Wrote {count} credentials to {directory}")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path):
        """Write the database, the evidence files and the keys to one archive at PATH."""
        try:
            manifest = backup.write_backup(app, path)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        click.echo(f"Backed up the {manifest['database']} database, {media} evidence file(s) and the keys to {path}")
        if not manifest["media"] == "included":
            click.echo(f"Evidence {manifest['media']}: back the bucket up with its own tools.")
        click.echo("The archive holds every secret of this instance: keep it as safe as the server.")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Overwrite an instance that already holds data.")
    def restore_command(path: Path, force: bool):
        """Put a backup's database, evidence files and keys into this (empty) instance."""
        try:
            manifest = backup.restore_backup(app, path, force=force)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Restored the backup of {manifest['created_at']} into {app.instance_path}")
        overridden = [name for name in ("BACKPACK_SECRET_KEY", "BACKPACK_KEY_ENCRYPTION_SECRET", "BACKPACK_VAPID_PRIVATE_KEY")
                      if os.environ.get(name)]
        if overridden:
            click.echo(f"Note: {', '.join(overridden)} set in the environment win over the restored keys.")

    @app.cli.group("status-lists")
    def status_lists_group():
        """Revocation lists that verifiers fetch."""

    @status_lists_group.command("refresh")
    def refresh_status_lists_command():
        """Re-sign the status lists that lapse within half their time to live."""
        count = status.refresh_due()
        db.session.commit()
        click.echo(f"Re-signed {count} status list(s).")

    @app.cli.command("demo")
    def demo_command():
        """Load demo data (idempotent) and print fresh sign-in invite links."""
        people = load_demo()
        click.echo("Demo data ready. Open a link below to create a passkey and sign in:")
        for label, token in people:
            _print_invite(label, token)
