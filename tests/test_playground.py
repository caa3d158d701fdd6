"""The playground's parts: its demo workspace, its next phase, and failures said plainly on the page.

The page tests run one playground in this process (so a test can make Slack refuse a call or the bot
fail) and one Chromium for the module.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timezone

import pytest
from freezegun import freeze_time
from waitress import create_server

from playground import demo, phases
from playground.run import start
from scheduler import rounds
from storage import members as store
from storage.db import session_scope
from tests.botprocess import free_port
from tests.browser import launch_chromium

TEAM = "T111"


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
        store.ensure_workspace(session, TEAM)
        for n in range(4):
            store.upsert_member(session, TEAM, f"U{n}X", organisation=f"Org {n % 2}", organisation_key=f"org {n % 2}")
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
def browser():
    playwright, browser = launch_chromium()
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, playground):
    page = browser.new_page(viewport={"width": 1300, "height": 800})
    page.goto(playground.url)
    yield page
    page.close()


def type_command(page, text):
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")


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
