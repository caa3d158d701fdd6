"""Sends queued before the outbox had params (revision 0008) still go out as the same message after the upgrade."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from alembic import command
from freezegun import freeze_time
from sqlalchemy import text
from sqlmodel import select

from scheduler import sends
from scheduler.sends.announce import Announcement, AnnounceSend
from scheduler.sends.follow_up import FollowUpAsk, FollowUpSend
from scheduler.sends.intro import intro_for
from scheduler.sends.nudge import Nudge, NudgeSend
from scheduler.sends.partner_moved_on import PartnerMovedOn
from scheduler.sends.paused_quietly import PausedQuietly
from scheduler.sends.reminder import Reminder, ReminderSend
from scheduler.sends.reschedule_accepted import RescheduleAccepted
from scheduler.sends.reschedule_notice import RescheduleNotice, RescheduleNoticeSend
from scheduler.sends.stay_in_touch import StayInTouch
from scheduler.sends.unmatched import Unmatched, UnmatchedSend
from scheduler.sends.welcome_back import WelcomeBack, WelcomeBackSend
from scheduler.workspace_schedule import next_round_at
from storage import meetings as meeting_store
from storage import members as member_store
from storage import rounds as round_store
from storage.db import alembic_config, current_revision, make_engine, session_scope, upgrade
from storage.models import Outbox

UTC = timezone.utc
TEAM = "T1"
NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
MEETING = datetime(2026, 12, 15, 14, 30, tzinfo=UTC)
BEFORE = "0008"  # the revision before the outbox had params


def _build_round(engine):
    """Members, a round and groups in every state a kind of send looks at, written at revision 0008."""
    with session_scope(engine) as session:
        ids = {}
        for user, organisation in [("U1", "Acme"), ("U2", "Beta"), ("U3", "Gamma")]:
            # Straight into the table as it was then: today's join also reads tables that came later.
            member_store.ensure_workspace(session, TEAM)
            member, _ = member_store.upsert_member(session, TEAM, user, organisation=organisation,
                                                   organisation_key=organisation.lower(), status="active",
                                                   timezone="Europe/London", joined_at=NOW)
            ids[user] = member.id
        round_ = round_store.create_round(session, team_id=TEAM, period="2026-12", seed=7,
                                          opens_at=NOW - timedelta(days=2), nudge_at=NOW + timedelta(days=8),
                                          follow_up_at=NOW + timedelta(days=19), closes_at=NOW + timedelta(days=26))
        session.flush()
        pair = [ids["U1"], ids["U2"]]
        new = round_store.add_group(session, round_, pair, [])
        live = round_store.add_group(session, round_, pair, [])
        round_store.set_group_fields(session, live, channel_id="G1", intro_ts="1.000001")
        scheduled = round_store.add_group(session, round_, pair, [])
        round_store.set_group_fields(session, scheduled, status="scheduled", meeting_at=MEETING, channel_id="G2",
                                     intro_ts="2.000001")
        moving = round_store.add_group(session, round_, pair, [])
        round_store.set_group_fields(session, moving, status="rescheduling", meeting_at=MEETING, channel_id="G3",
                                     intro_ts="3.000001")
        asked = meeting_store.add_event(session, TEAM, moving.id, "reschedule_asked", ids["U1"], "Sorry, a clash",
                                        meeting_at=MEETING)
        accepted = meeting_store.add_event(session, TEAM, scheduled.id, "reschedule_accepted", ids["U2"])
        return ids, round_.id, new.id, live.id, scheduled.id, moving.id, asked.id, accepted.id


def _build_round_at_before(engine):
    """The round built with today's models, then the schema taken back to 0008 (later columns
    dropped, every row kept): a column added since must not stop today's code writing it."""
    upgrade(engine)
    with freeze_time(NOW):
        built = _build_round(engine)
    command.downgrade(alembic_config(engine), BEFORE)
    assert current_revision(engine) == BEFORE
    return built


