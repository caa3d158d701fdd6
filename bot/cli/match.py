"""`unmentor match`: the matcher on a JSON file, with no database and no Slack."""

from __future__ import annotations

import json

import click

from bot.cli.common import fail


@click.command()
@click.option("--input", "input_file", type=click.File("r"), required=True, help="JSON file of members and history ('-' for stdin).")
def match(input_file) -> None:
    """Run the matcher on a JSON file and print the groups."""
    from scheduler.matching import match_json

    try:
        doc = json.load(input_file)
    except json.JSONDecodeError as error:
        fail(f"the input isn't valid JSON: {error}")
    try:
        result = match_json(doc)
    except ValueError as problem:
        fail(str(problem))
    click.echo(json.dumps(result))
