"""What every listener needs, handed over in one piece: the settings, the database and the Slack client."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    client: WebClient
