"""The playground's parts: its demo workspace, its next phase, and failures said plainly on the page.

The page tests run one playground in this process (so a test can make Slack refuse a call or the bot
fail) and one Chromium for the module.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from datetime import datetime, timezone

import pytest
from freezegun import freeze_time
from waitress import create_server

from playground import demo, phases
from playground.run import start
from scheduler import rounds
from storage import members as member_store
from storage.db import session_scope
from tests.botprocess import UNMENTOR, free_port
from tests.browser import launch_chromium
from tests.personas import heads_up_went

TEAM = "T111"
# One playground and one browser for the module: its tests stay on one worker.
pytestmark = pytest.mark.xdist_group("playground-page")


def test_the_demo_workspace_is_24_people_in_6_organisations_across_3_zones_with_one_organiser():
    people = demo.people()
    assert len(people) == 24 and len({p.user_id for p in people}) == 24
    assert Counter(p.organisation for p in people) == {o: 4 for o, _, _ in demo.ORGANISATIONS}
    assert len({p.timezone for p in people}) == 3
    assert [p.name for p in people if p.organiser] == ["Amara Okafor"]
    # Realistic: each email is at its organisation's domain; titles and names vary.
    domains = {o: d for o, d, _ in demo.ORGANISATIONS}
    assert all(p.email.endswith("@" + domains[p.organisation]) for p in people)
    assert len({p.title for p in people}) >= 20 and len({p.name for p in people}) == 24
    many = demo.people(200)
    assert len({p.user_id for p in many}) == len({p.email for p in many}) == len({p.name for p in many}) == 200


def test_next_phase_walks_a_round_in_order(sqlite_engine):
    with session_scope(sqlite_engine) as session:
        member_store.ensure_workspace(session, TEAM)
        for n in range(4):
            member_store.upsert_member(session, TEAM, f"U{n}X", organisation=f"Org {n % 2}",
                                       organisation_key=f"org {n % 2}")
    # Nothing is delivered here: each round's heads-up is taken as having reached them, as a round needs.
    heads_up_went(sqlite_engine)
    seen = []
    with freeze_time("2026-12-01 09:00:00"):
        at = datetime.now(timezone.utc)
        for _ in range(6):
            phase = phases.next_phase(sqlite_engine, TEAM, at)
            assert phase.at > at
            seen.append(phase.name)
            at = phase.at + phases.PAST_DUE
            rounds.run_due(sqlite_engine, TEAM, at)
    assert seen == ["heads-up", "open", "nudge", "follow-up", "heads-up", "close"]


# ---- failures on the page ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def playground(tmp_path_factory):
    from playground.web import make_page_app

    running = start(tmp_path_factory.mktemp("playground"), people=4, fresh=True)
    server = create_server(make_page_app(running), host="127.0.0.1", port=free_port(), threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    running.url = f"http://127.0.0.1:{server.effective_port}/"
    yield running
    server.close()
    running.stop()


@pytest.fixture(scope="module")
def tab():
    """One Chromium and one tab for the module: a new tab per test cost Chromium twice the CPU
    of loading the page again in the same tab."""
    playwright, browser = launch_chromium()
    yield browser.new_page(viewport={"width": 1300, "height": 800})
    browser.close()
    playwright.stop()


@pytest.fixture
def page(tab, playground):
    """The page loaded afresh for each test, as a person opening it would find it."""
    tab.goto(playground.url)
    return tab


def type_command(page, text):
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")


def test_the_readmes_commands_read_the_playgrounds_database(playground):
    import os
    import shlex
    import subprocess
    from pathlib import Path

    from playground.run import DATABASE_FILE

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith(f"DATABASE_URL=sqlite:///{DATABASE_FILE} ")]
    assert commands, "the README says how to point the command line at the playground's database"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    for command in commands:
        setting, program, *args = shlex.split(command)
        env["DATABASE_URL"] = setting.split("=", 1)[1]
        done = subprocess.run([UNMENTOR, *args], cwd=playground.folder, env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, (command, done.stderr)
        assert "no workspace yet" not in done.stdout + done.stderr


def test_a_call_slack_refuses_is_shown_in_red_with_its_error(playground, page):
    playground.fake.fail_next("views.publish", error="not_authed", status=200)
    page.get_by_role("button", name="App Home").click()
    refused = page.get_by_role("list", name="Spec violations and refused calls").get_by_role("listitem")
    refused.filter(has_text="views.publish").wait_for(timeout=10_000)
    assert "refused: not_authed" in refused.first.inner_text()
    assert "1 refused" in page.get_by_text("spec violations").inner_text()


def test_a_listener_that_crashes_is_said_plainly(playground, page, monkeypatch):
    from bot import commands

    def crash(*_):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(commands, "run", crash)
    type_command(page, "/unmentor status")
    alert = page.get_by_role("alert").filter(has_text="The bot logged an error")
    alert.wait_for(timeout=10_000)
    assert "the database went away" in alert.inner_text()


def test_a_bot_that_stops_answering_is_said_plainly(playground, page, monkeypatch):
    monkeypatch.setattr(playground.surface, "bot_url", f"http://127.0.0.1:{free_port()}/slack/events")
    type_command(page, "/unmentor help")
    page.get_by_role("alert").filter(has_text="the bot isn't answering").wait_for(timeout=10_000)


def test_a_port_in_use_is_one_line_and_touches_nothing(tmp_path):
    import socket
    import subprocess

    from tests.browser import UNMENTOR

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([UNMENTOR, "playground", "--port", str(port)], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip() == f"unmentor: port {port} is already in use: pick another with --port"
    assert list(tmp_path.iterdir()) == []


def test_a_modal_answered_with_errors_shows_them_under_the_field(playground, page):
    page.get_by_label("Act as").select_option(index=1)
    type_command(page, "/unmentor join")
    dialog = page.get_by_role("dialog")
    dialog.wait_for(timeout=10_000)
    field = dialog.get_by_label(re.compile("organisation", re.I))
    field.fill("   ")
    dialog.get_by_label(re.compile("what i do", re.I)).fill("Kept while the error shows")
    dialog.locator("button[type=submit]").click()
    error = dialog.get_by_role("alert")
    error.wait_for(timeout=10_000)
    assert error.inner_text().strip() and field.get_attribute("aria-invalid") == "true"
    assert dialog.get_by_label(re.compile("what i do", re.I)).input_value() == "Kept while the error shows"
    dialog.get_by_role("button", name=re.compile("cancel|close|not now", re.I)).click()
    dialog.wait_for(state="detached", timeout=10_000)


def test_a_spec_violation_is_counted_and_shown_in_red_with_its_call(playground, page):
    from slack_sdk import WebClient

    client = WebClient(token="xoxb-anything", base_url=playground.fake.api_url)
    client.chat_postMessage(channel=playground.people[0].user_id, text="hi", colour="red")
    flagged = page.get_by_role("list", name="Spec violations and refused calls").get_by_role("listitem")
    flagged.filter(has_text="unknown argument 'colour'").wait_for(timeout=10_000)
    assert re.search(r"[1-9]\d* spec violations?", page.locator("#calls-summary").inner_text())
    assert flagged.filter(has_text="colour").evaluate("n => getComputedStyle(n).color") == "rgb(176, 0, 32)"


def test_the_page_follows_the_bot_within_a_second(playground, page):
    from slack_sdk import WebClient

    page.get_by_label("Act as").select_option(index=0)
    page.get_by_role("log", name="Messages").wait_for()
    page.wait_for_timeout(500)  # the page is now waiting on the server for news
    client = WebClient(token="xoxb-anything", base_url=playground.fake.api_url)
    client.chat_postMessage(channel=playground.people[0].user_id, text="Something new arrived")
    started = time.monotonic()
    page.get_by_role("log", name="Messages").get_by_text("Something new arrived").wait_for(timeout=5_000)
    assert time.monotonic() - started < 1


# ---- the page as an en-GB reader sees it -------------------------------------------------------------------


def test_avoid_takes_a_name_typed_with_an_at_as_slacks_composer_does(playground, page):
    from storage import avoids
    from storage import members as member_store

    page.get_by_label("Act as").select_option(index=2)
    me, other = playground.people[2], playground.people[3]
    type_command(page, f"/unmentor join {me.organisation}")
    page.get_by_role("log", name="Messages").get_by_text("You're in").first.wait_for(timeout=30_000)
    box = page.get_by_role("textbox", name="Message")
    box.fill("")
    box.press_sequentially(f"/unmentor avoid @{other.name.split()[0]}")
    # Typing @ and part of a name offers the people it could be, as Slack does.
    page.get_by_role("list", name="People to mention").get_by_role("button", name=re.compile(other.name)).click()
    assert box.input_value() == f"/unmentor avoid @{other.name} "
    box.press("Enter")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with session_scope(playground.engine) as session:
            if other.user_id in avoids.listed(session, member_store.get_member(session, TEAM, me.user_id)):
                break
        time.sleep(0.2)
    else:
        raise AssertionError("the avoid wasn't saved")
    assert "Use /unmentor avoid @someone" not in page.get_by_role("log", name="Messages").inner_text()


def test_the_pause_date_has_a_visible_label_and_dates_and_times_read_the_british_way(playground, page):
    page.get_by_label("Act as").select_option(index=1)
    type_command(page, f"/unmentor join {playground.people[1].organisation}")
    page.get_by_role("navigation", name="Conversations").get_by_role("button", name=re.compile("Home")).click()
    field = page.get_by_label("Pause until…")
    field.wait_for(timeout=10_000)
    assert field.is_visible() and field.get_attribute("placeholder") == "DD/MM/YYYY"
    label = page.locator("label", has=field)
    assert label.inner_text().strip() == "Pause until…"
    # "Act as" shows each person in full: nobody's "organiser" is cut to "organ".
    assert page.get_by_label("Act as").evaluate(
        """s => { const longest = new Option('Amara Okafor (Northbridge Community Housing Association) · organiser');
                  s.append(longest);
                  const span = document.createElement('span'); span.style.font = getComputedStyle(s).font;
                  span.style.cssText += ';white-space:pre;position:absolute;visibility:hidden';
                  document.body.append(span); let widest = 0;
                  for (const o of s.options) { span.textContent = o.text;
                                               widest = Math.max(widest, span.getBoundingClientRect().width); }
                  span.remove(); const fits = s.clientWidth >= widest; longest.remove(); return fits; }""")


def test_one_call_is_said_as_one_call(playground, page):
    page.locator("#calls-summary").wait_for()
    # The summary is in the page from the start; the state it is drawn from comes with the
    # server's first answer (a full run once got here before it: page.state was still null).
    page.wait_for_function("() => page.state !== null", timeout=10_000)
    said = page.evaluate("""() => { page.state.calls = {...page.state.calls, total: 1, violations: 0, refused: 0};
                                    page.callsLoaded = 1; showCalls();
                                    return document.querySelector('#calls-summary').textContent; }""")
    assert said == "1 call · 0 spec violations"
