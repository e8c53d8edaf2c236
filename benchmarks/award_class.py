"""Benchmark: award one badge to a class of 30 (sign + store), on the embedded default.

Run: .venv/bin/python benchmarks/award_class.py [runs]
Budget (DESIGN.md section 5): <= 1 s per class of 30.
"""
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from backpack import create_app
from backpack.extensions import db
from backpack.issuing import achievements, awarding, issuers
from backpack.models import Classroom, Enrolment, Role, User

CLASS_SIZE = 30


def badge_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (512, 512), (29, 78, 216)).save(buffer, "PNG")
    return buffer.getvalue()


def main(runs: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="backpack-bench-"))
    app = create_app({"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}"})
    with app.app_context():
        db.create_all()
        teacher = User(display_name="Teacher", role=Role.TEACHER.value)
        learners = [User(display_name=f"Learner {n} – Nguyễn", role=Role.LEARNER.value) for n in range(CLASS_SIZE)]
        classroom = Classroom(name="Benchmark class", teacher=teacher)
        db.session.add_all([teacher, classroom, *learners])
        db.session.add_all(Enrolment(classroom=classroom, learner=learner) for learner in learners)
        issuer = issuers.create_issuer("Benchmark School", members=[teacher])
        image = badge_png()
        db.session.commit()
        # Warm up: the first signature loads the JSON-LD contexts.
        warm = achievements.create_achievement(issuer, by=teacher, name="Warm-up", description="d", criteria="c", image_png=image)
        awarding.award(warm, learners[:1], by=teacher)
        db.session.commit()

        timings = []
        for run in range(runs):
            badge = achievements.create_achievement(
                issuer, by=teacher, name=f"Badge {run}", description="Speaks clearly.", criteria="Give a talk.", image_png=image
            )
            db.session.commit()
            started = time.perf_counter()
            outcome = awarding.award(badge, learners, by=teacher, note="Well done")
            db.session.commit()
            timings.append(time.perf_counter() - started)
            assert len(outcome.created) == CLASS_SIZE
    timings.sort()
    print(f"award to a class of {CLASS_SIZE}, {runs} runs (sign + store + commit, SQLite):")
    print(f"  median {statistics.median(timings) * 1000:.0f} ms, min {timings[0] * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms")
    print(f"  per credential (median) {statistics.median(timings) / CLASS_SIZE * 1000:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
