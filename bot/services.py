"""What every listener needs, handed over in one piece: the settings, the database, the Slack client
and the pool that does the work after each acknowledgement."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.workspace import OwnWorkspace

# Threads for the work after an ack: enough that a slow Slack (seconds a call) doesn't queue
# members' replies for long, few enough that their Python doesn't crowd out the acks.
WORKERS = 16


def work_pool() -> Executor:
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="unmentor-work")


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    client: WebClient
    # Never Bolt's listener pool: a thread there held by a slow Slack call is one fewer for acks.
    work: Executor = field(default_factory=work_pool)
    own: OwnWorkspace | None = None  # who the bot is, where (auth.test)
