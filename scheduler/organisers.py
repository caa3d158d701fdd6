"""Who may run the network: organisers named in settings, Slack admins and owners, and those organisers add."""

from __future__ import annotations

from sqlmodel import Session

from storage import members as store


def is_organiser(
    session: Session, team_id: str, user_id: str, configured: tuple[str, ...], *, slack_admin: bool = False
) -> bool:
    return user_id in configured or slack_admin or store.is_listed_organiser(session, team_id, user_id)
