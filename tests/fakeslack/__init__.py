"""A fake Slack Web API for tests: records calls and flags every request that breaks Slack's published specs."""

from .server import BOT_ID, BOT_USER_ID, TEAM_ID, Call, FakeSlack

__all__ = ["FakeSlack", "Call", "TEAM_ID", "BOT_USER_ID", "BOT_ID"]
