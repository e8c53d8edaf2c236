"""`flask --app backpack worker`: deliver notifications from a process of its own."""
import signal
import threading

import click
from flask import current_app

from backpack.notify import bp


@bp.cli.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def worker_command(once: bool):
    """Deliver notifications from the outbox (an RQ worker when REDIS_URL is set)."""
    from backpack.notify.worker import run_rq

    app = current_app._get_current_object()
    state = app.extensions["notify"]
    if once:
        click.echo(f"Delivered {state.worker().drain()} notification(s).")
        return
    if app.config["NOTIFY_REDIS_URL"]:
        run_rq(app, app.config["NOTIFY_REDIS_URL"])
        return
    stop, wake = threading.Event(), threading.Event()

    def finish(signum, frame):
        stop.set()
        wake.set()

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    click.echo("Delivering notifications; stop with Ctrl+C.")
    state.worker().run(stop, wake)
