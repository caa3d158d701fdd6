"""The intro: the one message a group gets, in a new group DM, saying who is who and why bother."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import ClassVar

from sqlmodel import Session

from scheduler import meeting_times, pacing
from scheduler.prompts import Prompt, library_for
from scheduler.schedule import Cadence
from scheduler.sends.base import Content, Plan, Send
from scheduler.sends.intro_failed import IntroFailedSend
from scheduler.sends.partner_left import GroupEnded
from scheduler.sends.partner_unreachable import PartnerUnreachableSend
from scheduler.sends.unmatched import UnmatchedSend
from scheduler.workspace_schedule import load_schedule
from storage import meetings as meeting_store
from storage import outbox as outbox_store
from storage import rounds as round_store
from storage.clock import now
from storage.models import EventKind, GroupStatus, Member, RoundState


@dataclass(frozen=True)
class Person:
    user_id: str
    organisation: str
    role: str = ""
    talk_about: str = ""
    could_share: str = ""
    timezone: str | None = None


class IntroWhy(str, Enum):
    """Why an intro comes part-way through a round, said in one line at its top."""

    first = ""                      # the round's own intro: nothing to explain
    carrying_on = "carrying_on"     # a trio goes on as a pair, in a conversation of its own
    fresh_group = "fresh_group"     # someone's first group this round couldn't go ahead, or they'd been
                                    # told there was no match for them: a new one, part-way through


# The notes that tell someone there's no match for them this round.
UNMATCHED_NOTES = (UnmatchedSend.kind, PartnerUnreachableSend.kind, IntroFailedSend.kind)


@dataclass(frozen=True)
class Suggestion:
    """A time the intro suggests, and who has said it works for them (Slack IDs)."""

    at: datetime
    chosen_by: tuple[str, ...] = ()
    index: int = 0  # its place among the group's suggestions, which its button names


@dataclass(frozen=True)
class Intro(Content):
    """Who is who, why this hour is worth it, a few prompts, and the buttons to say how it went."""

    group_id: int
    round_number: int
    people: tuple[Person, ...]
    prompts: tuple[Prompt, ...]
    closes_at: datetime
    status: str = "new"
    meeting_at: datetime | None = None
    ended: bool = False
    first_mover: str | None = None  # the Slack ID of whoever's turn it is to suggest a time
    cadence: str = Cadence.monthly.value  # how often rounds come, so the intro says "this week" or "this month"
    why: str = IntroWhy.first.value
    # Times that suit everyone; () when none does, None for a group from before suggestions.
    suggestions: tuple[Suggestion, ...] | None = None
    # What makes it a fresh group (Slack IDs): whose first group this round couldn't go ahead, and who
    # had been told there was no match for them. Never shown: the intro is shared with a stranger.
    first_group_ended: tuple[str, ...] = ()
    told_unmatched: tuple[str, ...] = ()


def person(member: Member) -> Person:
    return Person(
        user_id=member.slack_user_id,
        organisation=member.organisation,
        role=member.role,
        talk_about=member.talk_about,
        could_share=member.could_share,
        timezone=member.timezone,
    )


def intro_for(session: Session, group_id: int) -> Intro | None:
    """The intro as it should read now (edits of it show where the group stands)."""
    group = round_store.get_group(session, group_id)
    if group is None:
        return None
    round_ = round_store.get_round(session, group.round_id)
    members = [m for m in round_store.group_members(session, group.id) if m.slack_user_id]
    library = library_for(session, group.team_id)
    prompts = tuple(p for p in (library.by_id(i) for i in json.loads(group.prompts)) if p is not None)
    # Whoever's turn it was; if they've gone from the group, the turn passes to someone still in it.
    starter = next((m for m in members if m.id == group.first_mover_id), members[0] if members else None)
    # Which of the events that change how it reads the group has had, asked once.
    had = meeting_store.kinds_had(session, group.id, (EventKind.stepped_out, EventKind.partner_left,
                                                      EventKind.fresh_group))
    first_group_ended, told_unmatched = _before_this_group(session, group, members, had)
    return Intro(
        group_id=group.id,
        round_number=round_.number,
        people=tuple(person(m) for m in members),
        prompts=prompts,
        closes_at=round_.closes_at,
        status=group.status,
        meeting_at=group.meeting_at,
        ended=round_.state == RoundState.closed.value or group.status == GroupStatus.ended.value,
        first_mover=starter.slack_user_id if starter else None,
        cadence=load_schedule(session, group.team_id).cadence,
        why=_why(had, first_group_ended or told_unmatched),
        suggestions=_suggestions(session, group, members),
        first_group_ended=first_group_ended,
        told_unmatched=told_unmatched,
    )


def _why(had: set[str], fresh: bool) -> str:
    """Someone is out of this group this round (stepped out, or left unmentor): the rest carry on as a pair.
    Or it's a fresh match for someone whose first couldn't go ahead, or who'd been told there was none.
    `had`: the kinds of event the group has had (meeting_store.kinds_had)."""
    if EventKind.stepped_out.value in had or EventKind.partner_left.value in had:
        return IntroWhy.carrying_on.value
    return IntroWhy.fresh_group.value if fresh else IntroWhy.first.value


def _before_this_group(session: Session, group, members: list[Member],
                       had: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Who had a group this round before this one, and who had been told there was none for them (Slack IDs).
    Asked only of a group made part-way through its round (`had` a fresh_group event): the round's own
    thousands of intros skip it."""
    if EventKind.fresh_group.value not in had:
        return (), ()
    ids = [m.id for m in members]
    # Someone told there was no match hears what changed, whether or not they had a match before it.
    told = outbox_store.told_in_round(session, group.round_id, ids, list(UNMATCHED_NOTES))
    earlier = round_store.matched_earlier_in_round(session, group, ids) - told
    return (tuple(m.slack_user_id for m in members if m.id in earlier),
            tuple(m.slack_user_id for m in members if m.id in told))


