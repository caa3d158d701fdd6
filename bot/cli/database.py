"""`unmentor db`: the database schema."""

from __future__ import annotations

import click

from bot.cli.common import database_url, engine_for


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply schema migrations (serve and clock do it too), keeping every row."""
    url = database_url()
    from storage.db import current_revision

    engine = engine_for(url)
    click.echo(f"database schema at revision {current_revision(engine)}")
