"""The tables of unmentor. Every row knows its Slack team, so one database can serve many workspaces."""

from datetime import datetime
from enum import Enum
from typing import Optional

from sqlalchemy import Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.clock import now
from storage.types import UTCDateTime


def _created() -> datetime:
    return now()


class MemberStatus(str, Enum):
    active = "active"
    paused = "paused"      # until they say resume
    skipping = "skipping"  # the next round only
    left = "left"          # personal data deleted; the row stays only as an anonymous count


class SlackStanding(str, Enum):
    """What Slack said of a member when a round was last matched: only members are matched (guests too,
    if the organisers include them); nobody else can be reached as a member would be."""

    member = "member"
    deactivated = "deactivated"
    bot = "bot"
    guest = "guest"
    elsewhere = "elsewhere"  # from another organisation's workspace, in a Slack Connect channel


class RoundState(str, Enum):
    # Matched ahead of a scheduled opening, its group DMs being opened; nobody has been told yet.
    matched = "matched"
    open = "open"
    nudged = "nudged"
    following_up = "following_up"
    closed = "closed"


class GroupStatus(str, Enum):
    new = "new"
    scheduled = "scheduled"
    met = "met"
    rescheduling = "rescheduling"
    missed = "missed"
    no_reply = "no_reply"
    ended = "ended"          # a member left or was re-matched; nothing more to do


class EventKind(str, Enum):
    """What happened to a group, as one meeting_event row records it (by whom, when the member is known)."""

    answered = "answered"                        # their first click of any kind on the match
    scheduled = "scheduled"                      # a time was set (meeting_at, if one was given)
    time_chosen = "time_chosen"                  # "that works for me" on a suggested time (meeting_at)
    suggestion_agreed = "suggestion_agreed"      # scheduled by everyone picking the same suggested time
    met = "met"
    missed = "missed"
    try_again = "try_again"                      # after a missed chat, back to finding a time
    reschedule_asked = "reschedule_asked"        # meeting_at: the time suggested, if any; note: theirs, if any
    reschedule_accepted = "reschedule_accepted"
    left_there = "left_there"                    # this round's chat let go, without blame
    quiet_nudge = "quiet_nudge"                  # "my partner hasn't replied": the quiet one was nudged
    no_reply = "no_reply"                        # a partner never answered, or the round closed with no word
    stepped_out = "stepped_out"                  # out of the match this round (can't make it, or carried on without)
    partner_left = "partner_left"                # someone left unmentor while the match was running
    sat_out = "sat_out"                          # after a quiet partner, chose to sit the rest of the round out
    rematched = "rematched"                      # after a quiet partner, given a fresh match
    # This group was made part-way through its round: its intro says why. Stored as "fresh_match", the
    # name every version has written, so the rows already there still say so.
    fresh_group = "fresh_match"
    intro_failed = "intro_failed"                # Slack wouldn't take its intro, and the match ended (organisers see)


class SendState(str, Enum):
    pending = "pending"      # recorded, not yet tried
    sending = "sending"      # tried; if we crash here the send is in doubt
    sent = "sent"
    failed = "failed"        # permanent failure, recorded and not retried


class Workspace(SQLModel, table=True):
    __tablename__ = "workspace"

    team_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    # Slack refusing the bot's token, or failing, for this workspace (scheduler.slack_trouble): every
    # process holds its sends until `slack_retry_at`; set while it lasts, cleared when it ends.
    slack_trouble: Optional[str] = Field(default=None, max_length=64)
    slack_trouble_since: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    slack_retry_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)


class Member(SQLModel, table=True):
    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("team_id", "slack_user_id", name="uq_member_team_user"),
        # Stats count who joined and left between rounds (benchmarks/bench_stats.py).
        Index("ix_member_team_joined", "team_id", "joined_at"),
        Index("ix_member_team_left", "team_id", "left_at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, max_length=32)
    # Null once the member has left: nothing links the anonymous row to a person.
    slack_user_id: Optional[str] = Field(default=None, max_length=32)
    organisation: str = Field(default="", max_length=80)
    organisation_key: str = Field(default="", max_length=80, index=True)
    # The domain of a work email (never a public one like gmail.com): members who share it
    # are colleagues whatever they typed. Only the domain is kept, never the address.
    email_domain: Optional[str] = Field(default=None, max_length=255)
    role: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    talk_about: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    could_share: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    timezone: Optional[str] = Field(default=None, max_length=64)
    # Their name as Slack shows it, for the title of the calendar links their partners get.
    name: Optional[str] = Field(default=None, max_length=200)
    # When they said they're usually free ("mon,tue|morning,afternoon"); null until they say.
    # The only thing kept about anyone's time: suggested times keep to it.
    usually_free: Optional[str] = Field(default=None, max_length=80)
    status: str = Field(default=MemberStatus.active.value, max_length=16, index=True)
    # Left unmatched last round: goes first next round.
    priority: bool = Field(default=False)
    # Rounds in a row that ended without meeting (missed or silent); two pause the member, kindly.
    quiet_rounds: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    # Paused until this moment (the start of the chosen day in their time zone), then back by themselves.
    paused_until: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    joined_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    left_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)


