"""End to end: the real `unmentor serve` process, signed requests over HTTP, the spec-checked fake Slack.

Personas: alice (Acme, joins by naming her organisation), bob (email at beta.example, which
an organiser maps to Beta), carol (no organisation known: gets the modal), olive (an
organiser named in UNMENTOR_ORGANISERS).

Which reply came back is asserted by comparing it whole with what its builder makes from the
same state (read from the database, in the member's own time zone); the words themselves are
checked in tests/bot/blocks/golden/.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from types import SimpleNamespace

import pytest
from sqlmodel import SQLModel, select

from bot import commands, home
from bot.blocks import member as member_blocks
from bot.blocks import organisers as organiser_blocks
from bot.blocks import sends as send_blocks
from playground.slack import TEAM_ID
from playground.slack import payloads as sr
from scheduler import membership
from scheduler.membership import Change, HeadsUpRound
from scheduler.sends.welcome import Welcome
from scheduler.workspace_schedule import next_round_at
from storage.db import make_engine, session_scope
from storage.models import Member, Outbox
from tests import said
from tests.botprocess import BotServer, bot_env
from tests.conftest import SIGNING_SECRET

OLIVE = "U0OLIVE"


@pytest.fixture(scope="module")
def server(module_db_url, module_fake_slack, tmp_path_factory):
    env = bot_env(module_db_url, module_fake_slack.api_url, UNMENTOR_ORGANISERS=OLIVE)
    bot = BotServer(env, str(tmp_path_factory.mktemp("serve")), "--no-scheduler")
    yield bot
    bot.stop()


@pytest.fixture(scope="module")
def db(module_db_url, server):
    engine = make_engine(module_db_url)
    server.engine = engine  # for command(): whether a command changed what the person's Home shows
    yield engine
    engine.dispose()


@pytest.fixture
def team(db):
    """The stand-in's workspace, the only one the bot serves, emptied for each test (the server is shared)."""
    with db.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())
    return TEAM_ID


def command(server, slack, text, user, team, **extra):
    """Send `/unmentor text` and return (status, seconds to answer, the ephemeral reply's text)."""
    name = "r" + uuid.uuid4().hex[:8]
    body = sr.slash_command_body(text, user_id=user, team_id=team, response_url=slack.response_url(name), **extra)
    started = time.monotonic()
    status, _ = sr.post(server.url, body, SIGNING_SECRET)
    elapsed = time.monotonic() - started
    published = len(said.homes(slack, user))
    redraws = commands.split(text)[0] in commands.REDRAWS_HOME
    before = home.what_it_shows(SimpleNamespace(engine=server.engine), team, user) if redraws else None
    slack.wait_for(lambda f: any(r["_name"] == name for r in f.responses) or f.calls_to("views.open"), timeout=10)
    replies = [r for r in slack.responses if r["_name"] == name]
    if replies and redraws and home.what_it_shows(SimpleNamespace(engine=server.engine), team, user) != before:
        # A command that changed what their App Home shows redraws it after replying: wait for it
        # here, so it can't land in the next test's Slack (this module's tests share bot and stand-in).
        assert slack.wait_for(lambda f: len(said.homes(f, user)) > published, timeout=10)
    return status, elapsed, (replies[-1]["text"] if replies else None), (replies[-1] if replies else None)


def joined(db, team, created: bool, organisation: str, zone="Europe/London") -> dict:
    """The welcome (or "updated") reply as the builder makes it for this workspace's next round."""
    with session_scope(db) as session:
        next_at = next_round_at(session, team)
    return said.built_for(zone, member_blocks.joined_message, created, organisation, next_at)


def status_reply(db, team, user, zone="Europe/London") -> dict:
    with session_scope(db) as session:
        view = membership.status(session, team, user, next_round_at(session, team))
    return said.built_for(zone, member_blocks.status_message, view)


def member(db, team, user) -> Member | None:
    with session_scope(db) as session:
        return session.exec(select(Member).where(Member.team_id == team, Member.slack_user_id == user)).first()


def test_health_check_answers(server):
    import urllib.request

    with urllib.request.urlopen(server.health_url) as response:
        assert json.loads(response.read()) == {"ok": True}