def _insert_as_written_before(engine, rows):
    """Outbox rows exactly as the code of revision 0008 wrote them: the send's data inside its key."""
    with engine.begin() as connection:
        for key, kind, round_id, group_id, member_id, not_before in rows:
            connection.execute(text(
                "INSERT INTO outbox (team_id, key, kind, round_id, group_id, member_id, state, attempts,"
                " not_before, created_at) VALUES (:team, :key, :kind, :round_id, :group_id, :member_id, 'pending', 0,"
                " :not_before, :created_at)"),
                {"team": TEAM, "key": key, "kind": kind, "round_id": round_id, "group_id": group_id,
                 "member_id": member_id, "not_before": not_before.replace(tzinfo=None) if not_before else None,
                 "created_at": NOW.replace(tzinfo=None)})


def test_sends_queued_before_the_upgrade_plan_to_the_same_messages_after_it(empty_db_url):
    engine = make_engine(empty_db_url)
    ids, round_id, new, live, scheduled, moving, asked, accepted = _build_round_at_before(engine)
    with freeze_time(NOW):
        u1, u2, u3 = ids["U1"], ids["U2"], ids["U3"]
        send_at = MEETING - timedelta(days=1)
        # The f-strings of revision 0008's scheduler/rounds.py, meetings.py and rematch.py.
        _insert_as_written_before(engine, [
            (f"intro:{new}", "intro", round_id, new, None, None),
            (f"intro:{new}:without:{u3}-{u3 + 7}", "intro", round_id, new, None, None),
            (f"intro_update:{live}:closed", "intro_update", round_id, live, None, None),
            (f"nudge:{live}", "nudge", round_id, live, None, None),
            (f"follow_up:{live}:{u1}", "follow_up", round_id, live, u1, None),
            (f"unmatched:{round_id}:{u3}:no_trio_possible", "unmatched", round_id, None, u3, None),
            (f"partner_unreachable:{round_id}:{u3}", "partner_unreachable", round_id, None, u3, None),
            (f"announce:2027-01:{u1}", "announce", None, None, u1, None),
            (f"reminder:{scheduled}:{u1}:{MEETING.isoformat()}", "reminder", round_id, scheduled, u1, send_at),
            (f"reschedule_notice:{asked}:{u2}", "reschedule_notice", round_id, moving, u2, None),
            (f"reschedule_accepted:{accepted}", "reschedule_accepted", round_id, scheduled, u1, None),
            (f"partner_moved_on:{live}:{u2}", "partner_moved_on", round_id, live, u2, None),
            (f"stay_in_touch:{live}:{u1}", "stay_in_touch", round_id, live, u1, None),
            (f"paused_quiet:{round_id}:{u1}", "paused_quiet", round_id, None, u1, None),
            (f"welcome_back:{u2}:20261209", "welcome_back", None, None, u2, None),
        ])
        upgrade(engine)
        assert current_revision(engine) != BEFORE
        with session_scope(engine) as session:
            rows = {row.key: row for row in session.exec(select(Outbox))}
            planned = {key: sends.plan(session, row) for key, row in rows.items()}
            next_at = next_round_at(session, TEAM)
            intro = intro_for(session, new)
            live_intro = intro_for(session, live)
    engine.dispose()
    assert len(planned) == 15
    expected = {
        f"intro:{new}": sends.Plan(intro, users=("U1", "U2")),
        f"intro:{new}:without:{u3}-{u3 + 7}": sends.Plan(intro, users=("U1", "U2")),
        f"intro_update:{live}:closed": sends.Plan(live_intro, channel="G1", update_ts="1.000001"),
        f"nudge:{live}": sends.Plan(Nudge(live, 1, ("U1", "U2"), NOW + timedelta(days=26)), channel="G1"),
        # A group that never said it met is asked only whether they talked.
        f"follow_up:{live}:{u1}": sends.Plan(FollowUpAsk(live, 1, ("U2",), met=False), channel="U1"),
        f"unmatched:{round_id}:{u3}": sends.Plan(Unmatched(1, "no_trio_possible", next_at), channel="U3"),
        f"partner_unreachable:{round_id}:{u3}": sends.Plan(Unmatched(1, "partner_unreachable", next_at), channel="U3"),
        f"announce:2027-01:{u1}": sends.Plan(Announcement("2027-01", next_at), channel="U1"),
        f"reminder:{scheduled}:{u1}:{MEETING.isoformat()}": sends.Plan(Reminder(scheduled, ("U2",), MEETING),
                                                                       channel="U1"),
        f"reschedule_notice:{asked}:{u2}": sends.Plan(RescheduleNotice(moving, "U1", MEETING, "Sorry, a clash"),
                                                      channel="U2"),
        f"reschedule_accepted:{accepted}": sends.Plan(RescheduleAccepted("U2", MEETING), channel="U1"),
        f"partner_moved_on:{live}:{u2}": sends.Plan(PartnerMovedOn(1, next_at, ("U1",)), channel="U2"),
        f"stay_in_touch:{live}:{u1}": sends.Plan(StayInTouch(("U2",)), channel="U1"),
        f"paused_quiet:{round_id}:{u1}": sends.Plan(PausedQuietly(), channel="U1"),
        f"welcome_back:{u2}:20261209": sends.Plan(WelcomeBack(next_at), channel="U2"),
    }
    assert planned == expected
    # What the keys carried is now typed parameters on the row.
    assert json.loads(rows[f"intro:{new}:without:{u3}-{u3 + 7}"].params) == {"without": [u3, u3 + 7]}
    reminder = sends.load(rows[f"reminder:{scheduled}:{u1}:{MEETING.isoformat()}"])
    assert (reminder.meeting_at, reminder.send_at) == (MEETING, send_at)
    # The one key whose shape changed is today's shape; the reason moved into the parameters.
    assert f"unmatched:{round_id}:{u3}:no_trio_possible" not in rows
    assert sends.load(rows[f"unmatched:{round_id}:{u3}"]).reason == "no_trio_possible"


