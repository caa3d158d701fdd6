"""What members can do with their membership: join, pause, resume, skip, leave, and what they see of it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from scheduler import departures, organisations, sends
from scheduler.inputs import LINE_BREAKS, InputError, clean_text
from scheduler.sends.welcome import WelcomeSend, WelcomeUpdateSend
from storage import avoids as avoid_store
from storage import members as member_store
from storage import rounds as round_store
from storage.clock import now
from storage.models import Member, MemberStatus, RoundState

ORGANISATION_MAX = 80
TEXT_MAX = 300
def clean_organisation(value: str | None) -> str:
    text = clean_text(value, "organisation", limit=ORGANISATION_MAX, required=True, field="organisation",
                      one_line=True)
    if not any(ch.isalnum() for ch in text):
        raise InputError("Your organisation needs at least one letter or number.", "organisation")
    return text


@dataclass(frozen=True)
class SlackProfile:
    """What Slack's profile tells us, to prefill and to guess the organisation."""

    email: str | None = None
    title: str = ""
    timezone: str | None = None
    name: str | None = None  # as Slack shows it: their partners' calendar links name them

    @property
    def email_domain(self) -> str | None:
        if self.email and "@" in self.email:
            return self.email.rsplit("@", 1)[1].lower()
        return None


@dataclass(frozen=True)
class ProfileForm:
    organisation: str
    role: str = ""
    talk_about: str = ""
    could_share: str = ""


class JoinOutcome(Enum):
    joined = "joined"
    updated = "updated"
    needs_details = "needs_details"


@dataclass(frozen=True)
class JoinResult:
    outcome: JoinOutcome
    member: Member | None = None
    prefill: ProfileForm | None = None
    organisation_changed: bool = False  # a member's details updated with another organisation


def join(session: Session, team_id: str, user_id: str, organisation: str | None, profile: SlackProfile) -> JoinResult:
    """Join (or re-join, or update) with an organisation given or known from the email domain.

    With neither, nothing is stored: the caller asks for the details instead.
    """
    member_store.ensure_workspace(session, team_id)
    _may_join(session, team_id, user_id)
    existing = member_store.get_member(session, team_id, user_id)
    # What we know already: their earlier answers, else what Slack's profile says.
    known = ProfileForm(
        organisation=existing.organisation if existing else "",
        role=(existing.role if existing and existing.role else _title_as_role(profile.title)),
        talk_about=existing.talk_about if existing else "",
        could_share=existing.could_share if existing else "",
    )
    if organisation is None or not organisation.strip():
        organisation = None
        if profile.email_domain:
            organisation = member_store.organisation_for_domain(session, team_id, profile.email_domain)
        if organisation is None:
            return JoinResult(JoinOutcome.needs_details, existing, known)
    return save_profile(session, team_id, user_id, replace(known, organisation=organisation), profile)


def _title_as_role(title: str | None) -> str:
    """Slack's profile title as a first answer to "What I do": on one line, and left out rather than
    refusing someone's join over a title they never typed here (a link, a line break, too long)."""
    try:
        return clean_text(LINE_BREAKS.sub(" ", title or ""), "title", limit=TEXT_MAX, required=False, one_line=True)
    except InputError:
        return ""


def _may_join(session: Session, team_id: str, user_id: str) -> None:
    """An organiser removed them and chose not to let them rejoin: say so kindly, and whom to ask."""
    kept = member_store.kept_from_rejoining(session, team_id, user_id)
    if kept is not None:
        ask = f"<@{kept.removed_by}>" if kept.removed_by else "your organisers"
        raise InputError(f"An organiser took you out of unmentor in this workspace, so joining again is up to "
                         f"them. Please ask {ask} if you'd like to talk about it.", "organisation")


def check_profile(form: ProfileForm) -> ProfileForm:
    """The details as we'd store them; InputError naming the first field we can't use."""
    return ProfileForm(
        organisation=clean_organisation(form.organisation),
        role=clean_text(form.role, "description of what you do", limit=TEXT_MAX, required=False, field="role",
                        one_line=True),
        talk_about=clean_text(
            form.talk_about, "'what I'd like to talk about'", limit=TEXT_MAX, required=False, field="talk_about"
        ),
        could_share=clean_text(
            form.could_share, "'what I could share'", limit=TEXT_MAX, required=False, field="could_share"
        ),
    )


