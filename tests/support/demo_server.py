"""The demo served as scripts/demo.sh serves it with PORT: on a port a real server picked, not 5000.

Shared by the test that runs the demo's credentials through verifier-core and the browser
test in which an employer opens them, so both prove the same set-up.
"""
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, got_request_exception
from werkzeug.serving import make_server

from backpack import create_app
from backpack.demo import load_demo
from backpack.extensions import db


@dataclass
class DemoServer:
    """The running demo: its app (with an app context pushed), origin, invite tokens and any server errors."""

    app: Flask
    port: int
    origin: str
    tokens: list[tuple[str, str]]
    errors: list[BaseException] = field(default_factory=list)


@contextmanager
def serving_demo(folder: Path, host: str = "localhost"):
    """Serve a fresh demo on a free port, with BACKPACK_ORIGIN http://host:port as demo.sh sets it from PORT.

    The demo is loaded after the origin is set, as `flask demo` runs after the port is chosen,
    so every status list and credential is made with that origin.
    """
    app = create_app(
        {"INSTANCE_PATH": str(folder / "instance"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}"}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    assert server.server_port != 5000
    app.config["BACKPACK_ORIGIN"] = f"http://{host}:{server.server_port}"
    demo = DemoServer(app, server.server_port, app.config["BACKPACK_ORIGIN"], [])

    def remember(sender, exception, **extra):
        demo.errors.append(exception)

    got_request_exception.connect(remember, app, weak=False)
    thread = threading.Thread(target=server.serve_forever, name="demo-server", daemon=True)
    thread.start()
    try:
        with app.app_context():
            db.create_all()
            demo.tokens = load_demo()
            yield demo
            db.session.remove()
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
