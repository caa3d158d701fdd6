"""`unmentor prompts`: the conversation prompt library used in intros."""

from __future__ import annotations

import json

import click

from bot.cli.common import TEAM_OPTION, fail, local_tools


@click.group()
def prompts() -> None:
    """The conversation prompt library used in intros."""


@prompts.command("load")
@TEAM_OPTION
@click.argument("file", type=click.File("r"))
def prompts_load(team: str | None, file) -> None:
    """Replace the prompt library with your own JSON file (same shape as scheduler/prompts/default.json)."""
    from scheduler.inputs import InputError
    from scheduler.prompts import set_library
    from storage.db import session_scope

    engine, team_id = local_tools(team)
    try:
        doc = json.load(file)
    except json.JSONDecodeError as error:
        fail(f"the prompt file isn't valid JSON: {error}")
    with session_scope(engine) as session:
        try:
            library = set_library(session, team_id, doc)
        except InputError as problem:
            fail(f"{problem} Nothing was changed.")
    themes = library.themes()
    click.echo(f"loaded {len(library.prompts)} prompts in {len(themes)} themes: {', '.join(themes)}")


@prompts.command("show")
@TEAM_OPTION
def prompts_show(team: str | None) -> None:
    """Print the prompt library in use."""
    from scheduler.prompts import library_for
    from storage.db import session_scope

    engine, team_id = local_tools(team, required=False)  # no workspace yet: the built-in library
    with session_scope(engine) as session:
        library = library_for(session, team_id)
    click.echo(f"{library.name}: {len(library.prompts)} prompts")
    for prompt in library.prompts:
        click.echo(f"  [{prompt.theme}] {prompt.id}: {prompt.text}")


@prompts.command("reset")
@TEAM_OPTION
def prompts_reset(team: str | None) -> None:
    """Go back to the built-in prompt library."""
    from scheduler.prompts import reset_library
    from storage.db import session_scope

    engine, team_id = local_tools(team)
    with session_scope(engine) as session:
        reset_library(session, team_id)
    click.echo("using the built-in prompt library")
