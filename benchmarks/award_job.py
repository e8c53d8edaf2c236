"""Benchmark: a badge awarded to a class of N (300) as a job, run by the worker in batches.

For each transaction: the time from its first write or row lock (SELECT ... FOR UPDATE on
PostgreSQL) to its commit, and how many awards it stored.

Run: .venv/bin/python benchmarks/award_job.py [learners] [--postgres]
Budget (DESIGN.md sections 4 and 6): no write lock held for more than ~100 ms. --postgres
starts Debian's PostgreSQL as the tests do (tests/support/servers.py).
"""
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backpack.extensions import db  # noqa: E402
from backpack.issuing import award_jobs, awarding  # noqa: E402
from backpack.issuing.achievements import create_achievement  # noqa: E402
from backpack.issuing.issuers import create_issuer  # noqa: E402
from backpack.models import Role, User  # noqa: E402
from tests.conftest import build_app, tiny_png, with_tables  # noqa: E402
from tests.issuing.test_award_jobs import WriteLocks, add_learners  # noqa: E402


def measure(count: int, url: str | None) -> None:
    settings = {"SQLALCHEMY_DATABASE_URI": url} if url else {}
    for app in with_tables(build_app(Path(tempfile.mkdtemp()), **settings)):
        teacher = User(display_name="Teacher", role=Role.TEACHER.value)
        db.session.add(teacher)
        db.session.commit()
        issuer = create_issuer("Riverside Adult School", members=[teacher], url="https://riverside.example")
        badge = create_achievement(issuer, by=teacher, name="Safe welding", description="d", criteria="c", image_png=tiny_png())
        db.session.commit()
        learners = add_learners(count)
        awarding.award(badge, learners[:1], by=teacher)  # the issuer's status list exists already
        db.session.commit()
        award_jobs.start(badge, learners, by=teacher)
        db.session.commit()
        started = time.perf_counter()
        with WriteLocks(db.engine) as locks:
            while app.extensions["notify"].worker().run_work(1000) >= 1000:
                pass
        elapsed = time.perf_counter() - started
        windows = [(window["seconds"], window["awards"]) for window in locks.held]
        batches = [(held * 1000, awards) for held, awards in windows if awards]
        print(f"{'PostgreSQL' if url else 'SQLite'}: {count} learners in {len(batches)} batches "
              f"(awards per batch {min(a for _, a in batches)}-{max(a for _, a in batches)}), {elapsed:.2f} s in all")
        print("  lock held per batch (ms): " + ", ".join(f"{held:.0f}" for held, _ in batches))
        print(f"  longest of all {len(windows)} transactions: {max(h for h, _ in windows) * 1000:.0f} ms")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    learners = int(arguments[0]) if arguments else 300
    if "--postgres" in sys.argv:
        from tests.support.servers import create_database, start_postgres

        server = start_postgres()
        try:
            measure(learners, create_database(server, "award_job_benchmark"))
        finally:
            server.stop()
    else:
        measure(learners, None)
