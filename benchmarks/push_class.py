"""Benchmark: award one badge to a class of 30, each learner with a phone subscribed; time until
the last of the 30 notifications has reached the push service (decrypted and VAPID-checked).

Run: .venv/bin/python benchmarks/push_class.py [runs] [devices per learner]
Budget (DESIGN.md section 5): every notification delivered within 5 s on the embedded
default (the in-process worker thread, SQLite). The push service is a local one on
127.0.0.1 (tests/support/push_service.py), so the figures leave out the internet's latency.
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backpack import create_app
from backpack.extensions import db
from backpack.issuing import achievements, awarding, issuers
from backpack.models import Classroom, Enrolment, PushSubscription, Role, User
from backpack.notify.delivery import session_hash
from tests.conftest import tiny_png
from tests.support.push_service import PushService, b64url

CLASS_SIZE = 30
BUDGET_SECONDS = 5.0


def main(runs: int, devices_each: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="backpack-push-bench-"))
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "NOTIFY_ALLOW_LOCAL_ENDPOINTS": True,
        }
    )
    service = PushService(app.extensions["notify"].vapid.public_key).start()
    expected = CLASS_SIZE * devices_each
    rows = []
    with app.app_context():
        db.create_all()
        teacher = User(display_name="Teacher", role=Role.TEACHER.value)
        learners = [
            User(display_name=f"Learner {n}", role=Role.LEARNER.value, preferred_language=("en", "es", "ar")[n % 3])
            for n in range(CLASS_SIZE)
        ]
        classroom = Classroom(name="Benchmark class", teacher=teacher)
        db.session.add_all([teacher, classroom, *learners])
        db.session.add_all(Enrolment(classroom=classroom, learner=learner) for learner in learners)
        issuer = issuers.create_issuer("Benchmark School", members=[teacher])
        db.session.flush()
        for learner in learners:
            for n in range(devices_each):
                device = service.device(f"learner-{learner.id}-{n}")
                db.session.add(PushSubscription(
                    user_id=learner.id, endpoint=device.endpoint, p256dh=device.p256dh,
                    auth=b64url(device.auth), label="Benchmark phone", session_hash=session_hash(learner),
                ))
        image = tiny_png()
        db.session.commit()
        app.extensions["notify"].start_worker()  # what the first request does in a web process

        # Warm up: the first signature loads the JSON-LD contexts; the first push opens sockets.
        warm = achievements.create_achievement(issuer, by=teacher, name="Warm-up", description="d", criteria="c", image_png=image)
        awarding.award(warm, learners, by=teacher)
        db.session.commit()
        service.wait_for(expected, timeout=30)

        for run in range(runs):
            already = len(service.delivered())
            badge = achievements.create_achievement(
                issuer, by=teacher, name=f"Badge {run}", description="Speaks clearly.", criteria="Give a talk.", image_png=image
            )
            db.session.commit()
            started = time.monotonic()
            outcome = awarding.award(badge, learners, by=teacher)
            db.session.commit()
            awarded = time.monotonic()
            delivered = service.wait_for(already + expected, timeout=30)[already:]
            assert len(outcome.created) == CLASS_SIZE
            assert len(delivered) == expected, f"only {len(delivered)} of {expected} arrived"
            arrivals = sorted(message.at for message in delivered)
            rows.append((awarded - started, arrivals[0] - started, arrivals[-1] - started))
        app.extensions["notify"].dispatch.stop()
    service.stop()
    assert service.errors == [], service.errors[:3]

    def summary(values) -> str:
        values = sorted(values)
        return f"median {statistics.median(values) * 1000:.0f} ms, min {values[0] * 1000:.0f} ms, max {values[-1] * 1000:.0f} ms"

    print(f"award to a class of {CLASS_SIZE} ({expected} devices), {runs} runs, in-process worker, SQLite:")
    print(f"  award (sign + store + enqueue + commit): {summary(r[0] for r in rows)}")
    print(f"  award start -> first notification received: {summary(r[1] for r in rows)}")
    print(f"  award start -> last notification received: {summary(r[2] for r in rows)}")
    worst = max(r[2] for r in rows)
    print(f"  budget {BUDGET_SECONDS:.0f} s for the last one: {'met' if worst <= BUDGET_SECONDS else 'MISSED'} (worst {worst:.2f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, int(sys.argv[2]) if len(sys.argv) > 2 else 1)
