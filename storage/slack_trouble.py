"""Slack's trouble with a workspace, shared by every process: what Slack said, since when, and when to try again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session

from storage.models import Workspace
from storage.upsert import insert_missing


def get(session: Session, team_id: str) -> Workspace | None:
    return session.get(Workspace, team_id)


def begin(session: Session, team_id: str, code: str, at: datetime, retry_at: datetime) -> bool:
    """Record trouble starting at `at`; True only for the one process that found none recorded
    (so the outage is logged once). Trouble already recorded gets the new code and retry time."""
    insert_missing(session, Workspace, ["team_id"], {"team_id": team_id, "name": ""})
    began = session.exec(
        update(Workspace).where(Workspace.team_id == team_id, Workspace.slack_trouble.is_(None))
        .values(slack_trouble=code[:64], slack_trouble_since=at, slack_retry_at=retry_at)
    ).rowcount == 1
    if not began:
        session.exec(update(Workspace).where(Workspace.team_id == team_id)
                     .values(slack_trouble=code[:64], slack_retry_at=retry_at))
    return began


def end(session: Session, team_id: str) -> tuple[str, datetime] | None:
    """Clear the trouble; (what it was, since when) for the one process that cleared it, else None."""
    workspace = session.get(Workspace, team_id)
    if workspace is None or workspace.slack_trouble is None:
        return None
    code, since = workspace.slack_trouble, workspace.slack_trouble_since  # before the update blanks them
    cleared = session.exec(
        update(Workspace).where(Workspace.team_id == team_id, Workspace.slack_trouble == code,
                                Workspace.slack_trouble_since == since)
        .values(slack_trouble=None, slack_trouble_since=None, slack_retry_at=None)
    ).rowcount == 1
    return (code, since) if cleared else None
