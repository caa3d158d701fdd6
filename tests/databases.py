"""Fresh databases for tests, migrated once per run and copied for each test.

Running the migrations costs about half a second to a second and a half per database, and most
tests want a database at the newest schema. So each run migrates one template per database and
every test gets a copy: on SQLite a copy of the file; on PostgreSQL a schema of its own, built by
replaying the statements the migrations sent while they built the template (so it is exactly
what they make). A test of the migrations themselves asks for an empty database instead.

Measured on the 2-core development machine, under load: migrating a PostgreSQL schema 0.5 to
0.9 s, replaying into a new schema 0.25 to 0.4 s (the server's own work on ~45 DDL statements),
CREATE DATABASE … TEMPLATE 0.06 s but every DROP DATABASE then waits on every backend of the
shared server (0.1 s to, once, 53 s) and WAL-logs a whole database copy, so schemas it is.
"""

from __future__ import annotations

import queue
import shutil
import threading
import uuid
from pathlib import Path

from sqlalchemy import create_engine, event, text

from storage.db import make_engine, upgrade


def sqlite_template(folder: Path) -> Path:
    """A SQLite file at the newest schema, to copy."""
    path = folder / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closing folds the WAL back into the file
    return path


def sqlite_copy(template: Path, folder: Path) -> str:
    target = folder / "unmentor.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def schema_url(base: str, schema: str) -> str:
    # synchronous_commit=off: a commit returns before its WAL record reaches the disk (others see
    # it at once all the same; only a crash of the server itself could lose it). A test database
    # is thrown away, and a commit then costs 1.5-2 ms here rather than 4-5 ms.
    return f"{base}?options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


class PostgresSchemas:
    """Makes (and drops) a schema per test: empty, or at the newest schema by replaying the migrations."""

    def __init__(self, base: str):
        self.base = base
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT")
        self.writer = create_engine(base)
        self._migration: list[tuple[str, object, bool]] | None = None
        # A helper thread builds the next test's schema, and drops the last one, while a test
        # runs (most tests spend their time waiting on something else).
        self._work: queue.Queue = queue.Queue()
        self._ready: queue.Queue = queue.Queue()
        self._helper: threading.Thread | None = None

    def _record_migration(self) -> list[tuple[str, object, bool]]:
        scratch = self.create()
        engine = make_engine(schema_url(self.base, scratch))
        sent = []

        @event.listens_for(engine, "before_cursor_execute")
        def record(_connection, _cursor, statement, parameters, _context, executemany):
            sent.append((statement, parameters, executemany))

        try:
            upgrade(engine)
        finally:
            engine.dispose()
            self.drop(scratch)
        # Reads (alembic looking at the catalogue, or at rows there are none of yet) change nothing.
        return [s for s in sent if not s[0].lstrip().upper().startswith("SELECT")]

    def create(self, migrated: bool = False) -> str:
        schema = "t_" + uuid.uuid4().hex[:12]
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        if migrated:
            self._replay_into(schema)
        return schema

    def _replay_into(self, schema: str) -> None:
        with self.writer.begin() as connection:
            # SET LOCAL holds only inside a transaction (so not on the autocommit admin engine);
            # checked, so the replay can never land in another schema.
            connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
            assert connection.exec_driver_sql("SELECT current_schema()").scalar() == schema
            cursor = connection.connection.driver_connection.cursor()
            for statement, parameters, many in self._migration:
                if many:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters or None)

    def migrated(self) -> str:
        """A schema of its own at the newest schema (the one after it is already being built)."""
        if self._helper is None:
            self._migration = self._record_migration()
            self._helper = threading.Thread(target=self._help, name="test-schemas", daemon=True)
            self._helper.start()
            self._work.put("build")
        self._work.put("build")
        made = self._ready.get(timeout=120)
        if isinstance(made, BaseException):
            raise made
        return made

    def drop_later(self, schema: str) -> None:
        if self._helper is None:
            self.drop(schema)
        else:
            self._work.put(("drop", schema))

    def _help(self) -> None:
        while (job := self._work.get()) != "stop":
            try:
                if job == "build":
                    self._ready.put(self.create(migrated=True))
                else:
                    self.drop(job[1])
            except BaseException as error:  # the test waiting for a schema sees why there's none
                if job == "build":
                    self._ready.put(error)

    def drop(self, schema: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    def dispose(self) -> None:
        if self._helper is not None:
            self._work.put("stop")
            self._helper.join(timeout=60)
            while not self._ready.empty():
                made = self._ready.get()
                if isinstance(made, str):
                    self.drop(made)
        self.admin.dispose()
        self.writer.dispose()
