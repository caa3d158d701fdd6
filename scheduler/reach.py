"""Who Slack lets us reach: checked just before a round is matched, so nobody is paired with
someone an intro can never reach, and nobody is told "nobody else was free" over it.

Slack says of each person whether their account is deactivated (`deleted`), a bot, a guest
(`is_restricted`; `is_ultra_restricted` for single-channel guests) or from another
organisation's workspace (a Slack Connect channel: their `team_id` isn't ours, and a group DM
of ours can't hold them). Deactivated accounts, bots and people from elsewhere are left out
quietly: there's nobody to tell. Guests are left out unless the organisers include them
(`unmentor schedule set --guests include`), as Donut does.

The bot asks Slack through users.list, a page of 200 people at a time (Tier 2, 20+ pages a
minute), and users.info (Tier 4) only for members the list doesn't hold. One pass sees the
whole workspace: a 10,000-person workspace is 50 pages, under three minutes, where one
users.info per member would take 50 minutes for 5,000 members, longer than the opening window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from storage import members as member_store
from storage.models import Member, SlackStanding


@dataclass(frozen=True)
class SlackPerson:
    """What Slack says of one person (users.list or users.info)."""

    user_id: str
    team_id: str | None = None
    deleted: bool = False
    bot: bool = False
    guest: bool = False
    # Their work email's domain (scheduler.organisations.work_domain), when Slack shows an email.
    email_domain: str | None = None


# The gateway's look-up: Slack IDs in, what Slack says of each out (someone Slack doesn't know comes back
# deleted; someone it didn't answer for is missing, and keeps the standing they had).
LookUp = Callable[[Sequence[str]], Mapping[str, SlackPerson]]


def standing(person: SlackPerson, team_id: str) -> SlackStanding:
    if person.deleted:
        return SlackStanding.deactivated
    if person.bot:
        return SlackStanding.bot
    if person.team_id and person.team_id != team_id:
        return SlackStanding.elsewhere
    if person.guest:
        return SlackStanding.guest
    return SlackStanding.member


def check(session: Session, team_id: str, members: Iterable[Member], look_up: LookUp) -> dict[str, int]:
    """Ask Slack about `members` and record each one's standing; returns how many of each were found."""
    members = [m for m in members if m.slack_user_id]
    found = look_up([m.slack_user_id for m in members])
    standings = {m.id: standing(found[m.slack_user_id], team_id).value for m in members if m.slack_user_id in found}
    member_store.set_slack_standings(session, team_id, standings)
    _recheck_email_domains(session, members, found)
    counts: dict[str, int] = {}
    for value in standings.values():
        counts[value] = counts.get(value, 0) + 1
    return counts


def _recheck_email_domains(session: Session, members: list[Member], found: Mapping[str, SlackPerson]) -> None:
    """The work domain that keeps colleagues apart, from the same answers: someone who joined while
    Slack couldn't say who they were has theirs before they are matched, and someone who moved
    employer has the new one. Slack saying nothing (down, or no email shown) changes nothing.

    Still unknown at the match (Slack down when they joined and again now), they are matched on the
    organisation they typed, which is the promise the join form makes ("never someone from the
    same one"); the domain is a second net for colleagues who spelt it differently. Leaving them
    out instead would cost a new member their first round over a Slack hiccup. It is asked again
    before the next match."""
    for member in members:
        person = found.get(member.slack_user_id)
        if person is not None and person.email_domain and person.email_domain != member.email_domain:
            member_store.set_email_domain(session, member, person.email_domain)


def matchable(session: Session, team_id: str, include_guests: bool) -> Callable[[Member], bool]:
    """Whether an intro can reach a member as a member. Never asked yet counts as yes: a hiccup is
    no reason to leave anyone out."""
    standings = member_store.slack_standings(session, team_id)
    welcome = {SlackStanding.member.value} | ({SlackStanding.guest.value} if include_guests else set())
    return lambda member: standings.get(member.id, SlackStanding.member.value) in welcome
