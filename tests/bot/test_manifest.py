"""The Slack app manifest is valid by Slack's own schema and declares exactly what the bot uses."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from playground.slack import spec

ROOT = Path(__file__).resolve().parents[2]
# Slack's manifest schema ships with the stand-in's other specs (playground/slack/slack-spec).
SPEC = spec.SPEC_DIR / "manifest"
REMOTE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.{}.json"


def _validator():
    entry = json.loads((SPEC / "manifest.schema.json").read_text())
    # The entry schema $refs Slack's published URLs; map them to the local copies to work offline.
    registry = Registry().with_resources(
        (
            REMOTE.format(version),
            Resource.from_contents(json.loads((SPEC / f"manifest.schema.{version}.json").read_text())),
        )
        for version in ("1.0.0", "2.0.0")
    )
    return jsonschema.Draft7Validator(entry, registry=registry)


@pytest.fixture(scope="module")
def manifest():
    return yaml.safe_load((ROOT / "app_manifest.yml").read_text())


def test_slacks_own_fixtures_behave_as_slack_says():
    validator = _validator()
    assert validator.is_valid(json.loads((SPEC / "examples/v1/manifest.valid.json").read_text()))
    assert not validator.is_valid(json.loads((SPEC / "examples/v1/manifest.invalid.json").read_text()))


def test_the_manifest_is_valid_by_slacks_schema(manifest):
    errors = [f"{list(e.path)}: {e.message}" for e in _validator().iter_errors(manifest)]
    assert errors == []


def test_the_manifest_declares_the_command_interactivity_home_and_events(manifest):
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/unmentor"]
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened", "app_uninstalled", "tokens_revoked"]
    urls = {features["slash_commands"][0]["url"], settings["interactivity"]["request_url"],
            settings["event_subscriptions"]["request_url"]}
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")


def test_the_manifest_asks_only_for_the_scopes_the_bot_uses(manifest):
    # Each scope here is needed by a call the bot makes; a new call needs its scope added.
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted([
        "commands", "chat:write", "im:write", "mpim:write", "im:history", "mpim:history",
        "users:read", "users:read.email",
    ])
