"""Database engines, sessions and migrations for SQLite (the default) and PostgreSQL."""

from __future__ import annotations

import logging
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session, create_engine

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_URL = "sqlite:///unmentor.db"


def normalise_url(url: str | None) -> str:
    """The SQLAlchemy URL for a DATABASE_URL, as hosting platforms spell it."""
    if not url:
        return DEFAULT_URL
    # Heroku-style URLs name no driver; psycopg 3 is the one we ship.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str | None = None) -> Engine:
    # hide_parameters: a failed statement's error (logged with log.exception) would otherwise
    # carry its bound values, i.e. members' Slack IDs and what they wrote, into the log.
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Python's sqlite3 starts transactions late and its own way, which turns a SAVEPOINT
            # into the outer transaction; take over, as SQLAlchemy's SQLite docs recommend
            # ("Serializable isolation / Savepoints / Transactional DDL").
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten, not just unlinked: a member who leaves must not stay
            # readable in free pages. (Debian's SQLite defaults to this; python.org's and macOS's don't.)
            cursor.execute("PRAGMA secure_delete=ON")
            # WAL lets the web process read while the clock process writes.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # IMMEDIATE takes the write lock up front, so two writers queue (busy timeout)
            # instead of one failing on a stale snapshot halfway through. Reads that must
            # answer Slack quickly (read_scope) don't queue behind a long writer: in WAL mode
            # a deferred transaction reads the last committed state at once.
            if connection.get_execution_options().get("unmentor_read_only"):
                connection.exec_driver_sql("BEGIN")
            else:
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True)

    @event.listens_for(engine, "handle_error")
    def _without_detail(context):
        # PostgreSQL's DETAIL line repeats the row's values ("Key (team_id, slack_user_id)=(T1, U…)
        # already exists"); the logged error keeps what failed and where, not whose.
        for error in (context.original_exception, context.sqlalchemy_exception):
            if error is not None and error.args and isinstance(error.args[0], str):
                kept = [line for line in error.args[0].splitlines() if not line.startswith("DETAIL:")]
                error.args = ("\n".join(kept), *error.args[1:])

    return engine


def checkpoint(engine: Engine) -> None:
    """SQLite: copy the write-ahead log into the database and empty it.

    Until then the WAL file holds every changed page as it was, deleted text included.
    """
    if engine.dialect.name != "sqlite":
        return
    # Outside any transaction (a checkpoint can't run inside one), so on the raw connection.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    except Exception as error:  # the erasure itself is committed; say so rather than fail it
        busy = error.__class__.__name__
    finally:
        raw.close()
    if busy:
        logging.getLogger("unmentor").warning("SQLite couldn't empty its log yet (%s); the next checkpoint will", busy)


@event.listens_for(Session, "after_commit")
def _checkpoint_after_erasure(session: Session) -> None:
    # storage.members.forget_member marks the session; erasing is rare, so this costs nothing.
    engine = session.info.pop("erased", None)
    if engine is not None:
        checkpoint(engine)


@event.listens_for(Session, "after_rollback")
def _nothing_erased_after_all(session: Session) -> None:
    session.info.pop("erased", None)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def dropped(error: BaseException) -> bool:
    """A database error that says nothing about our rows, only that the database was briefly out of
    reach: a connection dropped (a restart, a failover, a backend terminated), SQLite busy. Trying
    the same work again is right; recording it as a failure of a send would be wrong."""
    return isinstance(error, (OperationalError, InterfaceError)) or (
        isinstance(error, DBAPIError) and error.connection_invalidated)


T = TypeVar("T")
# Up to about three seconds in all: a failover takes longer, and then the next pass tries again.
RETRY_WAITS = (0.05, 0.2, 0.5, 1.0, 1.5)


def retried(engine: Engine, work: Callable[[Session], T]) -> T:
    """`work` in a transaction of its own, run again while the database is briefly out of reach.
    Only for work that may safely run twice (a read, or an update to the same values)."""
    for wait in (*RETRY_WAITS, None):
        try:
            with session_scope(engine) as session:
                return work(session)
        except Exception as error:
            if wait is None or not dropped(error):
                raise
            time.sleep(wait)
    raise AssertionError("unreachable")


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A session for reading only: on SQLite it never waits for a writer (nothing it does is saved)."""
    with Session(engine.execution_options(unmentor_read_only=True), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def ping(engine: Engine) -> None:
    """Raises when the database can't be reached (for the health check)."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")


def alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision`, keeping every row."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def at_head(engine: Engine) -> bool:
    """Whether the schema is already at the newest migration, asked cheaply: every start of
    `unmentor` asks, and most find nothing to do. The newest migration is read from the scripts'
    own `revision`/`down_revision` lines and the database's from alembic_version, so a start with
    nothing to migrate never loads Alembic (0.1-0.2 s of a start of about a second). Anything
    unexpected (no such table, an odd script, more than one head) answers False, and the full
    upgrade then runs as before."""
    head = script_head()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            stored = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except DBAPIError:
        return False
    return stored == [head]


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(None|'[^']*'|\"[^\"]*\")\s*$", re.MULTILINE)


def script_head() -> str | None:
    """The newest migration's revision, from the scripts' text; None if they form no single line."""
    revisions: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = dict(_REVISION_LINE.findall(script.read_text(encoding="utf-8")))
        if script.name == "__init__.py" and not found:
            continue
        if "revision" not in found or "down_revision" not in found or found["revision"] == "None":
            return None
        down = None if found["down_revision"] == "None" else found["down_revision"][1:-1]
        revisions[found["revision"][1:-1]] = down
    heads = set(revisions) - set(revisions.values())
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
