"""The store's tables (SQLAlchemy Core) and its connection: SQLite by default, PostgreSQL by URL.

    CONVLAB_DB_URL    e.g. postgresql+psycopg://convlab@db.example/convlab (a class served from several machines)
    CONVLAB_DATA_DIR  where the default SQLite file lives (default: <repo>/.data); WAL mode, so several
                      processes on one machine read while one writes
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from sqlalchemy import (Boolean, Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, create_engine,
                        event)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parents[2]
metadata = MetaData()

classes = Table(
    "live_classes", metadata,
    Column("code", String(8), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Column("driver", String(64), nullable=False),  # the tab that drives the class (a browser session's id)
    Column("heartbeat", Float, nullable=False),  # the driver's last sign of life (time.time())
    Column("seq", Integer, nullable=False, default=0),  # +1 whenever the position changes
    Column("position", Text, nullable=False, default="{}"),  # JSON: lesson path, widget values, demo step
    Column("ended", Boolean, nullable=False, default=False),
)
members = Table(
    "live_members", metadata,
    Column("code", String(8), ForeignKey("live_classes.code", ondelete="CASCADE"), primary_key=True),
    Column("student", String(64), primary_key=True),  # a random token per browser tab, no personal data
    Column("joined", Float, nullable=False),
)
polls = Table(
    "live_polls", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(8), ForeignKey("live_classes.code", ondelete="CASCADE"), nullable=False, index=True),
    Column("lesson", String(64), nullable=False),
    Column("question", Text, nullable=False),  # JSON: lesson slug, question index, seed, prompt, answer
    Column("opened", Float, nullable=False),
    Column("revealed", Boolean, nullable=False, default=False),
)
answers = Table(
    "live_answers", metadata,
    Column("poll", Integer, ForeignKey("live_polls.id", ondelete="CASCADE"), primary_key=True),
    Column("student", String(64), primary_key=True),
    Column("value", Float, nullable=False),
    Column("text", String(40), nullable=False),
    Column("at", Float, nullable=False),
)
join_failures = Table(
    "live_join_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", String(64), nullable=False, index=True),
    Column("at", Float, nullable=False),
)


def database_url(environ=os.environ) -> str:
    """CONVLAB_DB_URL if set, else a SQLite file under CONVLAB_DATA_DIR (created if missing)."""
    url = environ.get("CONVLAB_DB_URL", "").strip()
    if url:
        return url
    folder = Path(environ.get("CONVLAB_DATA_DIR") or ROOT / ".data")
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'convlab.sqlite'}"


@functools.cache
def connect(url: str) -> Engine:
    """One engine (connection pool) per URL and process, with the tables created if missing."""
    sqlite = url.startswith("sqlite")
    db = create_engine(url, pool_pre_ping=not sqlite,
                       connect_args={"timeout": 10, "check_same_thread": False} if sqlite else {})
    if sqlite:
        @event.listens_for(db, "connect")
        def _pragmas(connection, _record):
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
    try:
        metadata.create_all(db)
    except DBAPIError:  # another process created the tables between the check and the CREATE
        metadata.create_all(db)
    return db
