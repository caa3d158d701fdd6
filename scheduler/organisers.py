"""Who may run the network: organisers named in settings, Slack admins and owners, and those organisers add."""

from __future__ import annotations

from enum import Enum

from sqlmodel import Session

from storage import members as member_store


def is_organiser(
    session: Session, team_id: str, user_id: str, configured: tuple[str, ...], *, slack_admin: bool = False
) -> bool:
    return user_id in configured or slack_admin or member_store.is_listed_organiser(session, team_id, user_id)


class OrganiserChange(str, Enum):
    done = "done"
    already = "already"
    from_settings = "from_settings"  # named in UNMENTOR_ORGANISERS: only the setting can change it
    slack_admin = "slack_admin"      # a Slack admin or owner: always an organiser


def listed(session: Session, team_id: str) -> list[str]:
    return member_store.list_organisers(session, team_id)


def add(session: Session, team_id: str, user_id: str, added_by: str) -> OrganiserChange:
    member_store.ensure_workspace(session, team_id)
    added = member_store.add_organiser(session, team_id, user_id, added_by)
    return OrganiserChange.done if added else OrganiserChange.already


def remove(session: Session, team_id: str, user_id: str, configured: tuple[str, ...]) -> OrganiserChange:
    if member_store.remove_organiser(session, team_id, user_id):
        return OrganiserChange.done
    return OrganiserChange.from_settings if user_id in configured else OrganiserChange.already
