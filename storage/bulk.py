"""Inserting thousands of rows at once (a round's groups and intros) on both databases.

Opening a round of 10,000 members writes 5,000 groups, 10,000 memberships and 5,000 intros.
Written as multi-row VALUES, each row's every column is a bound parameter that SQLAlchemy
compiles and the driver parses again, which costs seconds of CPU. So on PostgreSQL each
column travels as one array and `unnest` turns the arrays back into rows: one short
statement whatever the count. SQLite's driver runs an executemany in C, which is as quick.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import any_, bindparam, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]],
                skip_existing: list[str] | None = None) -> int:
    """Insert `rows` (dicts that all name the same columns), in order; returns how many went in.

    With `skip_existing`, a row whose values in those columns (a unique key) match a row
    already stored, or one earlier in `rows`, is left out rather than failing the transaction.
    """
    if not rows:
        return 0
    table = model.__table__
    # Flushed first, so rows this session has only added so far are there to refer to or conflict with.
    session.flush()
    if session.get_bind().dialect.name != "postgresql":
        statement = sqlite.insert(table)
        if skip_existing:
            statement = statement.on_conflict_do_nothing(index_elements=skip_existing)
        # sqlite3 runs the rows one by one in order, and sums what each changed: a skipped row adds none.
        return session.execute(statement, rows).rowcount
    if "id" in table.c and "id" not in rows[0] and len(rows) > 1:
        # Numbered here, so the ids follow the rows' order (delivery goes by id) whatever
        # order the database happens to insert them in; a skipped row leaves a gap, as ever.
        # (One row, the most common, has no order to keep: its column default numbers it, from
        # the same sequence, a round trip sooner; a skipped one still leaves its gap.)
        rows = [{"id": id_, **row} for id_, row in zip(_take_ids(session, table, len(rows)), rows)]
    statement = postgresql.insert(table).from_select(list(rows[0]), _unnest(table, rows))
    if not skip_existing:
        session.execute(statement)
        return len(rows)
    # RETURNING counts what went in (psycopg reports no useful rowcount for this).
    statement = statement.on_conflict_do_nothing(index_elements=skip_existing).returning(table.c[skip_existing[0]])
    return len(session.execute(statement).all())


def insert_rows_returning_ids(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` into a table whose integer `id` the database numbers; their new ids, in order."""
    if not rows:
        return []
    table = model.__table__
    session.flush()
    if session.get_bind().dialect.name != "postgresql":
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.execute(statement, rows).scalars())
    ids = _take_ids(session, table, len(rows))
    insert_rows(session, model, [{"id": id_, **row} for id_, row in zip(ids, rows)])
    return ids


def _take_ids(session: Session, table, count: int) -> list[int]:
    """The next `count` values of the table's id sequence, smallest first (as one-by-one inserts would get)."""
    sequence = func.pg_get_serial_sequence(table.name, "id")
    return sorted(session.execute(select(func.nextval(sequence)).select_from(func.generate_series(1, count))).scalars())


def _unnest(table, rows: list[dict[str, Any]]):
    """SELECT ... FROM unnest(:column_1, :column_2, ...): `rows` as one array per column."""
    names = list(rows[0])
    arrays = [bindparam(f"values_{i}", [row[name] for row in rows], type_=postgresql.ARRAY(table.c[name].type))
              for i, name in enumerate(names)]
    source = func.unnest(*arrays).table_valued(*names).render_derived()
    return select(*[source.c[name] for name in names])


def one_of(session: Session, column, values: list):
    """`column IN values` for thousands of values (a round's members) as one parameter on PostgreSQL.

    An IN list binds every value on its own, which the driver parses and the server plans one
    by one; `= ANY(array)` is one array. SQLite takes the list (up to 32,766 values).
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(list(values))
