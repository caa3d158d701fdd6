"""Organisers end to end: who they are, App Home, stats, export and controls, through signed HTTP requests.

Personas: olive (organiser by UNMENTOR_ORGANISERS), adam (a Slack workspace admin), otto
(made an organiser by olive), and members ada (Acme), ben (Beta), cy (Gamma), di (Delta)
who are not organisers. The home views are checked against the Block Kit schema by the fake.
Which message came back is asserted by ids, by the state it reports (read from the database)
and by comparing it whole with what its builder makes; the words are checked in
tests/bot/blocks/golden/. Checks that nobody's unshared words or names leak stay here.

Longer than 400 lines on purpose: every organiser control, against one fixture (the personas
themselves are in tests/personas.py).
"""

from __future__ import annotations

import json
from datetime import timedelta, timezone

import pytest
from freezegun import freeze_time
from sqlmodel import select

from bot import ids
from bot.blocks import member as member_blocks
from bot.blocks import organisers as organiser_blocks
from playground.slack import BOT_USER_ID
from scheduler import membership, rounds, stats
from scheduler.meetings import FollowUpForm, mark_met, save_follow_up
from storage.db import session_scope
from storage.models import Group, Member, Round
from tests import personas, said
from tests.inprocess import Bot
from tests.personas import MEMBERS, OLIVE, OPENS, ORGANISERS, TEAM, introduce, join

UTC = timezone.utc
SECRET = "I learned the secret recipe"
SHAREABLE = "How another charity budgets for volunteers"


@pytest.fixture
def bot(engine, fake_slack):
    introduce(fake_slack, ORGANISERS)
    join(engine, MEMBERS[:4], fake_slack)  # ada, ben, cy, di
    running = Bot(engine, fake_slack, TEAM, organisers=[OLIVE.user_id])
    yield running
    running.stop()


def a_round_with_answers(bot, learned=(SHAREABLE, "Another lesson", "A third lesson")):
    """Round 1, closed: both pairs matched, one met. Everyone answered; three let organisers read."""
    with freeze_time(OPENS, tick=True):
        rounds.open_round(bot.engine, TEAM)
        bot.deliver()
    with session_scope(bot.engine) as session:
        first, second = session.exec(select(Group).order_by(Group.id)).all()
        people = [m.slack_user_id for m in session.exec(select(Member).order_by(Member.id))
                  if m.id in _member_ids(session, first.id)]
        others = [m.slack_user_id for m in session.exec(select(Member).order_by(Member.id))
                  if m.id in _member_ids(session, second.id)]
        mark_met(session, TEAM, people[0], first.id)
        save_follow_up(session, TEAM, people[0], first.id, FollowUpForm(learned=learned[0], organisers_may_read=True))
        save_follow_up(session, TEAM, people[1], first.id, FollowUpForm(learned=SECRET, organisers_may_read=False))
        save_follow_up(session, TEAM, others[0], second.id, FollowUpForm(learned=learned[1], organisers_may_read=True))
        save_follow_up(session, TEAM, others[1], second.id, FollowUpForm(learned=learned[2], organisers_may_read=True))
        for r in session.exec(select(Round)).all():
            r.state = "closed"
            session.add(r)
    return people


@pytest.fixture
def small_rounds_named(monkeypatch):
    """Round 1 here is two pairs: too small for its quotes to show (stats.NAMED_FROM). Tests about
    who may read them, and how they fit, let a round of three answers be named instead."""
    monkeypatch.setattr(stats, "NAMED_FROM", 3)


def _member_ids(session, group_id):
    from storage.rounds import group_members

    return {m.id for m in group_members(session, group_id)}


def round_stats(bot):
    with session_scope(bot.engine) as session:
        return stats.round_stats(session, TEAM)


def stats_reply(bot, number=None) -> dict:
    """What `/unmentor stats [number]` shows, as the builder makes it from the stored rounds."""
    with session_scope(bot.engine) as session:
        trend = stats.round_stats(session, TEAM)
        learnings = stats.consented_learnings(session, TEAM, number, limit=5)
    if number is not None:
        trend = [s for s in trend if s.number <= number]
    return organiser_blocks.stats_message(trend, learnings, stats.meeting_rate_sparkline(trend))