def test_alice_joins_by_naming_her_organisation(server, slack, db, team):
    slack.add_user("U0ALICE", real_name="Alice A", email="alice@acme.example", title="Head of Ops", tz="Europe/Paris")
    status, elapsed, text, reply = command(server, slack, "join Acme Ltd", "U0ALICE", team)
    assert status == 200 and elapsed < 3
    assert said.is_({"text": text}, joined(db, team, True, "Acme Ltd", "Europe/Paris"))
    assert reply["response_type"] == "ephemeral"
    alice = member(db, team, "U0ALICE")
    assert (alice.organisation, alice.status, alice.role, alice.timezone) == (
        "Acme Ltd",
        "active",
        "Head of Ops",
        "Europe/Paris",
    )

    # Joining again updates the one member, never a second.
    _, _, text, _ = command(server, slack, "join  ACME ltd ", "U0ALICE", team)
    assert said.is_({"text": text}, joined(db, team, False, "ACME ltd", "Europe/Paris"))
    with session_scope(db) as session:
        rows = session.exec(select(Member).where(Member.team_id == team)).all()
    assert [m.organisation for m in rows] == ["ACME ltd"]


def test_bob_joins_in_one_step_once_an_organiser_maps_his_email_domain(server, slack, db, team):
    slack.add_user("U0BOB", real_name="Bob B", email="bob@beta.example")
    _, _, text, _ = command(server, slack, "domain add beta.example Beta Corp", "U0BOB", team)
    assert said.is_({"text": text}, member_blocks.organisers_only_message())  # bob can't set the map himself

    _, _, text, _ = command(server, slack, "domain add beta.example Beta Corp", OLIVE, team)
    assert said.is_({"text": text}, organiser_blocks.domain_saved_message("beta.example", "Beta Corp"))
    _, _, text, _ = command(server, slack, "join", "U0BOB", team)
    assert said.is_({"text": text}, joined(db, team, True, "Beta Corp"))
    assert member(db, team, "U0BOB").organisation == "Beta Corp"
    assert slack.calls_to("views.open") == []


