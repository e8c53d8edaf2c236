"""Commands: flask --app backpack init | demo | create-teacher NAME | status-lists refresh."""
import io
from pathlib import Path

import click
import qrcode
from flask import Flask
from flask_migrate import upgrade

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
