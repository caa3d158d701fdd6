"""After leave (or an organiser's remove), nothing in the database, or in SQLite's files, ties a row to the person."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import MetaData, select
from sqlmodel import select as sql_select

from bot import ids
from bot.app import make_client
from bot.config import Settings
from bot.gateway import SlackGateway
from scheduler import avoid, delivery, meetings, membership, organisers, rounds
from scheduler.membership import ProfileForm, SlackProfile
from storage import members as member_store
from storage.db import session_scope
from storage.models import Group, GroupMember, Outbox
from tests.conftest import BOT_TOKEN
from tests.personas import OPENS, TEAM, heads_up_went

UTC = timezone.utc
ERIN = "U0ERASEME"
EMAIL = "erin.quayle@zanzibar-widgets.example"
SAID = {
    "organisation": "Zanzibar Widgets Cooperative",
    "role": "Quokka wrangler",
    "talk_about": "tide pools and ledgers",
    "could_share": "abacus repair tips",
}
NOTE = "meet by the lighthouse instead"
LEARNED, SHARED = "learned about kelp forests", "shared my ledger secrets"
OTHERS = [("U0PARTNER", "Beta"), ("U0THIRD", "Gamma"), ("U0FOURTH", "Delta")]


def _everything_in_the_database(engine) -> str:
    """Every value of every row of every table (as the database has them, whoever added the column)."""
    metadata = MetaData()
    metadata.reflect(engine)
    values = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                values.extend(str(v) for v in row if v is not None)
    return "\n".join(values).casefold()


def _sqlite_files(url: str) -> list[Path]:
    path = Path(url.removeprefix("sqlite:///"))
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _erin_with_a_history(engine, fake_slack):
    fake_slack.add_user(ERIN, real_name="Erin Quayle", email=EMAIL)
    gateway = SlackGateway(make_client(Settings(bot_token=BOT_TOKEN, slack_api_url=fake_slack.api_url)))
    with session_scope(engine) as session:
        membership.save_profile(session, TEAM, ERIN, ProfileForm(**SAID),
                                SlackProfile(email=EMAIL, timezone="Europe/London", name="Erin Quayle"))
        for user, organisation in OTHERS:
            fake_slack.add_user(user, real_name=user)
            membership.save_profile(session, TEAM, user, ProfileForm(organisation=organisation),
                                    SlackProfile(timezone="Europe/London"))
        organisers.add(session, TEAM, ERIN, added_by="U0FOURTH")
    heads_up_went(engine)
    with session_scope(engine) as session:
        organisers.add(session, TEAM, "U0FOURTH", added_by=ERIN)
        assert avoid.avoid(session, TEAM, ERIN, "U0AVOIDED") is avoid.AvoidChange.done
        assert avoid.avoid(session, TEAM, "U0THIRD", ERIN) is avoid.AvoidChange.done
    with freeze_time(OPENS, tick=True):
        assert rounds.open_round(engine, TEAM).reason == "opened"
        delivery.deliver(engine, TEAM, gateway, pace=0)
        with session_scope(engine) as session:
            erin = member_store.get_member(session, TEAM, ERIN)
            group_id = session.exec(sql_select(GroupMember.group_id).where(GroupMember.member_id == erin.id)).one()
            partner = session.exec(sql_select(GroupMember).where(GroupMember.group_id == group_id,
                                                                 GroupMember.member_id != erin.id)).first()
            partner_user = member_store.get_member_by_id(session, partner.member_id).slack_user_id
            assert meetings.ask_reschedule(session, TEAM, ERIN, group_id, None, NOTE).outcome is meetings.Outcome.done
            meetings.save_follow_up(session, TEAM, ERIN, group_id,
                                    meetings.FollowUpForm(LEARNED, SHARED, stay_in_touch=True,
                                                          organisers_may_read=True))
            meetings.save_follow_up(session, TEAM, partner_user, group_id,
                                    meetings.FollowUpForm("a partner's own words", "", stay_in_touch=True))
        delivery.deliver(engine, TEAM, gateway, pace=0)
    with session_scope(engine) as session:
        # Her DM and the group DM; not her partner's own DM with the bot, which is theirs and is
        # where they're told, after she leaves, that the match has ended.
        channels = {c for c in session.exec(sql_select(Outbox.channel_id).where(
            (Outbox.member_id == erin.id) | ((Outbox.group_id == group_id) & Outbox.member_id.is_(None)))) if c}
        channels.add(session.get(Group, group_id).channel_id)
    assert any(c.startswith("D") for c in channels) and any(c.startswith("G") for c in channels), channels
    return channels


def _traces(channels) -> list[str]:
    return [ERIN, "Erin Quayle", EMAIL, "zanzibar", *SAID.values(), NOTE, LEARNED, SHARED, "U0AVOIDED", *channels]


def test_after_leaving_no_table_holds_anything_of_the_person(engine, fake_slack):
    channels = _erin_with_a_history(engine, fake_slack)
    before = _everything_in_the_database(engine)
    # The search finds what is there (her address never was: only the domain is kept; her name is,
    # for the title of her partners' calendar links).
    assert [t for t in _traces(channels) if t.casefold() not in before] == [EMAIL]
    with session_scope(engine) as session:
        # `/unmentor leave`, the Home tab's Leave and an organiser's `/unmentor remove @erin` all end here.
        assert membership.leave(session, TEAM, ERIN) is membership.Change.done
    after = _everything_in_the_database(engine)
    for trace in _traces(channels):
        assert trace.casefold() not in after, f"{trace!r} is still in the database"
    # Counts stay: four members ever joined, one group was formed.
    with session_scope(engine) as session:
        assert member_store.count_by_status(session, TEAM)["left"] == 1


def test_after_leaving_no_sqlite_file_holds_anything_either(sqlite_url, sqlite_engine, fake_slack):
    channels = _erin_with_a_history(sqlite_engine, fake_slack)
    files_before = b"".join(p.read_bytes() for p in _sqlite_files(sqlite_url))
    assert SAID["talk_about"].encode() in files_before
    with session_scope(sqlite_engine) as session:
        membership.leave(session, TEAM, ERIN)
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    files = {p.name: p.read_bytes() for p in _sqlite_files(sqlite_url)}
    assert any(name.endswith("-wal") for name in files)  # the log is there, emptied, not gone
    for trace in _traces(channels):
        for name, data in files.items():
            assert trace.encode() not in data, f"{trace!r} is still in {name}"


@pytest.mark.parametrize("how", ["leave", "remove"])
def test_leave_and_remove_through_the_running_bot_leave_nothing_either(engine, fake_slack, how):
    """The same search after `/unmentor leave` (and its confirm button), or an organiser's `remove @erin`."""
    from tests.inprocess import Bot

    channels = _erin_with_a_history(engine, fake_slack)
    bot = Bot(engine, fake_slack, TEAM, organisers=("U0ORGANISER",))
    try:
        published = len(fake_slack.calls_to("views.publish"))
        if how == "leave":
            assert "delete" in bot.command("leave", ERIN)["text"]
            bot.reply(bot.click(ids.LEAVE_CONFIRM, ERIN, value="leave"))
            # Her Home tab is redrawn after the reply; let that finish before Slack goes away.
            assert fake_slack.wait_for(lambda f: len(f.calls_to("views.publish")) > published, timeout=10)
        else:
            assert "Remove" in bot.command(f"remove <@{ERIN}>", "U0ORGANISER")["text"]
            removed = bot.reply(bot.click(ids.ORG_REMOVE, "U0ORGANISER", value=ids.remove_value(ERIN, True)))
            assert "Removed" in removed["text"]
    finally:
        bot.stop()
    after = _everything_in_the_database(engine)
    for trace in _traces(channels):
        assert trace.casefold() not in after, f"{trace!r} is still in the database after {how}"
