"""The database dropping out mid-round, for tests: PostgreSQL backends terminated from a side
connection, or SQLite answering "database is locked", every so often while a test runs.

    with database_blips(engine, every=0.05) as blips:
        ...  # work that must lose nothing
    assert blips.count  # it really was interrupted

On PostgreSQL only this engine's own connections are terminated (their backend pids are noted
as they connect), so tests running side by side in other schemas are never touched.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine


class Blips:
    def __init__(self):
        self.count = 0
        self.stop = threading.Event()


@contextmanager
def database_blips(engine: Engine, every: float = 0.05):
    blips = Blips()
    if engine.dialect.name == "postgresql":
        with _terminating_backends(engine, every, blips):
            yield blips
    else:
        with _sqlite_locked(engine, every, blips):
            yield blips


@contextmanager
def _terminating_backends(engine: Engine, every: float, blips: Blips):
    pids: set[int] = set()
    lock = threading.Lock()

    def note_pid(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        with lock:
            pids.add(cursor.fetchone()[0])
        cursor.close()

    engine.dispose()  # every connection from now on is a new one, whose pid is noted
    event.listen(engine, "connect", note_pid)
    side = create_engine(engine.url.set(query={}), isolation_level="AUTOCOMMIT")

    def terminate():
        with side.connect() as connection:
            # The first strike as soon as a connection is open (see _sqlite_locked), then every `every`.
            while not blips.stop.wait(every if blips.count else min(every, 0.02)):
                with lock:
                    targets = sorted(pids)
                for pid in targets:
                    if connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar():
                        blips.count += 1
                with lock:
                    pids.difference_update(targets)

    killer = threading.Thread(target=terminate, daemon=True)
    killer.start()
    try:
        yield
    finally:
        blips.stop.set()
        killer.join(5)
        event.remove(engine, "connect", note_pid)
        side.dispose()
        engine.dispose()


@contextmanager
def _sqlite_locked(engine: Engine, every: float, blips: Blips):
    due = threading.Event()
    since_last = [0]  # statements run since the last one failed

    def maybe_fail(_connection, _cursor, statement, _parameters, _context, _many):
        if statement.startswith(("PRAGMA", "BEGIN", "ROLLBACK")):
            return
        if due.is_set():
            due.clear()
            since_last[0] = 0
            blips.count += 1
            raise sqlite3.OperationalError("database is locked")
        since_last[0] += 1

    event.listen(engine, "before_cursor_execute", maybe_fail)
    # The first strike comes with the first statement, not a whole `every` later: a quick machine can
    # deliver a small round in less than that, and the test would then see no blip at all.
    due.set()

    def tick():
        # As a terminated backend does: whatever runs when it strikes fails; whoever comes after it,
        # on a fresh connection, gets at least a statement in before the next strike.
        while not blips.stop.wait(every):
            if since_last[0]:
                due.set()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        blips.stop.set()
        ticker.join(5)
        event.remove(engine, "before_cursor_execute", maybe_fail)