class MemberStanding(SQLModel, table=True):
    """What Slack said of a member (a SlackStanding) when a round was last matched; no row until then."""

    __tablename__ = "member_standing"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    standing: str = Field(max_length=16)
    checked_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Avoid(SQLModel, table=True):
    """Someone a member asked never to be paired with: private to them, a hard rule for matching both ways."""

    __tablename__ = "avoid"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    # A Slack ID, not a member: you can avoid someone before they join.
    avoided_user_id: str = Field(primary_key=True, max_length=32)
    team_id: str = Field(max_length=32, index=True)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Organiser(SQLModel, table=True):
    __tablename__ = "organiser"

    team_id: str = Field(primary_key=True, max_length=32)
    slack_user_id: str = Field(primary_key=True, max_length=32)
    added_by: Optional[str] = Field(default=None, max_length=32)
    added_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class NoRejoin(SQLModel, table=True):
    """Someone an organiser removed and chose not to let back in: only the Slack ID, so a join can say no kindly."""

    __tablename__ = "no_rejoin"

    team_id: str = Field(primary_key=True, max_length=32)
    slack_user_id: str = Field(primary_key=True, max_length=32)
    removed_by: Optional[str] = Field(default=None, max_length=32)  # whom to ask, named in what they're told
    removed_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Setting(SQLModel, table=True):
    __tablename__ = "setting"

    team_id: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))  # JSON
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class OrganisationDomain(SQLModel, table=True):
    __tablename__ = "organisation_domain"

    team_id: str = Field(primary_key=True, max_length=32)
    domain: str = Field(primary_key=True, max_length=255)
    organisation: str = Field(max_length=80)


class HandledRequest(SQLModel, table=True):
    """Events and clicks already handled, so Slack's retries and double clicks act once."""

    __tablename__ = "handled_request"

    key: str = Field(primary_key=True, max_length=200)
    team_id: str = Field(max_length=32)
    handled_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime, index=True)


class Round(SQLModel, table=True):
    __tablename__ = "round"
    # The database, not memory, decides who opens a round: a second process opening the
    # same period fails on this key.
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_round_team_number"),
        UniqueConstraint("team_id", "period", name="uq_round_team_period"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, max_length=32)
    number: int
    period: str = Field(max_length=32)  # e.g. "2026-12" or "2026-W49": one round per period
    seed: int
    state: str = Field(default=RoundState.open.value, max_length=16)
    opens_at: datetime = Field(sa_type=UTCDateTime)
    nudge_at: datetime = Field(sa_type=UTCDateTime)
    follow_up_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    opened_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    nudged_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    followed_up_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    closed_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # Anonymous counts taken when the round opened, so stats survive members leaving.
    members_active: int = 0
    members_paused: int = 0
    members_skipping: int = 0
    organisations: int = 0
    unmatched: int = 0


class Group(SQLModel, table=True):
    """A pair or a trio in one round."""

    # The table keeps the name it was created with: every database made so far has it.
    __tablename__ = "match_group"

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(index=True, max_length=32)
    round_id: int = Field(foreign_key="round.id", index=True)
    status: str = Field(default=GroupStatus.new.value, max_length=16)
    channel_id: Optional[str] = Field(default=None, max_length=32)
    intro_ts: Optional[str] = Field(default=None, max_length=32)
    meeting_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    cross_organisation: bool = True
    # The conversation prompts this group was given (JSON list of prompt ids), so a
    # re-sent intro says the same thing and nobody is given the same prompt twice.
    prompts: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    # Named in the intro as the one who suggests a time; turns alternate (scheduler.first_move).
    first_mover_id: Optional[int] = Field(default=None, foreign_key="member.id")
    # The times the intro suggests (JSON list of UTC ISO times), fixed when it is first sent so a
    # click (which names a time by its place here) always means the time the reader saw. A trio
    # carrying on as a pair may have times added after them, never moved or replaced
    # (scheduler.meeting_times.fix_suggestions); null for groups from before suggestions.
    suggested_times: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_member"

    group_id: int = Field(foreign_key="match_group.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)
    team_id: str = Field(max_length=32)


class MeetingEvent(SQLModel, table=True):
    """What happened to a group: scheduled, met, reschedule asked, missed, no reply."""

    __tablename__ = "meeting_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    group_id: int = Field(foreign_key="match_group.id", index=True)
    member_id: Optional[int] = Field(default=None, foreign_key="member.id")
    kind: str = Field(max_length=32)  # an EventKind
    # The time the event names: the chat's new time, the suggested time picked, the time asked to move to.
    meeting_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class FollowUp(SQLModel, table=True):
    """What one member learned and shared in one round, with their consent to show it."""

    __tablename__ = "follow_up"
    __table_args__ = (UniqueConstraint("group_id", "member_id", name="uq_follow_up_group_member"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    round_id: int = Field(foreign_key="round.id", index=True)
    group_id: int = Field(foreign_key="match_group.id")
    member_id: int = Field(foreign_key="member.id")
    learned: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    shared: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    stay_in_touch: bool = False
    organisers_may_read: bool = False
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Outbox(SQLModel, table=True):
    """Every message the bot sends on its own: recorded before sending, marked after.

    The unique key means a message is never queued twice; the state says what a restart
    must do (send, or look in the conversation to see whether it already went).
    """

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("team_id", "key", name="uq_outbox_team_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    key: str = Field(max_length=120)
    kind: str = Field(max_length=32, index=True)
    # The kind's own parameters (JSON, typed by its definition in scheduler/sends/); the key is only an identity.
    params: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    round_id: Optional[int] = Field(default=None, foreign_key="round.id", index=True)
    group_id: Optional[int] = Field(default=None, foreign_key="match_group.id")
    member_id: Optional[int] = Field(default=None, foreign_key="member.id")
    state: str = Field(default=SendState.pending.value, max_length=16, index=True)
    attempts: int = 0
    channel_id: Optional[str] = Field(default=None, max_length=32)
    ts: Optional[str] = Field(default=None, max_length=32)
    error: Optional[str] = Field(default=None, max_length=200)
    not_before: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # When a process took this send; a "sending" row older than the lease was left by a
    # crash and is in doubt, a younger one belongs to a live process.
    claimed_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    # "host:pid" of the claimer: on the same host a dead pid means a crash, no need to wait the lease out.
    claimed_by: Optional[str] = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    sent_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