def save_profile(
    session: Session, team_id: str, user_id: str, form: ProfileForm, profile: SlackProfile | None = None
) -> JoinResult:
    """Store a member's details, checked; InputError (and nothing stored) when any is unusable."""
    form = check_profile(form)
    member_store.ensure_workspace(session, team_id)
    _may_join(session, team_id, user_id)
    existing = member_store.get_member(session, team_id, user_id)
    fields = dict(
        organisation=form.organisation,
        organisation_key=organisations.fold(form.organisation)[:80],
        role=form.role,
        talk_about=form.talk_about,
        could_share=form.could_share,
    )
    if profile is not None and profile.timezone:
        fields["timezone"] = profile.timezone
    if profile is not None and profile.name:
        fields["name"] = profile.name[:200]
    if profile is not None and profile.email:
        fields["email_domain"] = organisations.work_domain(profile.email)
    if existing is None or existing.status == MemberStatus.left.value:
        fields["status"] = MemberStatus.active.value
        fields["joined_at"] = now()
    was = existing.organisation if existing is not None else None
    member, created = member_store.upsert_member(session, team_id, user_id, **fields)
    return JoinResult(JoinOutcome.joined if created else JoinOutcome.updated, member,
                      organisation_changed=not created and was != form.organisation)


def welcome(session: Session, team_id: str, result: JoinResult) -> list[str]:
    """Someone who has just joined gets a lasting welcome in their DM, once (the outbox's key sees to it);
    someone who changed their organisation has it edited to match, as it names it; someone who only
    updated their other details gets nothing. The keys of what to send now."""
    if result.outcome is JoinOutcome.joined:
        send = WelcomeSend(member_id=result.member.id)
    elif result.outcome is JoinOutcome.updated and result.organisation_changed:
        send = WelcomeUpdateSend(member_id=result.member.id, after=now().isoformat())
    else:
        return []
    sends.queue(session, team_id, [send])
    return [send.key()]


class Change(Enum):
    done = "done"
    already = "already"
    not_member = "not_member"


def _change(session: Session, team_id: str, user_id: str, to: MemberStatus, allowed_from: set[MemberStatus]) -> Change:
    member = member_store.get_member(session, team_id, user_id)
    if member is None or member.status == MemberStatus.left.value:
        return Change.not_member
    if member.status == to.value:
        return Change.already
    if MemberStatus(member.status) not in allowed_from:
        return Change.already
    member_store.set_status(session, member, to)
    return Change.done


def pause(session: Session, team_id: str, user_id: str) -> Change:
    change = _change(session, team_id, user_id, MemberStatus.paused, {MemberStatus.active, MemberStatus.skipping})
    if change is not Change.not_member:
        # A plain pause is open-ended, even after a pause until a date.
        member_store.set_paused_until(session, member_store.get_member(session, team_id, user_id), None)
    return change


def pause_stepping_out(session: Session, team_id: str, user_id: str):
    """Pause from the leave confirmation: a break from now on, this round's match included.

    (change, the step-out's scheduler.meetings.Result or None when no running match waited on them).
    A plain pause leaves this round's match as it is, as pausing does elsewhere; here the member
    was about to leave, and was told the others would be looked after."""
    change = pause(session, team_id, user_id)
    if change is Change.not_member:
        return change, None
    return change, departures.step_out_of_this_round(session, member_store.get_member(session, team_id, user_id))


def resume(session: Session, team_id: str, user_id: str) -> Change:
    change = _change(session, team_id, user_id, MemberStatus.active, {MemberStatus.paused, MemberStatus.skipping})
    if change is Change.done:
        member_store.set_paused_until(session, member_store.get_member(session, team_id, user_id), None)
    return change


# Back at a decent hour on the chosen day, wherever they are, not at midnight.
RESUME_HOUR = 9
PAUSE_UNTIL_MAX = timedelta(days=2 * 366)