def _suggestions(session: Session, group, members: list[Member]) -> tuple[Suggestion, ...] | None:
    if group.suggested_times is None:
        return None
    chosen = meeting_store.latest_choices(session, group.id)
    # Only times still to come: a button on one gone by could only say so. In order of time: a pair
    # carrying on from a trio has the trio's times first, then its own (meeting_times.fix_suggestions).
    return tuple(sorted((Suggestion(at, tuple(m.slack_user_id for m in members if chosen.get(m.id) == at), i)
                         for i, at in enumerate(meeting_times.suggestions(group)) if at > now()),
                        key=lambda s: s.at))


@dataclass(frozen=True)
class IntroSend(Send):
    kind: ClassVar[str] = "intro"
    first_call: ClassVar[str] = pacing.OPEN  # until its conversation is open (delivery.lane)

    round_id: int
    group_id: int
    # Members who couldn't be reached, when the intro goes again to those left.
    without: tuple[int, ...] = ()
    # A round matched ahead of its opening holds its intros until then (their conversations
    # are opened meanwhile, so they all land together).
    hold_until: datetime | None = None

    def key(self) -> str:
        if self.without:
            return f"intro:{self.group_id}:without:{'-'.join(str(i) for i in self.without)}"
        return f"intro:{self.group_id}"

    def not_before(self) -> datetime | None:
        return self.hold_until

    def plan(self, session: Session, team_id: str) -> Plan | None:
        group = round_store.get_group(session, self.group_id)
        # Held here, so working out the times and then the intro read the round once: the session
        # keeps a row only while something refers to it.
        _held = round_store.get_round(session, group.round_id) if group is not None else None
        if group is not None and group.status != GroupStatus.ended.value:
            # Going again to fewer people: times are found for those left (meeting_times.fix_suggestions).
            meeting_times.fix_suggestions(session, group, fewer=bool(self.without))
        intro = intro_for(session, self.group_id)
        if intro is None or len(intro.people) < 2 or intro.status == GroupStatus.ended.value:
            return None
        return Plan(intro, users=tuple(p.user_id for p in intro.people))

    def sent(self, session: Session, channel: str, ts: str) -> None:
        # Later edits (and the nudge) go to this conversation and this message.
        group = round_store.get_group(session, self.group_id)
        round_store.set_group_fields(session, group, channel_id=channel, intro_ts=ts)

    def overtaken(self, session: Session) -> GroupEnded:
        # As if they had left just after it landed (scheduler.departures): those still here are named,
        # and told where they go on; a trio's two already have their intro in a conversation of their own.
        group = round_store.get_group(session, self.group_id)
        staying = tuple(m.slack_user_id for m in round_store.group_members(session, group.id) if m.slack_user_id)
        return GroupEnded(round_store.get_round(session, group.round_id).number, staying)

    # Slack refusing it for good is looked after by scheduler.rematch (after_giving_up), not here:
    # that policy queues intros and rematches, and a kind of send never imports the workflow.
