"""Benchmark: signing credentials, alone and as awards (sign + store + commit, SQLite).

Run: .venv/bin/python benchmarks/signing.py [sizes...]   (default 30 300 1000)
     .venv/bin/python benchmarks/signing.py --profile 300   (cProfile of one award, top 25)
Budget (DESIGN.md section 6): <= 2 ms per credential (sign + store); 1,000 learners <= 2 s;
no write lock held > 100 ms (measured from the first write to the commit).
Bounded in time: a size is skipped once the run has used TIME_LIMIT seconds.
"""
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from sqlalchemy import event

from backpack import create_app
from backpack.credentials import keys, openbadge, proof
from backpack.extensions import db
from backpack.issuing import achievements, awarding, issuers
from backpack.models import Role, User

TIME_LIMIT = 120.0
AWKWARD = 'Nguyễn «Lan» 安全焊接 "quoted" \\ tab\tline\nend'


def badge_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (29, 78, 216)).save(buffer, "PNG")
    return buffer.getvalue()


def sign_only(count: int) -> float:
    """Return seconds to build and sign count credentials in memory (no database)."""
    key = keys.generate_key()
    issuer = openbadge.Issuer(id=key.did, name="Benchmark School", url="https://school.example")
    achievement = openbadge.Achievement(
        id="urn:uuid:00000000-0000-4000-8000-000000000001", name="Speaking", description="Speaks clearly.",
        criteria="Give a talk.", image="https://school.example/badge.png", image_caption="Speaking",
        tags=("ESL",),
    )
    started = time.perf_counter()
    for number in range(count):
        unsigned = openbadge.build_credential(
            issuer=issuer, achievement=achievement, valid_from="2025-01-01T00:00:00Z",
            identifier=[{"type": "IdentityObject", "identityType": "name", "hashed": False,
                         "identityHash": f"{AWKWARD} {number}"}],
            evidence=[openbadge.Evidence(narrative="Well done")],
            status={"id": f"https://school.example/status/1#{number}", "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation", "statusListIndex": str(number),
                    "statusListCredential": "https://school.example/status/1"},
        )
        proof.sign(unsigned, key, key.verification_method)
    return time.perf_counter() - started


class School:
    """A throwaway app with one teacher, an issuer and learners on SQLite."""

    def __init__(self, learners: int):
        folder = Path(tempfile.mkdtemp(prefix="backpack-bench-"))
        self.app = create_app({"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}"})
        self.context = self.app.app_context()
        self.context.push()
        db.create_all()
        self.teacher = User(display_name="Teacher", role=Role.TEACHER.value)
        people = [User(display_name=f"Learner {n} – {AWKWARD}", role=Role.LEARNER.value) for n in range(learners)]
        db.session.add_all([self.teacher, *people])
        self.issuer = issuers.create_issuer("Benchmark School", members=[self.teacher])
        self.image = badge_png()
        db.session.commit()
        self.learners = [person.id for person in people]
        self.badges = 0
        self.write_started: float | None = None
        self.write_lock = 0.0
        event.listen(db.engine, "before_cursor_execute", self._before_execute)
        event.listen(db.engine, "commit", self._committed)

    def _before_execute(self, conn, cursor, statement, *args) -> None:
        """SQLite takes its write lock at the first write of a transaction."""
        if self.write_started is None and statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            self.write_started = time.perf_counter()

    def _committed(self, conn) -> None:
        if self.write_started is not None:
            self.write_lock = max(self.write_lock, time.perf_counter() - self.write_started)
            self.write_started = None

    def award(self, learner_ids: list[int]) -> float:
        """Award a new badge to the learners; return seconds for award + commit."""
        self.badges += 1
        badge = achievements.create_achievement(
            self.issuer, by=self.teacher, name=f"Badge {self.badges}", description="Speaks clearly.",
            criteria="Give a talk.", image_png=self.image,
        )
        db.session.commit()
        self.write_lock = 0.0
        started = time.perf_counter()
        # As the award view does: the chosen learners are read in one query, then awarded.
        learners = db.session.scalars(db.select(User).where(User.id.in_(learner_ids)).order_by(User.id)).all()
        outcome = awarding.award(badge, learners, by=self.teacher, note="Well done")
        db.session.commit()
        elapsed = time.perf_counter() - started
        assert len(outcome.created) == len(learner_ids)
        return elapsed

    def close(self) -> None:
        db.session.remove()
        db.engine.dispose()
        self.context.pop()


def main(sizes: list[int]) -> None:
    deadline = time.perf_counter() + TIME_LIMIT
    sign_only(5)  # warm: contexts loaded and processed once
    print("sign only (build + sign, in memory):")
    for size in sizes:
        if time.perf_counter() > deadline:
            print(f"  {size:>5}: skipped (time limit)")
            continue
        seconds = sign_only(size)
        print(f"  {size:>5} credentials: {seconds * 1000 / size:6.2f} ms per credential, {seconds:6.2f} s in all")
    school = School(max(sizes))
    try:
        school.award(school.learners[:1])  # warm
        print("award (sign + store + commit, SQLite):")
        for size in sizes:
            if time.perf_counter() > deadline:
                print(f"  {size:>5}: skipped (time limit)")
                continue
            seconds = school.award(school.learners[:size])
            print(
                f"  {size:>5} learners:    {seconds * 1000 / size:6.2f} ms per credential, {seconds:6.2f} s in all, "
                f"write lock held {school.write_lock * 1000:.0f} ms"
            )
    finally:
        school.close()


def profile(size: int) -> None:
    """Print where one award to size learners spends its time."""
    school = School(size)
    try:
        school.award(school.learners[:1])
        profiler = cProfile.Profile()
        profiler.enable()
        school.award(school.learners[:size])
        profiler.disable()
    finally:
        school.close()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--profile"]:
        profile(int(arguments[1]) if len(arguments) > 1 else 300)
    else:
        main([int(size) for size in arguments] or [30, 300, 1000])