def resume_moment(day: date, zone_name: str | None, fallback_zone: str) -> datetime:
    """When a pause until `day` ends: that morning in the member's own time zone."""
    try:
        zone = ZoneInfo(zone_name or fallback_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(fallback_zone)
    return datetime.combine(day, time(RESUME_HOUR), zone).astimezone(timezone.utc)


def pause_until(
    session: Session, team_id: str, user_id: str, day: date, fallback_zone: str
) -> tuple[Change, datetime | None]:
    """Pause until a day; back by themselves that morning. InputError for a day already here or too far off."""
    member = member_store.get_member(session, team_id, user_id)
    if member is None or member.status == MemberStatus.left.value:
        return Change.not_member, None
    until = resume_moment(day, member.timezone, fallback_zone)
    if until <= now():
        raise InputError("That day has already come; pick one in the future, like 2027-03-01.")
    if until - now() > PAUSE_UNTIL_MAX:
        raise InputError("That's more than two years away. Plain `/unmentor pause` pauses for as long as you like.")
    if member.status != MemberStatus.paused.value:
        member_store.set_status(session, member, MemberStatus.paused)
    member_store.set_paused_until(session, member, until)
    return Change.done, until


def resume_due(session: Session, team_id: str, at: datetime) -> list[Member]:
    """Members whose pause ends by `at`, set active again (the caller welcomes them back)."""
    back = []
    for member in member_store.paused_until_due(session, team_id, at):
        member_store.set_status(session, member, MemberStatus.active)
        member_store.set_paused_until(session, member, None)
        back.append(member)
    return back


def skip_next(session: Session, team_id: str, user_id: str) -> Change:
    return _change(session, team_id, user_id, MemberStatus.skipping, {MemberStatus.active})


def leave(session: Session, team_id: str, user_id: str, departure=None) -> Change:
    """Delete the member's personal data and answers; only anonymous counts stay.

    Whoever they were matched with this round is looked after; what that set off (sends to
    deliver and intro edits to make once this commits) goes into `departure`, a
    scheduler.departures.Departure."""
    member = member_store.get_member(session, team_id, user_id)
    if member is None or member.status == MemberStatus.left.value:
        return Change.not_member
    done = departures.before_leaving(session, member)
    if departure is not None:
        departure.keys += done.keys
        departure.edits += done.edits
    member_store.forget_member(session, member)
    return Change.done


class HeadsUpRound(Enum):
    """Where the round a heads-up was about stands when its "Skip this round" is clicked."""
    upcoming = "upcoming"  # not opened yet (or only matched ahead): the click skips it
    running = "running"    # opened: too late to skip, they're matched
    closed = "closed"      # over: nothing to skip, and an old button must not skip a later round


def skip_round(session: Session, team_id: str, user_id: str, period: str | None) -> tuple[Change, HeadsUpRound]:
    """Skip the round a heads-up was about: (change, where that round stands).

    The round is named by its period, so a heads-up that arrives while the previous round is
    still running skips the right one, and an old heads-up can't skip a later round.
    """
    round_ = round_store.round_for_period(session, team_id, period) if period else None
    # A round matched ahead of its opening hasn't opened: skipping it still takes them out of it.
    if round_ is not None and round_.state != RoundState.matched.value:
        member = member_store.get_member(session, team_id, user_id)
        change = (Change.not_member if member is None or member.status == MemberStatus.left.value
                  else Change.already)
        return change, HeadsUpRound.closed if round_.state == RoundState.closed.value else HeadsUpRound.running
    return skip_next(session, team_id, user_id), HeadsUpRound.upcoming


@dataclass(frozen=True)
class StatusView:
    member: Member | None
    next_round_at: datetime
    partner_user_ids: tuple[str, ...] = ()
    round_number: int | None = None
    past_partners: tuple[tuple[int, tuple[str, ...]], ...] = ()
    # Their own "don't pair me with" list: shown to them alone.
    avoided: tuple[str, ...] = ()
    meeting_at: datetime | None = None  # their chat this round, once it's scheduled


def partners_this_round(session: Session, member: Member) -> tuple[str, ...]:
    """The Slack IDs of whoever the member is matched with in a round still running (none if no match)."""
    current = round_store.current_group_for(session, member.id)
    return tuple(current[1]) if current else ()


def status(session: Session, team_id: str, user_id: str, next_round_at: datetime) -> StatusView:
    member = member_store.get_member(session, team_id, user_id)
    if member is None or member.status == MemberStatus.left.value:
        return StatusView(None, next_round_at)
    past = tuple((number, tuple(users)) for number, users in round_store.past_partners(session, member.id))
    avoided = tuple(avoid_store.listed(session, member))
    current = round_store.current_group_for(session, member.id)
    if current is None:
        return StatusView(member, next_round_at, past_partners=past, avoided=avoided)
    round_number, partner_ids = current
    return StatusView(member, next_round_at, tuple(partner_ids), round_number, past, avoided,
                      round_store.current_meeting_at(session, member.id))
