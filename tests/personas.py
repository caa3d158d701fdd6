"""The people the tests meet, in one place: who they are, their organisation and time zone, and
what the message builders are handed about them.

Members: ada (Acme, London), ben (Beta, New York), cy (Gamma), di (Delta), eve (Epsilon),
fay (Zeta), each in an organisation of their own so any two may be paired. Organisers: olive
(named in UNMENTOR_ORGANISERS), adam (a Slack workspace admin) and otto (made one by olive).
They all live in the Slack stand-in's own workspace, TEAM. Ada and ben also say what they'd
like to talk about and could share, for the tests that read a profile's words. With the
history `meet_before` writes, a round of all six makes the PAIRS ada–ben, cy–di and eve–fay.
A crowd (`seed_members`) is for tests that need numbers rather than names.

The second half of this module ("As the message builders see them") is the fixed, realistic
input every golden file under tests/bot/blocks/golden is made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from playground.slack import TEAM_ID
from scheduler.membership import ProfileForm, StatusView
from scheduler.prompts import Prompt
from scheduler.schedule import RoundTimes, Schedule, openings_after
from scheduler.sends.intro import Intro, Person, Suggestion
from scheduler.slack_trouble import Trouble
from scheduler.stats import Learning, RoundStats
from storage.models import Member, Round

UTC = timezone.utc
TEAM = TEAM_ID
# A Monday; London is on UTC in December.
OPENS = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
# When the long-closed round 0 of a test's history opened (its period is "2000-01"): before any
# round a test opens, as periods never go backwards.
LONG_AGO = datetime(2000, 1, 3, 10, 0, tzinfo=UTC)
# The rounds of December 2026 (opening at OPENS) and the year after it, whose heads-ups tests take as given.
HEADS_UPS = tuple(f"{2026 + (11 + i) // 12}-{(11 + i) % 12 + 1:02d}" for i in range(13))


@dataclass(frozen=True)
class Persona:
    user_id: str
    name: str
    organisation: str = ""
    timezone: str = "Europe/London"
    slack_admin: bool = False
    # What their profile says besides the organisation, for the tests that read it (`join(..., words=True)`).
    role: str = ""
    talk_about: str = ""
    could_share: str = ""


ADA = Persona("UADA", "Ada", "Acme", role="Ops", talk_about="how other teams plan", could_share="hybrid events")
BEN = Persona("UBEN", "Ben", "Beta", "America/New_York", talk_about="user research on a budget",
              could_share="budget templates")
CY = Persona("UCY", "Cy", "Gamma")
DI = Persona("UDI", "Di", "Delta")
EVE = Persona("UEVE", "Eve", "Epsilon")
FAY = Persona("UFAY", "Fay", "Zeta")
MEMBERS = (ADA, BEN, CY, DI, EVE, FAY)

OLIVE = Persona("UOLIVE", "Olive")
ADAM = Persona("UADAM", "Adam", slack_admin=True)
OTTO = Persona("UOTTO", "Otto")
ORGANISERS = (OLIVE, ADAM, OTTO)

# (user ID, organisation, time zone), the shape most tests list people in.
PEOPLE = [(p.user_id, p.organisation, p.timezone) for p in MEMBERS]
ZONE = {p.user_id: p.timezone for p in MEMBERS}

# Who meets whom in a round of all six: ada–ben, cy–di and eve–fay, forced by MET_BEFORE (every
# other pair but ada–eve met in an earlier round; ada–eve can't be in a maximum matching, as ben
# would have no one, but stays free for a fresh match later in the round).
PAIRS = [("UADA", "UBEN"), ("UCY", "UDI"), ("UEVE", "UFAY")]
MET_BEFORE = [("UADA", "UCY"), ("UADA", "UDI"), ("UADA", "UFAY"),
              ("UBEN", "UCY"), ("UBEN", "UDI"), ("UBEN", "UEVE"), ("UBEN", "UFAY"),
              ("UCY", "UEVE"), ("UCY", "UFAY"), ("UDI", "UEVE"), ("UDI", "UFAY")]


def introduce(fake, people=MEMBERS) -> None:
    """Make these people known to the Slack stand-in, by name and time zone."""
    for person in people:
        fake.add_user(person.user_id, real_name=person.name, tz=person.timezone, is_admin=person.slack_admin)


def next_opening(schedule: Schedule, at: datetime) -> RoundTimes:
    """The first scheduled opening after `at` (what the bot opens next also depends on the rounds stored)."""
    return next(openings_after(schedule, at))


def latest_opening(schedule: Schedule, at: datetime) -> RoundTimes:
    """The most recent scheduled opening at or before `at`."""
    latest = None
    for times in openings_after(schedule, at - timedelta(days=62)):
        if times.opens_at > at:
            return latest
        latest = times
    raise AssertionError("openings_after never ends")


def heads_up_went(engine, periods=HEADS_UPS, team: str = TEAM) -> None:
    """The heads-ups of these rounds (by default December 2026's, which opens at OPENS, and the
    year's after it) went out, as they have in a running network before a round opens on
    schedule: the bot opens no round whose heads-up reached nobody
    (scheduler.workspace_schedule.next_round). Recorded as the workspace's, not any member's, so
    a test of the heads-up itself still sees each member's go out."""
    from sqlalchemy import update

    from scheduler.workspace_schedule import heads_up_key
    from storage import outbox
    from storage.db import session_scope
    from storage.models import Outbox, SendState

    keys = [heads_up_key(period) for period in periods]
    with session_scope(engine) as session:
        outbox.queue(session, team, [{"key": key, "kind": "announce"} for key in keys])
        session.exec(update(Outbox).where(Outbox.team_id == team, Outbox.key.in_(keys))
                     .values(state=SendState.sent.value))


def sends(session) -> list:
    """Every outbox row but heads_up_went's history: what the bot itself queued."""
    from sqlmodel import select

    from scheduler.workspace_schedule import heads_up_key
    from storage.models import Outbox

    history = [heads_up_key(period) for period in HEADS_UPS]
    return list(session.exec(select(Outbox).where(Outbox.key.not_in(history)).order_by(Outbox.id)))


def december_round(session) -> Round:
    """Round 1, the December 2026 round, opened at OPENS with the default schedule's phases and
    no groups yet: for tests that make their groups by hand, so each knows who is with whom."""
    from datetime import timedelta

    from storage import rounds as round_store

    return round_store.create_round(session, team_id=TEAM, period=HEADS_UPS[0], seed=7, opens_at=OPENS,
                                    nudge_at=OPENS + timedelta(days=10), follow_up_at=OPENS + timedelta(days=21),
                                    closes_at=OPENS + timedelta(days=28))


def join(engine, people=MEMBERS, fake=None, words: bool = False, heads_up: bool = True) -> None:
    """Sign these members up (and introduce them to the Slack stand-in, when given) as /unmentor join would:
    with their organisation, or with `words` their whole profile. Unless `heads_up` is False, they then
    have had December's heads-up (heads_up_went), so a round opens for them at OPENS as scheduled."""
    from scheduler import membership
    from scheduler.membership import SlackProfile
    from storage.db import session_scope

    if fake is not None:
        introduce(fake, people)
    # One transaction for them all: each is saved as their own join saves them.
    with session_scope(engine) as session:
        for person in people:
            form = ProfileForm(organisation=person.organisation)
            if words:
                form = ProfileForm(organisation=person.organisation, role=person.role, talk_about=person.talk_about,
                                   could_share=person.could_share)
            membership.save_profile(session, TEAM, person.user_id, form,
                                    SlackProfile(timezone=person.timezone, name=person.name))
    if heads_up:
        heads_up_went(engine)


def introduced(person: Persona) -> Person:
    """The person as an intro shows them: their profile's words and their time zone."""
    return Person(person.user_id, person.organisation, person.role, person.talk_about, person.could_share,
                  person.timezone)


def meet_before(session, pairs=MET_BEFORE) -> None:
    """These pairs met in an earlier round (a long-closed round 0), so the next round can't pair them again."""
    from sqlmodel import select

    from storage.models import Group, GroupMember

    old = Round(team_id=TEAM, number=0, period="2000-01", seed=0, state="closed", opens_at=LONG_AGO,
                nudge_at=LONG_AGO, follow_up_at=LONG_AGO, closes_at=LONG_AGO)
    session.add(old)
    session.flush()
    ids = {m.slack_user_id: m.id for m in session.exec(select(Member))}
    # Every group in one flush, then everyone in them in another (not two statements a pair).
    groups = [Group(team_id=TEAM, round_id=old.id, status="met", prompts="[]") for _ in pairs]
    session.add_all(groups)
    session.flush()
    session.add_all([GroupMember(group_id=group.id, member_id=ids[person], team_id=TEAM)
                     for group, pair in zip(groups, pairs) for person in pair])


def seed_members(url: str, fake, count: int) -> None:
    """A crowd of `count` members (U000, U001, …) across five organisations (Org 0 to Org 4)."""
    from scheduler import membership
    from storage.db import make_engine, session_scope

    engine = make_engine(url)
    with session_scope(engine) as session:
        for i in range(count):
            user = f"U{i:03d}"
            fake.add_user(user)
            membership.save_profile(session, TEAM, user, ProfileForm(organisation=f"Org {i % 5}"))
    heads_up_went(engine)
    engine.dispose()


def add_workspace(url: str, team_id: str = TEAM) -> None:
    """A workspace the database knows, as after someone's first /unmentor there."""
    from storage import members as member_store
    from storage.db import make_engine, session_scope

    engine = make_engine(url)
    with session_scope(engine) as session:
        member_store.ensure_workspace(session, team_id)
    engine.dispose()


# As the message builders see them ------------------------------------------------------------
#
# Every golden file is made from these. Ada, ben and cy as an intro shows them, with the whole
# profile a member can fill in:
# - ada: events lead at Acme Housing, London; wants to talk about planning a year of events.
# - ben: data analyst at Beta Libraries, New York; could share how they measure what works.
# - cy: volunteer coordinator at Gamma Trust; the third in a trio, who said nothing about herself.
# - oli (UOLI): an organiser of the network.
# Round 3 opens on Monday 7 December 2026 and closes on Monday 4 January 2027, when round 4 opens.

ROUND_OPENS = OPENS
ROUND_CLOSES = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
NEXT_ROUND = ROUND_CLOSES
MEETING_AT = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
# Three times that suit ada in London and ben in New York: afternoons in London, mornings in New York.
SUGGESTED = (datetime(2026, 12, 9, 14, 30, tzinfo=UTC), MEETING_AT, datetime(2026, 12, 16, 15, 0, tzinfo=UTC))
PAUSED_UNTIL = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
GROUP_ID = 42

ADA_INTRO = Person(ADA.user_id, "Acme Housing", role="Events lead",
                   talk_about="how other teams plan a whole year of events",
                   could_share="what we learned moving our conference online", timezone=ADA.timezone)
BEN_INTRO = Person(BEN.user_id, "Beta Libraries", role="Data analyst",
                   talk_about="getting started with community events",
                   could_share="how we measure whether a programme works", timezone=BEN.timezone)
CY_INTRO = Person(CY.user_id, "Gamma Trust")

PROMPTS = (
    Prompt("open-1", "start", "Getting started", "What does a good week at work look like for you?", "opener"),
    Prompt("mid-4", "learn", "Learning from each other",
           "What's something your organisation does that others find odd?"),
    Prompt("close-2", "after", "Before you go", "What will you try differently after this chat?", "closing"),
)


def intro(**changes) -> Intro:
    fields = dict(group_id=GROUP_ID, round_number=3, people=(ADA_INTRO, BEN_INTRO), prompts=PROMPTS,
                  closes_at=ROUND_CLOSES, first_mover=BEN.user_id)
    return Intro(**{**fields, **changes})


def member(**changes) -> Member:
    fields = dict(id=1, team_id=TEAM, slack_user_id=ADA.user_id, organisation="Acme Housing",
                  organisation_key="acme housing", role="Events lead", status="active")
    return Member(**{**fields, **changes})


def ada_status(**changes) -> StatusView:
    fields = dict(member=member(), next_round_at=NEXT_ROUND, partner_user_ids=(BEN.user_id,), round_number=3,
                  past_partners=((1, (DI.user_id,)), (2, (EVE.user_id, "UFIN"))), avoided=("UGUS",))
    return StatusView(**{**fields, **changes})


def newcomer_status() -> StatusView:
    return StatusView(None, NEXT_ROUND)


ADA_PROFILE = ProfileForm(organisation="Acme Housing", role="Events lead",
                          talk_about="how other teams plan a whole year of events",
                          could_share="what we learned moving our conference online")


def round_stats(number: int, state: str, **counts) -> RoundStats:
    fields = dict(number=number, period=f"2026-{9 + number:02d}", state=state,
                  opened_at=datetime(2026, 9 + number, 7, 10, 0, tzinfo=UTC), members_active=24, members_paused=3,
                  members_skipping=2, members_new=4, members_left=1, organisations=9, unmatched=0, groups=12,
                  cross_organisation=12, met=8, scheduled=10, rescheduled=2, missed=1, didnt_meet=2,
                  heard_nothing_back=1,
                  members_matched=24, answered=15, stay_in_touch=9)
    return RoundStats(**{**fields, **counts})


THREE_ROUNDS = [
    round_stats(1, "closed", met=6, groups=10, members_matched=20, answered=11),
    round_stats(2, "closed"),
    round_stats(3, "open", met=3, scheduled=7, answered=0, stay_in_touch=0),
]
LEARNINGS = [
    Learning(2, "Libraries run far more events than I thought, and measure them better than we do.",
             "How we plan a year on one page."),
    Learning(2, "That a short check-in form beats a long survey.", ""),
    Learning(1, "Small trusts & big councils have the same worries <honestly>.", "Our volunteer handbook."),
    # From a round too small to name (scheduler.stats.NAMED_FROM): no round on it.
    Learning(None, "Asking 'what would help?' before offering anything.", ""),
]
SPARKLINE = "▅▆"
# Slack's trouble with the workspace, as organisers' App Home shows it.
TOKEN_REFUSED = Trouble("missing_scope", OPENS, OPENS)
SLACK_FAILING = Trouble("service_unavailable", OPENS, OPENS)
SCHEDULE = Schedule()


def plan_members() -> list[Member]:
    names = [(ADA, "Acme Housing"), (BEN, "Beta Libraries"), (CY, "Gamma Trust"), (DI, "Delta Arts"),
             (EVE, "Epsilon Health")]
    return [member(id=i, slack_user_id=person.user_id, organisation=org, organisation_key=org.lower())
            for i, (person, org) in enumerate(names, 1)]


def opened_round() -> Round:
    return Round(id=3, team_id=TEAM, number=3, period="2026-12", seed=7, state="open", opens_at=ROUND_OPENS,
                 nudge_at=ROUND_OPENS, follow_up_at=ROUND_OPENS, closes_at=ROUND_CLOSES)


def suggestions(chosen: dict[int, tuple[str, ...]] | None = None) -> tuple[Suggestion, ...]:
    """The intro's suggested times, with who has said each works (by its place in SUGGESTED)."""
    return tuple(Suggestion(at, (chosen or {}).get(i, ()), i) for i, at in enumerate(SUGGESTED))
