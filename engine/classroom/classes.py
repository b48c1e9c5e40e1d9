"""ClassStore: start a class, drive it from one tab, follow it, poll it. Times are time.time() seconds.

Every method is one short transaction, so any server process (or machine) can serve any request of a class.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.classroom import codes
from engine.classroom.schema import answers, classes, connect, database_url, join_failures, members, polls

LIFETIME_S = 4 * 3600  # a code works for one lecture (and a margin), then expires
AWAY_S = 90  # no sign of life from the driving tab for this long: the class is paused (a browser may slow a
# hidden tab's timers to one a minute, e.g. while the instructor shows slides: that is not a closed laptop)
WRONG_CODES_MAX, WRONG_CODES_WINDOW_S = 100, 600  # an address (a classroom behind NAT is one) that typed this many waits


@dataclass(frozen=True)
class Started:
    code: str
    secret: str  # stays in the instructor's tab; the store keeps its hash


@dataclass(frozen=True)
class ClassState:
    """What a follower needs: where the instructor is, whether they are there, and the open poll."""
    code: str
    seq: int
    position: dict
    paused: bool  # the driving tab has been silent for AWAY_S (a closed laptop)
    ended: bool  # ended by the instructor, or expired
    poll: int | None  # the newest poll's id
    revealed: bool  # whether its answer is revealed

    @property
    def signal(self):
        """What changes when followers must redraw."""
        return self.seq, self.paused, self.ended, self.poll, self.revealed


class ClassStore:
    def __init__(self, url: str):
        self.db = connect(url)

    @classmethod
    def from_env(cls):
        return cls(database_url())

    # ---- the instructor -------------------------------------------------------------------------

    def start(self, driver: str, now: float) -> Started:
        """A new class with a fresh code; `driver` (the tab's session id) drives it."""
        secret = codes.new_secret()
        with self.db.begin() as db:
            db.execute(delete(classes).where(classes.c.expires < now))
            while True:
                code = codes.new_code()
                if db.execute(select(classes.c.code).where(classes.c.code == code)).first() is None:
                    break
            db.execute(insert(classes).values(code=code, secret_hash=codes.secret_hash(secret), created=now,
                                              expires=now + LIFETIME_S, driver=driver, heartbeat=now, seq=0,
                                              position="{}", ended=False))
        return Started(code, secret)

    def claim(self, code: str, secret: str, driver: str, now: float) -> bool:
        """The tab holding `secret` drives the class from now on (a reloaded tab, or the instructor's other tab)."""
        with self.db.begin() as db:
            row = db.execute(select(classes.c.secret_hash).where(
                classes.c.code == code, classes.c.expires > now, classes.c.ended.is_(False))).first()
            if row is None or not codes.secret_matches(secret, row.secret_hash):
                return False
            db.execute(update(classes).where(classes.c.code == code).values(driver=driver, heartbeat=now))
        return True

    def drives(self, code: str, driver: str) -> bool:
        with self.db.connect() as db:
            return db.execute(select(classes.c.code).where(
                classes.c.code == code, classes.c.driver == driver)).first() is not None

    def publish(self, code: str, driver: str, position: dict, now: float) -> bool:
        """Move the class to `position` (when it differs) and note the driver's sign of life; False if
        `driver` no longer drives the class (another tab took it over) or the class has ended."""
        text = json.dumps(position, sort_keys=True)
        mine = and_(classes.c.code == code, classes.c.driver == driver, classes.c.ended.is_(False))
        with self.db.begin() as db:
            moved = db.execute(update(classes).where(mine, classes.c.position != text).values(
                position=text, seq=classes.c.seq + 1, heartbeat=now)).rowcount
            if not moved:
                moved = db.execute(update(classes).where(mine).values(heartbeat=now)).rowcount
        return bool(moved)

    def end(self, code: str, driver: str) -> None:
        with self.db.begin() as db:
            db.execute(update(classes).where(classes.c.code == code, classes.c.driver == driver).values(
                ended=True, seq=classes.c.seq + 1))

    # ---- students ---------------------------------------------------------------------------------

    def may_try_code(self, client: str, now: float) -> bool:
        """False once `client` typed WRONG_CODES_MAX wrong codes in the last WRONG_CODES_WINDOW_S seconds."""
        with self.db.begin() as db:
            db.execute(delete(join_failures).where(join_failures.c.at < now - WRONG_CODES_WINDOW_S))
            wrong = db.execute(select(func.count()).select_from(join_failures).where(
                join_failures.c.client == client)).scalar_one()
        return wrong < WRONG_CODES_MAX

    def join(self, code: str, student: str, client: str, now: float) -> bool:
        """Add `student` to the class; False (and counted against `client`) for an unknown or expired code."""
        with self.db.begin() as db:
            live = db.execute(select(classes.c.code).where(
                classes.c.code == code, classes.c.expires > now, classes.c.ended.is_(False))).first()
            if live is None:
                db.execute(insert(join_failures).values(client=client[:64], at=now))
                return False
            exists = db.execute(select(members.c.student).where(
                members.c.code == code, members.c.student == student)).first()
            if exists is None:
                db.execute(insert(members).values(code=code, student=student, joined=now))
        return True

    def state(self, code: str, now: float) -> ClassState | None:
        """The class as a follower sees it; None for a code that never existed or was cleaned away."""
        with self.db.connect() as db:
            row = db.execute(select(classes).where(classes.c.code == code)).first()
            if row is None:
                return None
            poll = db.execute(select(polls.c.id, polls.c.revealed).where(polls.c.code == code)
                              .order_by(polls.c.id.desc()).limit(1)).first()
        return ClassState(code, row.seq, json.loads(row.position), now - row.heartbeat > AWAY_S,
                          row.ended or row.expires <= now, poll.id if poll else None, bool(poll and poll.revealed))

    def signals(self, codes_: list[str], now: float) -> dict[str, tuple]:
        """ClassState.signal of each class in `codes_` in one query (what the server watches for followers)."""
        if not codes_:
            return {}
        newest = (select(polls.c.code, func.max(polls.c.id).label("poll")).where(polls.c.code.in_(codes_))
                  .group_by(polls.c.code).subquery())
        query = (select(classes.c.code, classes.c.seq, classes.c.heartbeat, classes.c.ended, classes.c.expires,
                        newest.c.poll, polls.c.revealed)
                 .where(classes.c.code.in_(codes_))
                 .join_from(classes, newest, newest.c.code == classes.c.code, isouter=True)
                 .join(polls, polls.c.id == newest.c.poll, isouter=True))
        with self.db.connect() as db:
            rows = db.execute(query).all()
        return {r.code: (r.seq, now - r.heartbeat > AWAY_S, r.ended or r.expires <= now, r.poll, bool(r.revealed))
                for r in rows}

    def leave(self, code: str, student: str) -> None:
        """`student` left the class (their answers stay in the poll history)."""
        with self.db.begin() as db:
            db.execute(delete(members).where(members.c.code == code, members.c.student == student))

    def members(self, code: str, poll_id: int | None = None) -> int:
        """How many students are in the class now (each tab once, however often it joined); with `poll_id`, also
        those who answered that poll and left since (so "answered of joined" never reads 3 of 2)."""
        in_class = select(members.c.student).where(members.c.code == code)
        if poll_id is not None:
            in_class = in_class.union(select(answers.c.student).where(answers.c.poll == poll_id))
        with self.db.connect() as db:
            return db.execute(select(func.count()).select_from(in_class.subquery())).scalar_one()

    # ---- polls --------------------------------------------------------------------------------------

    def open_poll(self, code: str, driver: str, lesson: str, question: dict, now: float) -> int | None:
        """Send `question` (JSON-able: the same numbers for everyone) to the class; None if `driver` does not drive it."""
        with self.db.begin() as db:
            if db.execute(select(classes.c.code).where(classes.c.code == code, classes.c.driver == driver,
                                                       classes.c.ended.is_(False))).first() is None:
                return None
            return db.execute(insert(polls).values(code=code, lesson=lesson, question=json.dumps(question),
                                                   opened=now, revealed=False)).inserted_primary_key[0]

    def poll(self, poll_id: int) -> dict | None:
        with self.db.connect() as db:
            row = db.execute(select(polls).where(polls.c.id == poll_id)).first()
        return None if row is None else {"id": row.id, "code": row.code, "lesson": row.lesson,
                                         "question": json.loads(row.question), "revealed": row.revealed}

    def answer(self, poll_id: int, student: str, value: float, text: str, now: float) -> bool:
        """Record `student`'s answer; False when they had already answered (their first answer counts)."""
        try:
            with self.db.begin() as db:
                db.execute(insert(answers).values(poll=poll_id, student=student, value=float(value),
                                                  text=text[:40], at=now))
        except IntegrityError:
            return False
        return True

    def answer_of(self, poll_id: int, student: str) -> str | None:
        with self.db.connect() as db:
            return db.execute(select(answers.c.text).where(answers.c.poll == poll_id,
                                                           answers.c.student == student)).scalar_one_or_none()

    def tally(self, poll_id: int) -> dict[float, int]:
        """How many students gave each answer value."""
        with self.db.connect() as db:
            rows = db.execute(select(answers.c.value, func.count()).where(answers.c.poll == poll_id)
                              .group_by(answers.c.value)).all()
        return {value: n for value, n in rows}

    def reveal(self, poll_id: int, code: str, driver: str) -> bool:
        with self.db.begin() as db:
            if db.execute(select(classes.c.code).where(classes.c.code == code,
                                                       classes.c.driver == driver)).first() is None:
                return False
            db.execute(update(polls).where(polls.c.id == poll_id, polls.c.code == code).values(revealed=True))
        return True

    def history(self, code: str) -> list[dict]:
        """Every poll of the class with its answers (for the instructor's CSV)."""
        query = (select(polls.c.id, polls.c.lesson, polls.c.question, polls.c.opened, answers.c.text,
                        answers.c.value, answers.c.at)
                 .join_from(polls, answers, answers.c.poll == polls.c.id, isouter=True)
                 .where(polls.c.code == code).order_by(polls.c.id, answers.c.at))
        with self.db.connect() as db:
            rows = db.execute(query).all()
        asked = {r.id: json.loads(r.question) for r in rows}  # each poll's question, parsed once
        return [{"poll": r.id, "lesson": r.lesson, "prompt": asked[r.id].get("prompt", ""),
                 "correct": asked[r.id].get("answer"), "opened": r.opened, "answer": r.text,
                 "value": r.value, "answered": r.at} for r in rows]
