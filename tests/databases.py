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

A migrated schema a test is done with is emptied (one TRUNCATE … RESTART IDENTITY, about a third
of the server's work of a replay and a drop) and handed to a later test, but only once the
catalogue shows it is exactly what the migrations make, with no row left and every sequence back
at its start; anything else is dropped, as before. A test of the migrations always gets a new,
empty schema.
"""

from __future__ import annotations

import queue
import shutil
import threading
import uuid
from pathlib import Path

from sqlalchemy import create_engine, event, text

from storage.db import make_engine, upgrade


def sqlite_commits_unsynced() -> None:
    """SQLite in this test process commits without waiting for the disk (PRAGMA synchronous=NORMAL,
    SQLite's own advice for WAL mode), as the PostgreSQL schemas do (synchronous_commit=off, below).

    With the default (FULL) every commit waits for an fsync of the write-ahead log: 3 ms here, and
    a SQLite test commits dozens of times. Only a crash of the machine itself could lose a commit
    that returned; a process killed mid-write loses nothing either way, and readers see the same
    rows at the same moments. Processes a test starts keep the bot's own settings."""
    import sqlite3

    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _unsynced(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")


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
        # What a freshly migrated schema looks like in the catalogue, and its tables.
        self._shape: list | None = None
        self._tables: list[str] = []
        self._head: str | None = None
        self._clean: list[str] = []  # emptied and checked, for the next test
        self._migrated: set[str] = set()

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
            self._migrated.add(schema)
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
            self._learn_shape()
            self._helper = threading.Thread(target=self._help, name="test-schemas", daemon=True)
            self._helper.start()
            self._work.put("build")
        self._work.put("build")
        made = self._ready.get(timeout=120)
        if isinstance(made, BaseException):
            raise made
        return made

    def drop_later(self, schema: str) -> None:
        """Done with: emptied for a later test when it was a migrated one, else dropped."""
        if self._helper is None:
            self.drop(schema)
        elif schema in self._migrated and self._shape is not None:
            self._work.put(("reuse", schema))
        else:
            self._work.put(("drop", schema))

    def _learn_shape(self) -> None:
        sample = self.create(migrated=True)
        try:
            with self.admin.connect() as connection:
                self._shape = _catalogue(connection, sample)
                self._tables = [row[0] for row in connection.execute(text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') ORDER BY 1"), {"schema": sample})]
                self._head = connection.execute(
                    text(f'SELECT version_num FROM "{sample}".alembic_version')).scalar_one()
                filled = [t for t in self._tables if t != "alembic_version" and connection.execute(
                    text(f'SELECT EXISTS (SELECT FROM "{sample}"."{t}")')).scalar()]
        finally:
            self._migrated.discard(sample)
            self.drop(sample)
        if filled or "alembic_version" not in self._tables:
            # The migrations left rows a TRUNCATE would lose: every test gets a new schema.
            self._shape = None

    def _empty(self, schema: str) -> bool:
        """Empties a migrated schema; True when it is then known to be as the migrations make it.

        DELETE rather than TRUNCATE: these tables hold a few rows, and a TRUNCATE makes new files
        for every table and index (0.1-0.3 s here, more than a replay); the DELETEs take 0.03 s."""
        deletes = "; ".join(f'DELETE FROM "{schema}"."{t}"' for t in self._tables if t != "alembic_version")
        try:
            with self.writer.begin() as connection:
                # A connection a test left open in a transaction could hold a lock: don't wait on it.
                connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                if _catalogue(connection, schema) != self._shape:
                    return False
                # Every row goes, so the foreign keys' order needn't be followed (needs a superuser,
                # as the test database's is; without one the schema is dropped instead).
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
                connection.exec_driver_sql(deletes)
                # Every sequence back to its start, in one statement.
                connection.execute(text(f"SELECT count(setval(q.objid, q.seqstart, false)) FROM ({_SEQUENCES}) q"),
                                   {"schema": schema})
                connection.exec_driver_sql("SET LOCAL session_replication_role = DEFAULT")
                return self._is_clean(connection, schema)
        except Exception:
            return False

    def _reused(self) -> str | None:
        """An emptied schema, checked again as it is handed out (nothing wrote to it since)."""
        while self._clean:
            schema = self._clean.pop()
            try:
                with self.admin.connect() as connection:
                    if self._is_clean(connection, schema):
                        return schema
            except Exception:
                pass
            self._migrated.discard(schema)
            self.drop(schema)
        return None

    def _is_clean(self, connection, schema: str) -> bool:
        """No row but alembic_version's (at the head), and every sequence before its first value
        (one statement: it runs twice for every test on PostgreSQL)."""
        rows = " OR ".join(f'EXISTS (SELECT FROM "{schema}"."{t}")' for t in self._tables if t != "alembic_version")
        versions, filled, sequences, used = connection.execute(text(
            f'SELECT (SELECT array_agg(version_num) FROM "{schema}".alembic_version), {rows or "false"}, '
            # Read in the select list, so only ever of a sequence (a WHERE may be tried on any relation).
            f"q.sequences, q.used FROM (SELECT count(*) AS sequences, count(pg_sequence_last_value(s.objid)) AS used "
            f"FROM ({_SEQUENCES}) s) q"), {"schema": schema}).one()
        return versions == [self._head] and not filled and sequences > 0 and used == 0

    def _help(self) -> None:
        while (job := self._work.get()) != "stop":
            try:
                if job == "build":
                    self._ready.put(self._reused() or self.create(migrated=True))
                elif job[0] == "reuse" and self._empty(job[1]):
                    self._clean.append(job[1])
                else:
                    self._migrated.discard(job[1])
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
            for schema in self._clean:
                self.drop(schema)
        self.admin.dispose()
        self.writer.dispose()


# Found through pg_depend and the catalogues' own indexes: pg_class is scanned by nothing here,
# since on a server that has made and dropped thousands of schemas a scan of it takes 50-200 ms.
_SEQUENCES = """
SELECT d.objid::regclass AS objid, q.seqstart FROM pg_depend d JOIN pg_sequence q ON q.seqrelid = d.objid
WHERE d.refclassid = 'pg_namespace'::regclass AND d.classid = 'pg_class'::regclass
  AND d.refobjid = (SELECT oid FROM pg_namespace WHERE nspname = :schema)
"""

_CATALOGUE = """
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = :schema),
owned AS (
  SELECT d.classid, d.objid FROM pg_depend d, ns
  WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = ns.oid),
rels AS (SELECT objid AS oid FROM owned WHERE classid = 'pg_class'::regclass)
SELECT 'object', pg_describe_object(o.classid, o.objid, 0), '', '' FROM owned o
UNION ALL
SELECT 'column', r.oid::regclass::text || '.' || a.attname, format_type(a.atttypid, a.atttypmod),
       a.attnotnull::text || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '')
  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
UNION ALL
SELECT 'constraint', r.oid::regclass::text || '.' || k.conname, k.contype::text, pg_get_constraintdef(k.oid)
  FROM rels r JOIN pg_constraint k ON k.conrelid = r.oid
UNION ALL
SELECT 'index', r.oid::regclass::text, '', pg_get_indexdef(i.indexrelid)
  FROM rels r JOIN pg_index i ON i.indrelid = r.oid
UNION ALL
SELECT 'trigger', r.oid::regclass::text || '.' || t.tgname, '', '' FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid
  WHERE NOT t.tgisinternal
ORDER BY 1, 2, 3, 4
"""


def _catalogue(connection, schema: str) -> list:
    """Everything in a schema a test could change beyond its rows: its objects (relations,
    sequences, types, functions), columns and their defaults, constraints, indexes and triggers,
    with the schema's own name taken out."""
    shape = connection.execute(text(_CATALOGUE), {"schema": schema}).all()
    return [tuple(str(part).replace(f'"{schema}".', "").replace(f"{schema}.", "") for part in row) for row in shape]