def test_carol_gets_a_short_modal_prefilled_from_her_profile(server, slack, db, team):
    slack.add_user("U0CAROL", real_name="Carol C", email="carol@gmail.example", title="Researcher", tz="Asia/Tokyo")
    status, elapsed, text, _ = command(server, slack, "join", "U0CAROL", team)
    assert status == 200 and elapsed < 3 and text is None
    assert slack.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.calls_to("views.open")[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    fields = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert view["callback_id"] == "join_profile"
    assert fields == ["organisation", "role", "talk_about", "could_share"]
    role = next(b for b in view["blocks"] if b.get("block_id") == "role")
    assert role["element"]["initial_value"] == "Researcher"
    assert member(db, team, "U0CAROL") is None  # nothing stored until she submits

    values = {
        "organisation": {"value": {"type": "plain_text_input", "value": "Gamma Labs"}},
        "role": {"value": {"type": "plain_text_input", "value": "Researcher"}},
        "talk_about": {"value": {"type": "plain_text_input", "value": "Moving from academia"}},
        "could_share": {"value": {"type": "plain_text_input", "value": "Grant writing"}},
    }
    status, body = sr.post(
        server.url, sr.view_submission_body("join_profile", values, "U0CAROL", team_id=team), SIGNING_SECRET
    )
    assert status == 200 and json.loads(body or "{}").get("response_action") is None
    assert slack.wait_for(lambda f: said.sends(f, "welcome", "U0CAROL"))
    carol = member(db, team, "U0CAROL")
    assert (carol.organisation, carol.talk_about, carol.could_share, carol.timezone) == (
        "Gamma Labs", "Moving from academia", "Grant writing", "Asia/Tokyo")
    # One message, the lasting welcome, sent through the outbox (so never twice), in her own time zone.
    (dm,) = [c.args for c in slack.calls_to("chat.postMessage")]
    with session_scope(db) as session:
        next_at = next_round_at(session, team)
        (row,) = session.exec(select(Outbox).where(Outbox.team_id == team)).all()
    assert (row.kind, row.member_id) == ("welcome", carol.id)
    assert said.is_({"text": dm["text"]}, said.built_for("Asia/Tokyo", send_blocks.welcome_message,
                                                         Welcome("Gamma Labs", next_at)))


def test_a_bad_modal_answer_is_shown_beside_the_field_and_nothing_is_stored(server, slack, db, team):
    values = {
        "organisation": {"value": {"type": "plain_text_input", "value": "<!channel>"}},
        "role": {"value": {"type": "plain_text_input", "value": None}},
    }
    status, body = sr.post(
        server.url, sr.view_submission_body("join_profile", values, "U0DAN", team_id=team), SIGNING_SECRET
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and "mentions" in answer["errors"]["organisation"]
    assert member(db, team, "U0DAN") is None


@pytest.mark.parametrize(
    "text, says",
    [
        ("join " + "x" * 200, "keep it to 80"),
        ("join <!here> Ltd", "mentions"),
        ("join \u200b\u200b", None),  # invisible only: treated as no organisation, so the modal opens
    ],
)
def test_bad_join_input_gets_a_clear_message_and_stores_nothing(server, slack, db, team, text, says):
    slack.add_user("U0EVE", email="eve@unknown.example")
    _, elapsed, reply, _ = command(server, slack, text, "U0EVE", team)
    assert elapsed < 3
    if says:
        assert says in reply and "Nothing was changed" in reply
    assert member(db, team, "U0EVE") is None


def test_sql_looking_organisations_are_stored_as_plain_words(server, slack, db, team):
    slack.add_user("U0BOBBY")
    _, _, text, _ = command(server, slack, "join Robert'); DROP TABLE member;--", "U0BOBBY", team)
    assert said.is_({"text": text}, joined(db, team, True, "Robert'); DROP TABLE member;--"))
    assert member(db, team, "U0BOBBY").organisation == "Robert'); DROP TABLE member;--"


def test_pause_resume_skip_and_status(server, slack, db, team):
    slack.add_user("U0FRAN")
    # The manifest turns on escaping, so Slack sends "&" as "&amp;" (and mentions as <@U…|name>).
    command(server, slack, "join Fran &amp; Co", "U0FRAN", team)
    assert member(db, team, "U0FRAN").organisation == "Fran & Co"

    _, _, text, _ = command(server, slack, "pause", "U0FRAN", team)
    assert said.is_({"text": text}, member_blocks.change_message("pause", Change.done))
    assert member(db, team, "U0FRAN").status == "paused"
    _, _, text, _ = command(server, slack, "status", "U0FRAN", team)
    # What she asked for, in the words she reads (status_reply is built from the same state).
    assert member(db, team, "U0FRAN").status == "paused"
    assert "*Status:* paused" in text and "`/unmentor resume`" in text
    assert said.is_({"text": text}, status_reply(db, team, "U0FRAN"))
    assert "Fran &amp; Co" in text and "<!date^" in text  # her organisation escaped, the date for her clock

    _, _, text, _ = command(server, slack, "resume", "U0FRAN", team)
    assert said.is_({"text": text}, member_blocks.change_message("resume", Change.done))
    assert member(db, team, "U0FRAN").status == "active"
    _, _, text, _ = command(server, slack, "resume", "U0FRAN", team)
    assert said.is_({"text": text}, member_blocks.change_message("resume", Change.already))

    _, _, text, _ = command(server, slack, "skip", "U0FRAN", team)
    assert said.is_({"text": text}, member_blocks.change_message("skip", Change.done))
    assert member(db, team, "U0FRAN").status == "skipping"
    _, _, text, _ = command(server, slack, "status", "U0FRAN", team)
    assert member(db, team, "U0FRAN").status == "skipping"
    assert "*Status:* skipping the next round" in text
    assert said.is_({"text": text}, status_reply(db, team, "U0FRAN"))


def test_people_who_have_not_joined_are_told_how_to(server, slack, team):
    for word in ("pause", "status", "leave"):
        _, _, text, _ = command(server, slack, word, "U0NOBODY", team)
        assert said.is_({"text": text}, member_blocks.not_member_message())


def test_leaving_asks_first_then_deletes_the_members_data(server, slack, db, team):
    slack.add_user("U0GUS")
    command(server, slack, "join Gus Ltd", "U0GUS", team)
    _, _, text, reply = command(server, slack, "leave", "U0GUS", team)
    assert said.is_({"text": text}, member_blocks.leave_confirm_message())
    assert member(db, team, "U0GUS").status == "active"  # nothing happens until confirmed
    buttons = [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["member_leave_confirm", "member_leave_pause", "member_leave_cancel"]

    response_url = slack.response_url("leave-click")
    body = sr.block_actions_body("member_leave_confirm", "leave", "U0GUS", team_id=team, response_url=response_url)
    published = len(slack.calls_to("views.publish"))
    status, _ = sr.post(server.url, body, SIGNING_SECRET)
    assert status == 200
    assert slack.wait_for(lambda f: any(r["_name"] == "leave-click" for r in f.responses))
    # Their App Home is redrawn too, with nothing of theirs left to pause (and before this test ends,
    # so the redraw can't land in the next one's Slack).
    assert slack.wait_for(lambda f: len(f.calls_to("views.publish")) > published, timeout=10)
    assert "member_pause" not in json.dumps(slack.calls_to("views.publish")[-1].args["view"])
    reply = [r for r in slack.responses if r["_name"] == "leave-click"][-1]
    assert said.is_(reply, member_blocks.left_message()) and reply["replace_original"] is True
    assert member(db, team, "U0GUS") is None
    with session_scope(db) as session:
        (anonymous,) = session.exec(select(Member).where(Member.team_id == team)).all()
    assert anonymous.status == "left" and anonymous.organisation == "" and anonymous.slack_user_id is None


def test_help_and_unknown_words_get_the_help_text_kindly(server, slack, team):
    _, _, text, _ = command(server, slack, "help", "U0HAL", team)
    assert said.is_({"text": text}, member_blocks.help_message())
    for word in ("join", "status", "pause", "resume", "skip", "leave"):
        assert f"/unmentor {word}" in text  # every command is listed
    _, _, text, _ = command(server, slack, "", "U0HAL", team)
    assert said.is_({"text": text}, member_blocks.help_message())
    _, _, text, _ = command(server, slack, "frobnicate <@U1>", "U0HAL", team)
    assert said.is_({"text": text}, member_blocks.unknown_command_message("frobnicate"))


def test_a_request_with_a_bad_or_stale_signature_is_refused_and_changes_nothing(server, slack, db, team):
    body = sr.slash_command_body("join Mallory Inc", user_id="U0MAL", team_id=team, response_url=slack.response_url())
    status, _ = sr.post(server.url, body, "not-the-signing-secret")
    assert status == 401
    status, _ = sr.post(server.url, body, SIGNING_SECRET, timestamp=int(time.time()) - 600)
    assert status == 401
    time.sleep(0.3)
    assert member(db, team, "U0MAL") is None
    assert slack.responses == []


def test_a_retried_event_is_handled_once(server, slack, team):
    event = sr.app_home_opened_event("U0IVY")
    event_id = "Ev" + uuid.uuid4().hex[:10].upper()
    for retry in (None, 1):
        body, headers = sr.event_body(event, team_id=team, event_id=event_id, retry_num=retry)
        status, _ = sr.post(server.url, body, SIGNING_SECRET, headers=headers)
        assert status == 200
    assert slack.wait_for(lambda f: f.calls_to("views.publish"))
    time.sleep(0.5)
    publishes = slack.calls_to("views.publish")
    assert len(publishes) == 1 and publishes[0].args["user_id"] == "U0IVY"


def test_skip_this_round_on_the_heads_up_takes_one_click(server, slack, db, team):
    slack.add_user("U0JO")
    command(server, slack, "join Jo Studio", "U0JO", team)
    body = sr.block_actions_body("round_skip", "skip", "U0JO", team_id=team, response_url=slack.response_url("skip"))
    status, _ = sr.post(server.url, body, SIGNING_SECRET)
    assert status == 200
    assert slack.wait_for(lambda f: any(r["_name"] == "skip" for r in f.responses))
    reply = [r for r in slack.responses if r["_name"] == "skip"][-1]
    assert said.is_(reply, member_blocks.skip_round_reply(Change.done, HeadsUpRound.upcoming))
    assert reply["replace_original"] is True
    assert member(db, team, "U0JO").status == "skipping"
    assert slack.wait_for(lambda f: f.calls_to("views.publish"))  # App Home shows the change


def test_forty_joins_at_once_into_a_fresh_workspace_all_land(server, slack, db, team):
    # The first /unmentor in a workspace creates its row; forty arriving together race to do
    # it (on PostgreSQL the losers used to fail on workspace_pkey and were silently lost).
    users = [f"U0RUSH{n:02d}" for n in range(40)]
    for n, user in enumerate(users):
        slack.add_user(user, real_name=f"Rush {n}", email=f"rush{n}@org{n % 5}.example")
    barrier = threading.Barrier(len(users))
    answers: dict[str, tuple] = {}

    def join(n: int, user: str) -> None:
        barrier.wait()
        answers[user] = command(server, slack, f"join Org {n % 5}", user, team)

    threads = [threading.Thread(target=join, args=(n, user)) for n, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(status == 200 for status, _, _, _ in answers.values()) and len(answers) == 40
    told_in = [user for user, (_, _, text, _) in answers.items()
               if text and said.is_({"text": text}, joined(db, team, True, f"Org {users.index(user) % 5}"))]
    assert sorted(told_in) == users
    with session_scope(db) as session:
        stored = session.exec(select(Member.slack_user_id).where(Member.team_id == team)).all()
    assert sorted(stored) == users