def home_for(bot, user, organiser=False) -> dict:
    """The App Home view the builder makes for this person now, its dates in the zone Slack reports
    for them (the fake's default, Europe/London: these members never gave one of their own)."""
    from scheduler.workspace_schedule import next_round_at

    with session_scope(bot.engine) as session:
        view = membership.status(session, TEAM, user, next_round_at(session, TEAM))
        trend = stats.round_stats(session, TEAM)
        learnings = stats.consented_learnings(session, TEAM, limit=5)
    extra = (organiser_blocks.organiser_home_blocks(trend, learnings, stats.meeting_rate_sparkline(trend))
             if organiser else None)
    return member_blocks.home_view(view, extra, zones=("Europe/London",))


def home_of(bot, user):
    bot.fake.reset()
    bot.event({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home", "event_ts": "1.1"})
    # Theirs: a redraw of someone else's Home, after an earlier command's reply, may land meanwhile.
    assert bot.fake.wait_for(lambda f: said.homes(f, user), timeout=10)
    return said.homes(bot.fake, user)[-1]


@pytest.mark.parametrize("organiser", ["UOLIVE", "UADAM"])
def test_organisers_by_setting_and_slack_admins_see_the_stats(bot, organiser, small_rounds_named):
    a_round_with_answers(bot)
    reply = bot.command("stats", organiser)
    text = json.dumps(reply["blocks"])
    assert reply["response_type"] == "ephemeral"
    (last,) = round_stats(bot)
    assert (last.number, last.groups, last.met, last.met_rate) == (1, 2, 1, 0.5)
    assert last.stay_in_touch_rate == 0  # four answered: enough to show the share
    assert reply["blocks"] == stats_reply(bot)["blocks"]
    assert SHAREABLE in text and SECRET not in text
    assert "UADA" not in text and "UBEN" not in text  # learnings never carry names


def test_the_longest_learnings_full_of_ampersands_still_fit_slacks_limits(bot, small_rounds_named):
    a_round_with_answers(bot, learned=["Q&A <and> R&D " * 70] * 3)
    reply = bot.command("stats", "UOLIVE")  # the fake checks the blocks against Slack's limits
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "Q&amp;A" in shown and "…" in shown
    view = home_of(bot, "UOLIVE")
    assert "Q&amp;A" in json.dumps(view, ensure_ascii=False)  # the learnings are on App Home too, clipped


def test_a_tiny_or_running_round_shows_no_one_s_words_or_answer_shares(bot):
    with freeze_time(OPENS, tick=True):
        rounds.open_round(bot.engine, TEAM)
    with session_scope(bot.engine) as session:
        group = session.exec(select(Group)).first()
        user = next(m.slack_user_id for m in session.exec(select(Member)) if m.id in _member_ids(session, group.id))
        save_follow_up(session, TEAM, user, group.id, FollowUpForm(learned=SHAREABLE, organisers_may_read=True))
    text = json.dumps(bot.command("stats", "UOLIVE")["blocks"], ensure_ascii=False)
    assert SHAREABLE not in text
    # One answer: the share would be that person's answer, so there is none to show.
    assert round_stats(bot)[-1].stay_in_touch_rate is None
    assert json.loads(text) == stats_reply(bot)["blocks"]


def test_anyone_else_gets_a_polite_refusal_and_nothing_leaks(bot):
    a_round_with_answers(bot)
    for word in ("stats", "export", "preview", "open", "schedule", "prompts", "organisers add <@UCY|cy>",
                 "remove <@UBEN|ben>", "domain add x.org X"):
        reply = bot.command(word, "UCY")
        assert said.is_(reply, member_blocks.organisers_only_message()), word
    assert bot.fake.calls_to("views.open") == []
    assert not [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "UCY"]
    with session_scope(bot.engine) as session:
        assert {m.slack_user_id for m in session.exec(select(Member))} >= {"UBEN"}


def test_organisers_add_and_remove_organisers(bot):
    from scheduler.organisers import OrganiserChange

    refused, no_rounds = member_blocks.organisers_only_message(), organiser_blocks.stats_message([], [], "")
    assert said.is_(bot.command("stats", "UOTTO"), refused)
    assert said.is_(bot.command("organisers add <@UOTTO|otto>", "UOLIVE"),
                    organiser_blocks.organiser_change_message("add", "UOTTO", OrganiserChange.done))
    assert said.is_(bot.command("organisers add <@UOTTO|otto>", "UOLIVE"),
                    organiser_blocks.organiser_change_message("add", "UOTTO", OrganiserChange.already))
    assert said.is_(bot.command("stats", "UOTTO"), no_rounds)
    assert said.is_(bot.command("organisers", "UOTTO"),
                    organiser_blocks.organisers_list_message(("UOLIVE",), ["UOTTO"]))
    assert said.is_(bot.command("organisers remove <@UOTTO|otto>", "UOLIVE"),
                    organiser_blocks.organiser_change_message("remove", "UOTTO", OrganiserChange.done))
    assert said.is_(bot.command("stats", "UOTTO"), refused)
    # Someone named in the setting can't be removed from Slack: the setting decides.
    assert said.is_(bot.command("organisers remove <@UOLIVE|olive>", "UADAM"),
                    organiser_blocks.organiser_change_message("remove", "UOLIVE", OrganiserChange.from_settings))
    assert "Use `/unmentor organisers add @someone`" in bot.command("organisers add otto", "UOLIVE")["text"]


def test_the_bot_itself_cant_be_made_an_organiser(bot):
    reply = bot.command(f"organisers add <@{BOT_USER_ID}|unmentor>", "UOLIVE")
    assert said.is_(reply, member_blocks.input_error_message(
        "That's unmentor itself: organisers are people. Mention the person you'd like to add."))
    assert said.is_(bot.command("organisers", "UOLIVE"), organiser_blocks.organisers_list_message(("UOLIVE",), []))


def test_the_words_of_a_round_of_two_pairs_are_held_back_and_organisers_are_told_why(bot):
    # The organiser saw who was paired with whom: "Round 1: …" among four people would point to one.
    a_round_with_answers(bot)
    reply = bot.command("stats", "UOLIVE")
    text = json.dumps(reply["blocks"])
    assert SHAREABLE not in text and "Another lesson" not in text and SECRET not in text
    assert f"a round with fewer than {stats.NAMED_FROM} are held back" in text
    assert reply["blocks"] == stats_reply(bot)["blocks"]


def test_app_home_shows_members_their_status_match_past_partners_and_buttons(bot):
    people = a_round_with_answers(bot)
    with freeze_time(OPENS + timedelta(days=35), tick=True):
        rounds.open_round(bot.engine, TEAM, manual=True)
    view = home_of(bot, people[0])
    text = json.dumps(view)
    assert view == home_for(bot, people[0])  # status, this round's partner, past partners, buttons
    assert f"<@{people[1]}>" in text  # round 1's partner, among the past ones
    buttons = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["member_edit_profile", "member_skip", "member_pause", "member_pause_until", "member_leave",
                       "member_avoid_list"]
    # No organiser part: no header but the app's own.
    assert not any(b["type"] == "header" and b["text"]["text"] != "unmentor" for b in view["blocks"])

    # The click's work runs after its ack, in the bot's own thread; the Home opened above has already
    # been published once, so wait for the redraw this click makes, not for any redraw.
    published = len(said.homes(bot.fake, people[0]))
    bot.click("member_pause", people[0], home=True)
    assert bot.fake.wait_for(lambda f: len(said.homes(f, people[0])) > published, timeout=15)
    with session_scope(bot.engine) as session:
        assert session.exec(select(Member).where(Member.slack_user_id == people[0])).one().status == "paused"
    assert said.homes(bot.fake, people[0])[-1] == home_for(bot, people[0])


def test_app_home_adds_stats_and_controls_for_organisers(bot, small_rounds_named):
    a_round_with_answers(bot)
    view = home_of(bot, "UOLIVE")
    text = json.dumps(view)
    assert view == home_for(bot, "UOLIVE", organiser=True)
    assert SHAREABLE in text and SECRET not in text
    buttons = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["organiser_preview", "organiser_open_round", "organiser_schedule", "organiser_prompts",
                       "organiser_export"]


def test_export_sends_the_organiser_a_csv_of_round_stats_without_unconsented_words(bot):
    a_round_with_answers(bot)
    assert said.is_(bot.command("export", "UOLIVE"), organiser_blocks.export_sent_reply())
    (dm,) = [c for c in bot.fake.calls_to("chat.postMessage") if c.args["channel"] == "UOLIVE"]
    text = dm.args["text"]
    csv_text = text.split("```\n", 1)[1].rsplit("```", 1)[0]
    rows = list(__import__("csv").DictReader(__import__("io").StringIO(csv_text)))
    assert [(r["number"], r["groups"], r["met"]) for r in rows] == [("1", "2", "1")]
    assert SECRET not in text and SHAREABLE not in text and "UADA" not in text


def test_stats_for_a_chosen_round_and_the_trend_round_by_round(bot):
    a_round_with_answers(bot)
    with freeze_time(OPENS + timedelta(days=30), tick=True):
        rounds.open_round(bot.engine, TEAM, manual=True)
    assert [s.number for s in round_stats(bot)] == [1, 2] and round_stats(bot)[0].met == 1
    latest = bot.command("stats", "UOLIVE")
    assert latest["blocks"] == stats_reply(bot)["blocks"]  # round 2 first, then round by round
    first = bot.command("stats 1", "UOLIVE")
    assert first["blocks"] == stats_reply(bot, 1)["blocks"] and first["blocks"] != latest["blocks"]
    assert said.is_(bot.command("stats 9", "UOLIVE"), organiser_blocks.no_such_round_message(9))
    assert "Use `/unmentor stats`" in bot.command("stats lots", "UOLIVE")["text"]


def test_preview_shows_the_next_groups_and_stores_and_sends_nothing(bot):
    reply = bot.command("preview", "UOLIVE")
    plan = rounds.preview(bot.engine, TEAM).plan
    assert len(plan.groups) == 2 and said.is_(reply, organiser_blocks.preview_message(plan))
    with session_scope(bot.engine) as session:
        assert session.exec(select(Round)).all() == [] and personas.sends(session) == []
    assert bot.fake.calls_to("chat.postMessage") == [] and bot.fake.calls_to("conversations.open") == []


def test_an_organisers_help_lists_the_organiser_commands_too(bot):
    reply = bot.command("help", "UOLIVE")
    assert said.is_(reply, member_blocks.help_message(organiser=True))
    for word in ("stats", "export", "preview", "open", "schedule", "prompts", "domain", "organisers", "remove"):
        assert f"/unmentor {word}" in reply["text"], word
    member_reply = bot.command("help", "UADA")
    assert said.is_(member_reply, member_blocks.help_message()) and "/unmentor stats" not in member_reply["text"]


def test_opening_a_round_now_asks_first_then_opens_it_once(bot):
    reply = bot.command("open", "UOLIVE")
    buttons = [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["organiser_open_round"]
    with session_scope(bot.engine) as session:
        assert session.exec(select(Round)).all() == []
    first = bot.click("organiser_open_round", "UOLIVE", value="open")
    assert "Round 1 is open: 2 groups" in bot.reply(first)["text"]
    second = bot.click("organiser_open_round", "UOLIVE", value="open")
    assert "still running" in bot.reply(second)["text"]
    # Asked again while it runs, the command says so first instead of offering to open one.
    again = bot.command("open", "UOLIVE")
    with session_scope(bot.engine) as session:
        (running,) = session.exec(select(Round)).all()
    assert said.is_(again, said.built_for("Europe/London", organiser_blocks.round_opened_message,
                                          rounds.OpenOutcome(running, None, "round_running")))
    assert "blocks" not in again or not [b for b in again["blocks"] if b["type"] == "actions"]
    assert bot.fake.wait_for(lambda f: len(f.calls_to("views.publish")) == 2)  # Home refreshed after each
    with session_scope(bot.engine) as session:
        assert len(session.exec(select(Round)).all()) == 1


def test_organisers_change_cadence_day_and_time_in_a_modal(bot):
    assert bot.command("schedule", "UOLIVE") is None  # a modal opens instead of a reply
    assert bot.fake.wait_for(lambda f: f.calls_to("views.open"))
    values = {
        "cadence": {"value": {"type": "static_select", "selected_option": {"value": "fortnightly"}}},
        "weekday": {"value": {"type": "static_select", "selected_option": {"value": "2"}}},
        "time": {"value": {"type": "timepicker", "selected_time": "14:30"}},
        "timezone": {"value": {"type": "plain_text_input", "value": "Europe/Paris"}},
        "country": {"value": {"type": "plain_text_input", "value": "fr"}},
    }
    assert bot.submit("organiser_schedule_view", "UOLIVE", values=values) == {}
    assert bot.fake.wait_for(lambda f: any("Schedule saved" in c.args["text"] for c in f.calls_to("chat.postMessage")))
    assert bot.fake.wait_for(lambda f: f.calls_to("views.publish"))
    from scheduler.workspace_schedule import load_schedule

    with session_scope(bot.engine) as session:
        saved = load_schedule(session, TEAM)
    assert (saved.cadence, saved.weekday, saved.hour, saved.minute, saved.timezone, saved.country) == (
        "fortnightly", 2, 14, 30, "Europe/Paris", "FR")

    values["timezone"] = {"value": {"type": "plain_text_input", "value": "Narnia/Lantern"}}
    answer = bot.submit("organiser_schedule_view", "UOLIVE", values=values)
    assert answer["response_action"] == "errors" and "time zone" in answer["errors"]["timezone"]
    with session_scope(bot.engine) as session:
        assert load_schedule(session, TEAM).timezone == "Europe/Paris"


def test_organisers_upload_a_prompt_library_and_new_intros_use_it(bot):
    assert bot.command("prompts", "UOLIVE") is None
    lines = "\n".join(f"money | Funding question number {i}?" for i in range(4))
    assert bot.submit("organiser_prompts_view", "UOLIVE",
                      values={"library": {"value": {"type": "plain_text_input", "value": lines}}}) == {}
    # Saved after the ack, by the bot's own pool: the round below opens once it says so.
    saved = organiser_blocks.prompts_saved_message(4, 1)
    assert bot.fake.wait_for(lambda f: any(said.is_(c.args, saved) for c in f.calls_to("chat.postMessage")),
                             timeout=5)
    bad = bot.submit("organiser_prompts_view", "UOLIVE",
                     values={"library": {"value": {"type": "plain_text_input", "value": "no bar here"}}})
    assert bad["response_action"] == "errors" and "Line 1" in bad["errors"]["library"]
    with freeze_time(OPENS, tick=True):
        rounds.open_round(bot.engine, TEAM)
        bot.deliver()
    intros = said.sends(bot.fake, "intro")
    assert len(intros) == 2 and all("Funding question number" in json.dumps(c["blocks"]) for c in intros)


def test_organisers_remove_a_member_and_their_data(bot):
    bot.command("remove <@UDI|di>", "UOLIVE")
    reply = bot.reply(bot.click(ids.ORG_REMOVE, "UOLIVE", value=ids.remove_value("UDI", True)))
    assert said.is_(reply, organiser_blocks.member_removed_message("UDI", True, told=True))
    with session_scope(bot.engine) as session:
        assert session.exec(select(Member).where(Member.slack_user_id == "UDI")).first() is None
    assert said.is_(bot.command("remove <@UDI|di>", "UOLIVE"), organiser_blocks.member_removed_message("UDI", False))


def test_a_slow_slack_never_makes_a_modal_miss_the_three_second_answer(bot):
    import time

    held = bot.fake.hold("users.info")  # Slack hasn't said adam is an admin until the modal is answered
    values = {"cadence": {"value": {"type": "static_select", "selected_option": {"value": "weekly"}}},
              "weekday": {"value": {"type": "static_select", "selected_option": {"value": "4"}}},
              "time": {"value": {"type": "timepicker", "selected_time": "09:00"}},
              "timezone": {"value": {"type": "plain_text_input", "value": "Europe/London"}},
              "country": {"value": {"type": "plain_text_input", "value": "GB"}}}
    started = time.monotonic()
    assert bot.submit("organiser_schedule_view", "UADAM", values=values) == {}
    assert time.monotonic() - started < 3
    held.set()
    assert bot.fake.wait_for(lambda f: any("Schedule saved" in c.args["text"] for c in f.calls_to("chat.postMessage")),
                             timeout=15)
    assert bot.fake.wait_for(lambda f: f.calls_to("views.publish"), timeout=10)


def _hold_the_database(engine):
    """Another process's long write (a round opening, say): SQLite's one write lock; on
    PostgreSQL, every table the bot touches locked against reads and writes alike.
    Returns what lets go."""
    if engine.dialect.name == "sqlite":
        import sqlite3

        writer = sqlite3.connect(engine.url.database, isolation_level=None, timeout=30)
        writer.execute("BEGIN IMMEDIATE")

        def release():
            writer.execute("COMMIT")
            writer.close()

        return release
    from sqlalchemy import inspect

    tables = ", ".join(f'"{name}"' for name in inspect(engine).get_table_names())
    writer = engine.raw_connection()
    writer.cursor().execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")

    def release():
        writer.commit()
        writer.close()

    return release


def test_a_busy_database_never_makes_an_event_miss_the_three_second_answer(bot, engine):
    import time

    release = _hold_the_database(engine)
    try:
        started = time.monotonic()
        bot.event({"type": "app_home_opened", "user": "UADA", "channel": "D1", "tab": "home", "event_ts": "1.1"})
        assert time.monotonic() - started < 3
    finally:
        time.sleep(1)
        release()
    assert bot.fake.wait_for(lambda f: f.calls_to("views.publish"), timeout=15)


def test_someone_else_clicking_an_organiser_button_or_submitting_its_modal_changes_nothing(bot):
    from scheduler.workspace_schedule import load_schedule

    for action in ("organiser_preview", "organiser_open_round", "organiser_export", "organiser_schedule"):
        name = bot.click(action, "UCY", value="x")
        assert said.is_(bot.reply(name), member_blocks.organisers_only_message())
    values = {"cadence": {"value": {"type": "static_select", "selected_option": {"value": "weekly"}}},
              "weekday": {"value": {"type": "static_select", "selected_option": {"value": "4"}}},
              "time": {"value": {"type": "timepicker", "selected_time": "09:00"}},
              "timezone": {"value": {"type": "plain_text_input", "value": "Europe/London"}},
              "country": {"value": {"type": "plain_text_input", "value": ""}}}
    assert bot.submit("organiser_schedule_view", "UCY", values=values) == {}
    refused = member_blocks.organisers_only_message()
    assert bot.fake.wait_for(lambda f: any(c.args["channel"] == "UCY" and said.is_(c.args, refused)
                                           for c in f.calls_to("chat.postMessage")))
    with session_scope(bot.engine) as session:
        assert load_schedule(session, TEAM).cadence == "monthly"
        assert session.exec(select(Round)).all() == []
    assert bot.fake.calls_to("views.open") == []


def test_slack_workspace_owners_are_organisers_too(bot):
    bot.fake.add_user("UOWEN", real_name="Owen", is_owner=True)
    assert said.is_(bot.command("stats", "UOWEN"), organiser_blocks.stats_message([], [], ""))


def test_app_home_buttons_preview_export_schedule_and_prompts_work_for_organisers(bot):
    a_round_with_answers(bot)
    bot.fake.reset()
    bot.click("organiser_preview", "UOLIVE", value="preview", home=True)
    bot.click("organiser_export", "UOLIVE", value="export", home=True)
    dms = lambda f: [c.args["text"] for c in f.calls_to("chat.postMessage") if c.args["channel"] == "UOLIVE"]  # noqa: E731
    assert bot.fake.wait_for(lambda f: len(dms(f)) >= 2)
    preview = organiser_blocks.preview_message(rounds.preview(bot.engine, TEAM).plan)
    (export,) = organiser_blocks.export_messages(stats.to_csv(round_stats(bot)))
    assert preview["text"] in dms(bot.fake) and export["text"] in dms(bot.fake)
    bot.click("organiser_schedule", "UOLIVE", value="schedule", home=True)
    bot.click("organiser_prompts", "UOLIVE", value="prompts", home=True)
    assert bot.fake.wait_for(lambda f: len(f.calls_to("views.open")) == 2)
    opened = sorted(json.loads(c.args["view"])["callback_id"] if isinstance(c.args["view"], str)
                    else c.args["view"]["callback_id"] for c in bot.fake.calls_to("views.open"))
    assert opened == ["organiser_prompts_view", "organiser_schedule_view"]
    # In January round 1 has closed, so the Home button opens round 2 (its confirm dialog is Slack's own).
    with freeze_time(OPENS + timedelta(days=30), tick=True):
        bot.click("organiser_open_round", "UOLIVE", value="open", home=True)
        assert bot.fake.wait_for(lambda f: any(t.startswith("Round 2 is open") for t in dms(f)))
        assert bot.fake.wait_for(lambda f: f.calls_to("views.publish"))  # and the organiser's Home shows it
