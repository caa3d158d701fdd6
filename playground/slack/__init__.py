"""The Slack stand-in: a local Slack Web API that keeps users, conversations, messages and views, and
flags every call that breaks Slack's published specs. The playground runs the bot against it, and the
tests use it as their Slack."""

from . import spec
from .server import BOT_ID, BOT_USER_ID, TEAM_ID, Call, FakeSlack

__all__ = ["FakeSlack", "Call", "TEAM_ID", "BOT_USER_ID", "BOT_ID", "spec"]
