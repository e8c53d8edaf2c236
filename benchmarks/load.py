"""Benchmark: the employer's page under load, served by gunicorn as in production, on loopback.

Run: .venv/bin/python benchmarks/load.py [--page badge|home] [--clients 50,200] [--seconds 10] [--postgres]
     [--while-awarding N] [--award-by job|direct]

Starts the app under gunicorn (gunicorn.conf.py: WEB_CONCURRENCY=2 processes, 4 threads
each, gthread) on 127.0.0.1 with the data of benchmarks/verification_page.py (a badge
shared with its evidence), rate limits off (one loopback address would get 429s), then
runs `wrk -t2 -c<clients> -d<seconds>s --latency -H "Accept-Encoding: br, gzip"` against
the share page (--page home: a signed-in learner's backpack home, five badges, her session
cookie sent by wrk) and prints req/s, p50/p99 and errors per run. wrk comes from Debian
(`apt-get install -y wrk` when missing). --postgres serves from a throwaway PostgreSQL
(tests/support/servers.py); --while-awarding N awards a badge to N learners a second into
each run: by default it queues the award job a teacher's tap queues, which the app's own
worker runs (issuing/award_jobs.py), and prints how long it took; --award-by direct awards
from a separate process instead. The awarding process gets ready (imports, app, badge)
before the run starts: only the award itself overlaps it. Every step is bounded in
time and everything started is stopped at the end.
Budget (DESIGN.md section 6): 200 clients >= 1,000 req/s, p99 <= 300 ms, 0 errors, also while awarding 1,000.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backpack import create_app  # noqa: E402
from backpack.extensions import db  # noqa: E402
from benchmarks.verification_page import setup  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    """Return wrk's path, installing Debian's package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: apt-get install -y wrk", flush=True)
    if subprocess.run(["apt-get", "install", "-y", "wrk"], timeout=600).returncode != 0:
        subprocess.run(["apt-get", "update"], timeout=600, check=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], timeout=600, check=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def prepare(folder: Path, database_url: str, origin: str, learners: int) -> tuple[str, str]:
    """Make the tables and the demo-like data; return the share token and a signed-in learner's Cookie header."""
    app = create_app({"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": database_url, "BACKPACK_ORIGIN": origin})
    with app.app_context():
        db.create_all()
        token = setup(app)
        cookie = learner_cookie(app, origin)
        if learners:
            from backpack.models import Role, User

            db.session.add_all(User(display_name=f"Learner {n}", role=Role.LEARNER.value) for n in range(learners))
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return token, cookie


def learner_cookie(app, origin: str) -> str:
    """Give the shared badge's learner four more badges and sign her in, as a passkey would; return her Cookie header."""
    from backpack.issuing import achievements, awarding, badge_image
    from backpack.models import Achievement, Award, Role, User
    from benchmarks.sign_in import session_cookie

    award = db.session.scalar(db.select(Award))
    learner, badge = db.session.get(User, award.learner_id), db.session.get(Achievement, award.achievement_id)
    teacher = db.session.scalar(db.select(User).where(User.role == Role.TEACHER.value))
    for number, icon in enumerate(["book", "pencil", "star", "trophy"]):
        other = achievements.create_achievement(
            badge.issuer, by=teacher, name=f"Skill {number + 1}", description="A skill.", criteria="Show it.",
            image_png=badge_image.design_badge(icon, "teal", "ESL 2"),
        )
        awarding.award(other, [learner], by=teacher)
    db.session.commit()
    name, value = session_cookie(app, origin, learner)
    return f"{name}={value}"


def award_all(folder: str, database_url: str, origin: str, how: str) -> None:
    """Award a new badge to every load-test learner, as a teacher's "Award" does (run in its own process).

    The process gets ready first (imports, app, badge: none of it is awarding) and prints READY;
    the run starts its clock, and the award begins when a line arrives on stdin. "job" queues the
    award job a teacher's tap queues and waits for the app's worker to finish it; "direct" awards
    in this process, batch by batch, as `flask --app backpack worker` would.
    """
    from backpack.issuing import achievements, award_jobs, awarding, badge_image
    from backpack.models import AwardJob, AwardJobState, Issuer, Role, User

    app = create_app({"INSTANCE_PATH": folder, "SQLALCHEMY_DATABASE_URI": database_url, "BACKPACK_ORIGIN": origin,
                      "NOTIFY_WORKER": "off"})
    with app.app_context():
        teacher = db.session.scalar(db.select(User).where(User.role == Role.TEACHER.value))
        issuer = db.session.scalar(db.select(Issuer))
        badge = achievements.create_achievement(
            issuer, by=teacher, name="Load test", description="Awarded during the load test.", criteria="Be there.",
            image_png=badge_image.design_badge("star", "teal", "LOAD"),
        )
        db.session.commit()
        learners = list(db.session.scalars(
            db.select(User).where(User.role == Role.LEARNER.value, User.display_name.like("Learner %"))
        ))
        print("READY", flush=True)
        sys.stdin.readline()
        started = time.perf_counter()
        if how == "direct":
            for first in range(0, len(learners), award_jobs.BATCH):
                awarding.award(badge, learners[first:first + award_jobs.BATCH], by=teacher)
                db.session.commit()
        else:
            job, _new = award_jobs.start(badge, learners, by=teacher)
            db.session.commit()
            deadline = time.monotonic() + 280
            while time.monotonic() < deadline:
                state = db.session.scalar(db.select(AwardJob.state).where(AwardJob.id == job.id))
                db.session.rollback()
                if state in (AwardJobState.DONE, AwardJobState.FAILED):
                    break
                time.sleep(0.1)
        print(f"  (awarded {len(learners)} learners in {time.perf_counter() - started:.1f} s"
              f"{'' if how == 'direct' else ' by the app' + chr(39) + 's worker'})", flush=True)


