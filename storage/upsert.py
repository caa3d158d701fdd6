"""Atomic insert-if-missing for both databases: the one way storage creates a row that may already exist.

A read followed by an insert races: two requests both see nothing, both insert, and on
PostgreSQL the loser's whole transaction fails on the primary key (a member silently not
stored). `INSERT ... ON CONFLICT` lets the database settle it in one statement.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, SQLModel


def _insert(session: Session, model: type[SQLModel]):
    dialect = session.get_bind().dialect.name
    # Flushed first, so rows this session has only added so far are there to conflict with.
    session.flush()
    if dialect == "postgresql":
        return postgresql.insert(model.__table__)
    if dialect == "sqlite":
        return sqlite.insert(model.__table__)
    raise RuntimeError(f"no atomic upsert for the {dialect} database")


def _row(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    # Built through the model so its Python-side defaults (timestamps, states) are filled in.
    row = model(**values).model_dump()
    return {name: value for name, value in row.items() if value is not None or name in values}


def insert_missing(session: Session, model: type[SQLModel], keys: Iterable[str], values: dict[str, Any]) -> bool:
    """Insert the row unless one with the same `keys` exists; True when this call inserted it."""
    keys = list(keys)
    statement = (
        _insert(session, model).values(**_row(model, values))
        .on_conflict_do_nothing(index_elements=keys)
        # A row comes back only when this statement inserted one (rowcount isn't reliable here).
        .returning(model.__table__.c[keys[0]])
    )
    return session.exec(statement).first() is not None


def insert_or_update(session: Session, model: type[SQLModel], keys: Iterable[str], values: dict[str, Any],
                     update: Iterable[str]) -> None:
    """Insert the row, or set `update`'s columns on the one with the same `keys`, in one statement."""
    keys = list(keys)
    row = _row(model, values)
    statement = _insert(session, model).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in update})
    session.exec(statement)
    _forget_loaded(session, model, tuple(row[k] for k in keys))


def _forget_loaded(session: Session, model: type[SQLModel], key: tuple) -> None:
    # A copy loaded earlier in this session would still show the old values.
    loaded = session.identity_map.get(identity_key(model, key))
    if loaded is not None:
        session.expire(loaded)
