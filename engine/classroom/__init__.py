"""A live class in a store every server process shares: classes, the instructor's position, polls, answers.

    from engine.classroom import ClassStore
    store = ClassStore.from_env()          # SQLite under CONVLAB_DATA_DIR, or PostgreSQL by CONVLAB_DB_URL
    started = store.start(driver, now)     # .code for the projector, .secret for the instructor's tab only
"""
from engine.classroom.classes import ClassState, ClassStore, Started
from engine.classroom.codes import CODE_LENGTH, normalise_code

__all__ = ["ClassStore", "ClassState", "Started", "CODE_LENGTH", "normalise_code"]