def test_queuing_a_send_again_after_the_upgrade_finds_the_one_queued_before_it(empty_db_url):
    engine = make_engine(empty_db_url)
    ids, round_id, _new, live, scheduled, moving, asked, _accepted = _build_round_at_before(engine)
    with freeze_time(NOW):
        u1, u2, u3 = ids["U1"], ids["U2"], ids["U3"]
        _insert_as_written_before(engine, [
            (f"nudge:{live}", "nudge", round_id, live, None, None),
            (f"follow_up:{live}:{u1}", "follow_up", round_id, live, u1, None),
            (f"announce:2027-01:{u1}", "announce", None, None, u1, None),
            (f"reminder:{scheduled}:{u1}:{MEETING.isoformat()}", "reminder", round_id, scheduled, u1,
             MEETING - timedelta(days=1)),
            (f"reschedule_notice:{asked}:{u2}", "reschedule_notice", round_id, moving, u2, None),
            (f"welcome_back:{u2}:20261209", "welcome_back", None, None, u2, None),
            (f"unmatched:{round_id}:{u3}:no_trio_possible", "unmatched", round_id, None, u3, None),
        ])
        upgrade(engine)
        again = [
            NudgeSend(round_id=round_id, group_id=live),
            FollowUpSend(round_id=round_id, group_id=live, member_id=u1),
            AnnounceSend(member_id=u1, period="2027-01"),
            ReminderSend(round_id=round_id, group_id=scheduled, member_id=u1, meeting_at=MEETING,
                         send_at=MEETING - timedelta(days=1)),
            RescheduleNoticeSend(round_id=round_id, group_id=moving, member_id=u2, event_id=asked),
            WelcomeBackSend(member_id=u2, day="20261209"),
            UnmatchedSend(round_id=round_id, member_id=u3, reason="no_trio_possible"),
        ]
        with session_scope(engine) as session:
            assert sends.queue(session, TEAM, again) == 0
            assert len(session.exec(select(Outbox)).all()) == 7
    engine.dispose()
