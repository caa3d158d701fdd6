"""Welcome: the lasting DM someone gets when they join, saying what to expect, and its edit when
they change their organisation, as the welcome names it.

The reply to `/unmentor join` is ephemeral and gone by the next day; this stays in their DM with
the bot: that both learn, that what they say stays between them, and how to step out. Sent
through the outbox like everything else, so a retry or a restart never sends it twice. The edit
lives here too: it is the same message, shown as it would be sent now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from scheduler.schedule import Cadence
from scheduler.sends.base import Content, Plan, Send, member, queue
from scheduler.workspace_schedule import load_schedule, next_round_at
from storage import members as member_store
from storage import outbox
from storage.models import Member, MemberStatus


@dataclass(frozen=True)
class Welcome(Content):
    organisation: str
    next_round_at: datetime
    cadence: str = Cadence.monthly.value


def _welcome(session: Session, team_id: str, person: Member) -> Welcome:
    return Welcome(person.organisation, next_round_at(session, team_id), load_schedule(session, team_id).cadence)


def _here(person: Member | None) -> bool:
    return person is not None and person.status != MemberStatus.left.value and bool(person.slack_user_id)


@dataclass(frozen=True)
class WelcomeSend(Send):
    kind: ClassVar[str] = "welcome"

    member_id: int  # someone who leaves and joins again is a new member row, and is welcomed again

    def key(self) -> str:
        return f"welcome:{self.member_id}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        person = member(session, self.member_id)
        if not _here(person):
            return None  # left again before it went: nothing to welcome them to
        return Plan(_welcome(session, team_id, person), channel=person.slack_user_id)

    def sent(self, session: Session, channel: str, ts: str) -> list[str]:
        # Their organisation may have changed while Slack held the welcome: that change's edit
        # found no welcome to edit yet, so the welcome asks for one of its own. The member's row is
        # held first, so the change and this either see each other or run one after the other.
        member_store.lock_member(session, self.member_id)
        person = member(session, self.member_id)
        if person is None or not outbox.any_for_member(session, self.member_id, WelcomeUpdateSend.kind):
            return []
        edit = WelcomeUpdateSend(member_id=self.member_id, after=ts)
        queue(session, person.team_id, [edit])
        return [edit.key()]


@dataclass(frozen=True)
class WelcomeUpdateSend(Send):
    kind: ClassVar[str] = "welcome_update"
    first_call: ClassVar[str] = "chat.update"

    member_id: int
    # What prompted the edit: when the organisation changed, or the welcome's ts when it landed
    # after a change. Only the identity: the edit always shows the welcome as it is when it goes.
    after: str

    def key(self) -> str:
        return f"welcome_update:{self.member_id}:{self.after}"

    def plan(self, session: Session, team_id: str) -> Plan | None:
        person = member(session, self.member_id)
        welcomes = outbox.sent_to_member(session, self.member_id, WelcomeSend.kind)
        if not _here(person) or not welcomes:
            return None  # the welcome is still to go, and will say what is true then
        return Plan(_welcome(session, team_id, person), channel=welcomes[0].channel_id, update_ts=welcomes[0].ts)
