"""The outbox: messages recorded before they are sent and marked after, so none is lost or sent twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from storage.bulk import insert_rows
from storage.clock import now
from storage.models import Outbox, Round, RoundState, SendState


def queue(session: Session, team_id: str, items: list[dict]) -> int:
    """Record messages to send; a key already recorded is left alone. Returns how many were new."""
    if not items:
        return 0
    # Every row names every column, so one statement can carry them all.
    base = {"team_id": team_id, "state": SendState.pending.value, "attempts": 0, "created_at": now(),
            "params": "{}", "round_id": None, "group_id": None, "member_id": None, "not_before": None}
    return insert_rows(session, Outbox, [{**base, **item} for item in items], skip_existing=["team_id", "key"])


def ready(session: Session, team_id: str, at: datetime, lease: timedelta, limit: int, host: str,
          keys: list[str] | None = None) -> list[Outbox]:
    """Sends to try now: pending ones, and 'sending' ones that may have been left by a crash.

    Those are the ones past their lease, and any claimed on this host (the caller checks
    whether that process is still alive).
    """
    query = select(Outbox)
    if keys is not None:
        query = query.where(Outbox.key.in_(keys))
    # A round matched ahead of its opening says nothing until it opens, whatever the time says:
    # the opening first takes out whoever withdrew since the match.
    matched = select(Round.id).where(Round.team_id == team_id, Round.state == RoundState.matched.value)
    query = query.where(or_(Outbox.round_id.is_(None), Outbox.round_id.not_in(matched)))
    return list(
        session.exec(
            query
            .where(
                Outbox.team_id == team_id,
                or_(
                    (Outbox.state == SendState.pending.value)
                    & or_(Outbox.not_before.is_(None), Outbox.not_before <= at),
                    (Outbox.state == SendState.sending.value)
                    & or_(Outbox.not_before.is_(None), Outbox.not_before <= at)  # in doubt, waiting to look
                    & or_(Outbox.claimed_at.is_(None),  # released by a process that stopped
                          Outbox.claimed_at < at - lease, Outbox.claimed_by.startswith(host + ":", autoescape=True)),
                ),
            )
            .order_by(Outbox.id)
            .limit(limit)
        )
    )


def claim(session: Session, row: Outbox, claimer: str) -> bool:
    """Take one send for this process; False when another process got there first.

    The update only matches the row as it was read (same state and same previous claim),
    so of two processes reading the same row, exactly one takes it.
    """
    result = session.exec(
        update(Outbox)
        .where(
            Outbox.id == row.id,
            Outbox.state == row.state,
            Outbox.claimed_at.is_(None) if row.claimed_at is None else Outbox.claimed_at == row.claimed_at,
        )
        .values(state=SendState.sending.value, claimed_at=now(), claimed_by=claimer, attempts=Outbox.attempts + 1)
    )
    return result.rowcount == 1


def set_channel(session: Session, row_id: int, channel_id: str) -> None:
    session.exec(update(Outbox).where(Outbox.id == row_id).values(channel_id=channel_id))


def held_to_open(session: Session, team_id: str, kind: str, at: datetime, after_id: int, limit: int) -> list[Outbox]:
    """Sends of `kind` held until a moment after `at` whose conversation isn't open yet (intros
    waiting for a scheduled opening), from the row after `after_id` on.

    Only a round matched ahead holds its sends for the opening; a send of an open round whose
    time is later is waiting out a failure, and goes to Slack at its retry time, not before."""
    matched = select(Round.id).where(Round.team_id == team_id, Round.state == RoundState.matched.value)
    return list(session.exec(
        select(Outbox)
        .where(Outbox.team_id == team_id, Outbox.kind == kind, Outbox.state == SendState.pending.value,
               Outbox.channel_id.is_(None), Outbox.not_before > at, Outbox.id > after_id,
               Outbox.round_id.in_(matched))
        .order_by(Outbox.id)
        .limit(limit)
    ))


def set_channel_ahead(session: Session, row_id: int, channel_id: str, at: datetime) -> bool:
    """Record a conversation opened ahead for a held send, only while it is still held and has none:
    once its time has come (or its people changed), what was opened ahead no longer counts."""
    result = session.exec(
        update(Outbox)
        .where(Outbox.id == row_id, Outbox.state == SendState.pending.value, Outbox.channel_id.is_(None),
               Outbox.not_before > at)
        .values(channel_id=channel_id)
    )
    return result.rowcount == 1


def forget_channel(session: Session, team_id: str, key: str) -> None:
    """A send not yet made whose people changed: the conversation opened for the old ones must not be used."""
    session.exec(
        update(Outbox)
        .where(Outbox.team_id == team_id, Outbox.key == key, Outbox.state == SendState.pending.value)
        .values(channel_id=None)
    )


def any_sent_starting(session: Session, team_id: str, prefix: str) -> bool:
    """Whether a send whose key starts with `prefix` has gone (a round's heads-up to anyone, say)."""
    return session.exec(
        select(Outbox.id).where(Outbox.team_id == team_id, Outbox.key.startswith(prefix, autoescape=True),
                                Outbox.state == SendState.sent.value).limit(1)
    ).first() is not None


def keys_starting(session: Session, team_id: str, prefix: str) -> set[str]:
    """The keys recorded (in any state) that start with `prefix`: a round's heads-ups, say."""
    return set(session.exec(
        select(Outbox.key).where(Outbox.team_id == team_id, Outbox.key.startswith(prefix, autoescape=True))
    ))


def withdraw_unsent(session: Session, team_id: str, keys: list[str], why: str) -> bool:
    """Take back these sends if none has gone yet (nor is on its way): True when none of them will
    ever be sent, False (and nothing changed) when one has gone or is going.

    Conditional, as a claim is: a send is claimed only while pending, so of the two, one wins."""
    rows = list(session.exec(select(Outbox.state).where(Outbox.team_id == team_id, Outbox.key.in_(keys))))
    if any(state not in (SendState.pending.value, SendState.failed.value) for state in rows):
        return False
    pending = sum(state == SendState.pending.value for state in rows)
    result = session.exec(
        update(Outbox)
        .where(Outbox.team_id == team_id, Outbox.key.in_(keys), Outbox.state == SendState.pending.value)
        .values(state=SendState.failed.value, error=why[:200])
    )
    return result.rowcount == pending


def none_on_the_way(session: Session, team_id: str, keys: list[str]) -> bool:
    """None of these sends is waiting or being sent: each has gone, failed, or was never recorded."""
    return session.exec(select(Outbox.id).where(
        Outbox.team_id == team_id, Outbox.key.in_(keys),
        Outbox.state.in_([SendState.pending.value, SendState.sending.value])).limit(1)).first() is None


def keys_for_member(session: Session, round_id: int, member_id: int, kind: str) -> list[str]:
    """The keys of a round's sends of one kind for one member."""
    return list(session.exec(select(Outbox.key).where(Outbox.round_id == round_id, Outbox.kind == kind,
                                                      Outbox.member_id == member_id)))


def told_in_round(session: Session, round_id: int, member_ids: list[int], kinds: list[str]) -> set[int]:
    """Of these members, those a send of one of these kinds has reached this round."""
    if not member_ids:
        return set()
    return set(session.exec(select(Outbox.member_id).where(
        Outbox.round_id == round_id, Outbox.kind.in_(kinds), Outbox.member_id.in_(member_ids),
        Outbox.state == SendState.sent.value)))


def members_sent(session: Session, round_id: int, kind: str) -> set[int]:
    """Members a round has a send of `kind` for, whatever its state (the unmatched notes, say)."""
    return set(session.exec(select(Outbox.member_id).where(Outbox.round_id == round_id, Outbox.kind == kind,
                                                           Outbox.member_id.is_not(None))))


def drop_unsent(session: Session, round_id: int, why: str) -> int:
    """A round's sends not yet made are no longer wanted: recorded as failed with `why`, never sent."""
    result = session.exec(
        update(Outbox)
        .where(Outbox.round_id == round_id, Outbox.state == SendState.pending.value)
        .values(state=SendState.failed.value, error=why[:200])
    )
    return result.rowcount


def release_held(session: Session, round_id: int, at: datetime) -> int:
    """A round's sends held for a later moment may go from `at` (its opening brought forward)."""
    result = session.exec(
        update(Outbox)
        .where(Outbox.round_id == round_id, Outbox.state == SendState.pending.value, Outbox.not_before > at)
        .values(not_before=at)
    )
    return result.rowcount


def mark_sent(session: Session, row_id: int, channel_id: str | None, ts: str | None) -> None:
    session.exec(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(state=SendState.sent.value, channel_id=channel_id, ts=ts, sent_at=now(), error=None)
    )


def mark_retry(session: Session, row_id: int, error: str, not_before: datetime) -> None:
    session.exec(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(state=SendState.pending.value, error=error[:200], not_before=not_before)
    )


def mark_in_doubt(session: Session, row_id: int, error: str, not_before: datetime,
                  only_if_claimed_by: str | None = None) -> None:
    """A post whose answer was lost: it stays 'sending' with no claim (in doubt, as after a crash),
    so whoever takes it next looks in the conversation first; not before `not_before`.
    With `only_if_claimed_by`, only while that process still has it in hand (not sent meanwhile)."""
    query = update(Outbox).where(Outbox.id == row_id)
    if only_if_claimed_by is not None:
        query = query.where(Outbox.state == SendState.sending.value, Outbox.claimed_by == only_if_claimed_by)
    session.exec(
        query
        .values(state=SendState.sending.value, claimed_at=None, claimed_by=None, error=error[:200],
                not_before=not_before)
    )


def retry_now(session: Session, team_id: str, at: datetime) -> int:
    """Sends waiting out Slack's failures (not a 429's Retry-After, nor a time of their own) may go from `at`."""
    result = session.exec(
        update(Outbox)
        .where(Outbox.team_id == team_id, Outbox.error.is_not(None), Outbox.error != "ratelimited",
               Outbox.not_before > at,
               (Outbox.state == SendState.pending.value)
               | ((Outbox.state == SendState.sending.value) & Outbox.claimed_at.is_(None)))
        .values(not_before=at)
    )
    return result.rowcount


def put_back(session: Session, row_id: int, in_doubt: bool) -> None:
    """A send taken and not tried for a reason of the bot's own (its token refused): as it was before
    it was claimed, its attempt not counted, and still in doubt if it was."""
    session.exec(
        update(Outbox)
        .where(Outbox.id == row_id)
        .values(state=SendState.sending.value if in_doubt else SendState.pending.value, claimed_at=None,
                claimed_by=None, attempts=Outbox.attempts - 1)
    )


def mark_failed(session: Session, row_id: int, error: str) -> None:
    session.exec(
        update(Outbox).where(Outbox.id == row_id).values(state=SendState.failed.value, error=error[:200])
    )


def next_retry_at(session: Session, team_id: str) -> datetime | None:
    """The earliest time a send that failed for now (rate limit, Slack hiccup) may be tried again.

    Sends scheduled for later (reminders) have no error and don't count.
    """
    return session.exec(
        select(func.min(Outbox.not_before)).where(
            Outbox.team_id == team_id, Outbox.not_before.is_not(None), Outbox.error.is_not(None),
            (Outbox.state == SendState.pending.value)
            | ((Outbox.state == SendState.sending.value) & Outbox.claimed_at.is_(None)))
    ).one()


def waiting_for_round(session: Session, round_id: int, kind: str | None = None) -> int:
    """Sends of a round not yet finished (waiting, or in doubt after a crash)."""
    query = select(func.count()).select_from(Outbox).where(
        Outbox.round_id == round_id, Outbox.state.in_([SendState.pending.value, SendState.sending.value]))
    if kind is not None:
        query = query.where(Outbox.kind == kind)
    return session.exec(query).one()


def release(session: Session, claimer: str) -> int:
    """Clear the claim on sends `claimer` took and didn't finish; they stay 'sending' (in doubt)."""
    result = session.exec(
        update(Outbox)
        .where(Outbox.claimed_by == claimer, Outbox.state == SendState.sending.value)
        .values(claimed_at=None, claimed_by=None)
    )
    return result.rowcount


def of_kind_since(session: Session, team_id: str, kind: str, *, before: datetime) -> list[Outbox]:
    """Sends of one kind recorded before a moment (the keep-me-in asks whose week is up)."""
    return list(session.exec(select(Outbox).where(Outbox.team_id == team_id, Outbox.kind == kind,
                                                  Outbox.created_at <= before).order_by(Outbox.id)))


def sent_to_group(session: Session, group_id: int, kind: str) -> list[Outbox]:
    """Messages of one kind already in a group's members' DMs (where Slack put them), oldest first."""
    return list(session.exec(select(Outbox).where(Outbox.group_id == group_id, Outbox.kind == kind,
                                                  Outbox.state == SendState.sent.value,
                                                  Outbox.channel_id.is_not(None), Outbox.ts.is_not(None))
                             .order_by(Outbox.id)))


def sent_to_member(session: Session, member_id: int, kind: str) -> list[Outbox]:
    """Messages of one kind already in a member's DM (where Slack put them), oldest first."""
    return list(session.exec(select(Outbox).where(Outbox.member_id == member_id, Outbox.kind == kind,
                                                  Outbox.state == SendState.sent.value,
                                                  Outbox.channel_id.is_not(None), Outbox.ts.is_not(None))
                             .order_by(Outbox.id)))


def any_for_member(session: Session, member_id: int, kind: str) -> bool:
    """Whether a send of this kind was ever recorded for the member, whatever became of it."""
    return session.exec(select(Outbox.id).where(Outbox.member_id == member_id, Outbox.kind == kind)
                        .limit(1)).first() is not None


def last_id(session: Session, team_id: str) -> int:
    """The newest send recorded for a workspace (0 for none): a mark to count what comes after."""
    return session.exec(select(func.coalesce(func.max(Outbox.id), 0)).where(Outbox.team_id == team_id)).one()


def recorded_after(session: Session, team_id: str, after_id: int, due_from: datetime,
                   due_to: datetime) -> list[tuple[str, str, datetime | None, bool]]:
    """(kind, state, not_before, failed for now) of each send recorded after a mark, or waiting for
    a time in (due_from, due_to], oldest first: what moving the clock over that span set going."""
    rows = session.exec(select(Outbox.kind, Outbox.state, Outbox.not_before, Outbox.error.is_not(None))
                        .where(Outbox.team_id == team_id,
                               or_(Outbox.id > after_id,
                                   (Outbox.not_before > due_from) & (Outbox.not_before <= due_to)))
                        .order_by(Outbox.id))
    return [tuple(row) for row in rows]


def next_scheduled(session: Session, team_id: str, after: datetime) -> Outbox | None:
    """The first send waiting for a time of its own after `after` (a reminder the day before, a
    welcome back): not a retry, which has an error beside its time."""
    return session.exec(select(Outbox).where(
        Outbox.team_id == team_id, Outbox.state == SendState.pending.value, Outbox.not_before > after,
        Outbox.error.is_(None)).order_by(Outbox.not_before, Outbox.id)).first()