def serve(folder: Path, database_url: str, origin: str, port: int, log: Path) -> subprocess.Popen:
    """Start gunicorn with the production settings, rate limits off; wait until it answers."""
    env = {
        **os.environ,
        "BACKPACK_INSTANCE_PATH": str(folder),
        "DATABASE_URL": database_url,
        "BACKPACK_ORIGIN": origin,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "2"),
        "GUNICORN_THREADS": os.environ.get("GUNICORN_THREADS", "4"),
    }
    env.pop("REDIS_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
             "backpack:create_app({'RATELIMIT_ENABLED': False})"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{origin}/healthz", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    sys.exit(f"gunicorn did not answer:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def run_wrk(wrk: str, url: str, clients: int, seconds: int, cookie: str | None = None) -> dict:
    command = [wrk, "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: br, gzip",
               *(["-H", f"Cookie: {cookie}"] if cookie else []), url]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    socket_errors = {kind: int(n) for kind, n in re.findall(r"(connect|read|write|timeout) (\d+)", out)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        socket_errors["non-2xx"] = int(non_2xx.group(1))
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": milliseconds(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": milliseconds(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": sum(socket_errors.values()),
        "error_kinds": ", ".join(f"{kind} {n}" for kind, n in socket_errors.items() if n),
        "command": " ".join(part if not part.startswith("Cookie:") else "Cookie: <session>" for part in command[:-1]) + " URL",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=["badge", "home"], default="badge",
                        help="badge: the employer's page of a shared badge; home: a signed-in learner's backpack")
    parser.add_argument("--clients", default="50,200", help="comma-separated connection counts, one wrk run each")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--postgres", action="store_true", help="serve from a throwaway PostgreSQL")
    parser.add_argument("--while-awarding", type=int, default=0, metavar="N", help="award a badge to N learners during each run")
    parser.add_argument("--award-by", choices=["job", "direct"], default="job",
                        help="job: queued as a teacher's tap queues it, run by the app's worker; direct: in a process of its own")
    options = parser.parse_args()
    wrk = ensure_wrk()
    folder = Path(tempfile.mkdtemp(prefix="backpack-load-"))
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    server = None
    database_url = f"sqlite:///{folder / 'backpack.db'}"
    gunicorn = None
    try:
        if options.postgres:
            from tests.support.servers import create_database, start_postgres

            server = start_postgres()
            database_url = create_database(server, "backpack_load")
        token, cookie = prepare(folder, database_url, origin, options.while_awarding)
        gunicorn = serve(folder, database_url, origin, port, folder / "gunicorn.log")
        url, cookie = (f"{origin}/s/{token}", None) if options.page == "badge" else (f"{origin}/", cookie)
        for _ in range(20):  # warm both processes' caches
            request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
            with urllib.request.urlopen(request, timeout=5) as response:
                body = response.read().decode()
        if cookie and "Skill 4" not in body:
            sys.exit("the learner's home did not show her badges: not signed in?")
        database = "PostgreSQL" if options.postgres else "SQLite"
        what = "GET /s/<token>" if options.page == "badge" else "GET / signed in as a learner with five badges"
        print(f"gunicorn on 127.0.0.1 (2 processes x 4 threads, gthread), {database}, {os.cpu_count()} cores "
              f"(load average {os.getloadavg()[0]:.1f} before the runs: other work on the machine lowers the figures); "
              f"{what}", flush=True)
        for clients in (int(c) for c in options.clients.split(",")):
            awarder = None
            if options.while_awarding:
                awarder = subprocess.Popen(
                    [sys.executable, __file__, "--award-into", str(folder), database_url, origin, options.award_by],
                    cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                )
                if awarder.stdout.readline().strip() != "READY":
                    sys.exit("the awarding process did not start")
                # The award starts a second into the run, so the run sees the page before, during and after it.
                threading.Timer(1.0, lambda process=awarder: (process.stdin.write("go\n"), process.stdin.flush())).start()
            result = run_wrk(wrk, url, clients, options.seconds, cookie)
            print(f"{clients:>4} clients: {result['requests_per_second']:,.0f} req/s, p50 {result['p50']:.1f} ms, "
                  f"p99 {result['p99']:.1f} ms, {result['errors']} errors{' (' + result['error_kinds'] + ')' if result['errors'] else ''} "
                  f"({result['requests']:,} requests; "
                  f"{result['command']})", flush=True)
            if awarder is not None:
                try:
                    print(awarder.communicate(timeout=300)[0].rstrip(), flush=True)
                except subprocess.TimeoutExpired:
                    awarder.kill()
                    awarder.wait()
                    print("  awarding did not finish within 300 s: stopped")
    finally:
        if gunicorn is not None:
            stop(gunicorn)
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--award-into"]:
        award_all(*sys.argv[2:6])
    else:
        main()
