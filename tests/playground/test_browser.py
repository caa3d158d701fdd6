"""The playground in a real browser: a whole round driven through the page by role and name, as a person would.

One `unmentor playground` and one Chromium for the module; every step saves a screenshot
(UNMENTOR_PICTURES=docs/pictures also refreshes the README's pictures).
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from scheduler.schedule import Schedule, round_times
from tests.browser import PlaygroundProcess, launch_chromium, save_picture

# One playground and one browser for the module: its tests stay on one worker.
# On the same worker as the page tests, one after the other: two Chromiums at once on a 2-core machine
# pushed the page's "within a second" past its second in a full run.
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.xdist_group("playground-page")]
ORGANISER = "U00001DEMO"  # Amara Okafor, the demo workspace's organiser
WAIT = 90_000  # ms: a phase's sends go out at the bot's own pace


def next_awkward_moment() -> datetime:
    """The next first Monday of a month, four hours after the round's opening time: the moment a
    newcomer most easily meets a round that should have opened already. The walk starts there
    whatever day the suite runs, so it gives the same answers on every date."""
    schedule = Schedule()
    today = datetime.now(timezone.utc)
    index = today.year * 12 + today.month - 1
    while True:
        moment = round_times(schedule, index).opens_at + timedelta(hours=4)
        if moment > today + timedelta(minutes=5):
            return moment
        index += 1


@pytest.fixture(scope="module")
def playground(tmp_path_factory):
    process = PlaygroundProcess(tmp_path_factory.mktemp("playground"), "--at", next_awkward_moment().isoformat())
    yield process
    process.interrupt()


@pytest.fixture(scope="module")
def page(playground):
    playwright, browser = launch_chromium()
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-GB")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(playground.url)
    page.errors = errors
    yield page
    browser.close()
    playwright.stop()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("UNMENTOR_SCREENSHOTS")  # keep them somewhere to look at
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        return Path(folder)
    return tmp_path_factory.mktemp("screenshots")


def act_as(page, name: str) -> None:
    select = page.get_by_label("Act as")
    # The people come with the page's first answer from the server: wait for them, not a fixed time.
    select.locator("option", has_text=name).first.wait_for(state="attached", timeout=10_000)
    label = next(o for o in select.locator("option").all_inner_texts() if o.startswith(name))
    select.select_option(label=label)
    page.wait_for_function("n => document.getElementById('who').textContent.startsWith(n)", arg=name)


def type_command(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")


def messages(page):
    return page.get_by_role("log", name="Messages")


def partner_of(playground, user_id: str) -> dict:
    state = playground.state(user_id)
    (group,) = [c for c in state["conversations"] if c["kind"] == "group"]
    names = {p["name"]: p for p in state["people"]}
    (partner,) = [
        names[n.strip()] for n in group["title"].split(",") if n.strip() in names and names[n.strip()]["id"] != user_id
    ]
    return partner


def next_phase(page) -> str:
    """Press Next phase and wait until the page says where the clock moved; what it said."""
    status = page.get_by_role("status")
    before = status.inner_text()
    page.get_by_role("button", name="Next phase").click()
    for _ in range(WAIT // 200):
        now = status.inner_text()
        if now != before and "clock moved" in now:
            return now
        page.wait_for_timeout(200)
    raise AssertionError(f"Next phase never said where the clock moved (last: {status.inner_text()!r})")


def wait_for_heads_up(playground) -> None:
    """Until the organiser's DM with the bot holds the heads-up, with its Skip button."""
    for _ in range(WAIT // 200):
        dms = [c for c in playground.state(ORGANISER)["conversations"] if c["kind"] == "dm"]
        if any("skip" in json.dumps(m.get("blocks", [])).lower()
               for c in dms for m in c["messages"] if not m["ephemeral"]):
            return
        time.sleep(0.2)
    raise AssertionError("the heads-up never reached the organiser")


def test_a_whole_round_in_the_browser(playground, page, shots):
    try:
        walk_a_round(playground, page, shots)
    except Exception:
        save_picture(page, "failed", shots)
        calls = playground.state()["calls"]
        print("troubles:", playground.state()["troubles"], "flagged:", calls["flagged"])
        print(playground.log.read_text()[-3000:])
        raise


def button(scope, words: str):
    """A button by the words in its name, any case: the wording may be polished, the meaning stays."""
    return scope.get_by_role("button", name=re.compile(words, re.I))


def walk_a_round(playground, page, shots):
    organiser = "Amara Okafor"
    act_as(page, organiser)

    # Join by command: the real, signed slash command; the answer shows only to the person.
    type_command(page, "/unmentor join Brackley Borough Council")
    reply = messages(page).get_by_role("article").filter(has_text="Only visible to you").last
    reply.wait_for(timeout=10_000)
    assert "You're in" in reply.inner_text()
    # The reply vanishes; the welcome that stays in the DM names the organisation they joined as.
    welcome = messages(page).get_by_role("article").filter(has_text="Brackley Borough Council")
    welcome.filter(has_not_text="Only visible to you").last.wait_for(timeout=10_000)
    save_picture(page, "01-joined-by-command", shots)

    # Everyone joins: the other 23 demo people run /unmentor join.
    page.get_by_role("button", name="Everyone joins").click()
    page.get_by_role("status").filter(has_text="23 people joined").wait_for(timeout=30_000)
    assert all(p["status"] == "active" for p in playground.state()["people"])
    save_picture(page, "02-everyone-joined", shots)

    # Next phase to the heads-up, then to the opening: the intro arrives in a group DM.
    page.get_by_role("button", name="Next phase").click()
    page.get_by_role("status").filter(has_text="heads-up").wait_for(timeout=WAIT)
    wait_for_heads_up(playground)  # a round opens only once its heads-up has reached someone
    page.get_by_role("button", name="Next phase").click()
    page.get_by_role("status").filter(has_text="moved to the opening").wait_for(timeout=WAIT)
    group = page.get_by_role("navigation", name="Conversations").get_by_role("button", name=re.compile(", unmentor"))
    group.first.wait_for(timeout=WAIT)
    partner = partner_of(playground, ORGANISER)
    page.get_by_role("button", name=re.compile(re.escape(partner["name"]))).click()
    intro = messages(page).get_by_role("article").filter(has=button(page, "met"))
    intro.wait_for(timeout=10_000)
    assert partner["name"] in intro.inner_text() and "Brackley Borough Council" in intro.inner_text()
    for words in ("scheduled it", "met", "reschedule", "didn.t happen", "can.t make this round"):
        assert button(intro, words).first.is_visible(), words
    # Dates render in the viewer's zone from <!date^…>, not as Slack markup.
    assert "<!date" not in intro.inner_text() and re.search(
        r"(Monday|Tuesday|Wednesday|Thursday|Friday), \w+ \d+", intro.inner_text()
    )
    save_picture(page, "03-intro", shots, keep_as="intro.png")

    # Reschedule through its modal: a titled dialog with labelled controls.
    button(intro, "reschedule").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(timeout=10_000)
    assert dialog.get_by_role("heading").inner_text()  # the modal's title names the dialog
    # Ten days into the round, whenever the walk's round opens.
    later = datetime.fromisoformat(playground.state()["now"]) + timedelta(days=10)
    dialog.get_by_label(re.compile("day", re.I)).fill(f"{later:%Y-%m-%d}")
    dialog.get_by_label(re.compile("time", re.I)).fill("15:30")
    dialog.get_by_label(re.compile("note", re.I)).fill("Could we do Thursday afternoon instead?")
    save_picture(page, "04-reschedule-modal", shots, keep_as="reschedule.png")
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached", timeout=10_000)
    save_picture(page, "05-rescheduled", shots)

    # The partner sees the notice in their DM with the app, and accepts.
    act_as(page, partner["name"])
    page.get_by_role("navigation", name="Conversations").get_by_role("button", name=re.compile(r"^unmentor")).click()
    notice = messages(page).get_by_role("article").filter(has_text="Thursday afternoon")
    notice.wait_for(timeout=WAIT)
    save_picture(page, "06-partner-sees-the-reschedule", shots)
    before = messages(page).inner_text()
    button(notice, "works for me").click()
    page.wait_for_function("t => document.querySelector('#messages').innerText !== t", arg=before, timeout=10_000)
    save_picture(page, "07-partner-accepted", shots)

    # "We've met", then the follow-up: its modal, filled in and saved.
    page.get_by_role("button", name=re.compile(re.escape(organiser))).click()
    intro = messages(page).get_by_role("article").filter(has=button(page, "met"))
    before = intro.inner_text()
    button(intro, "we've met").click()
    page.wait_for_function(
        "t => !document.querySelector('#messages').innerText.includes(t)", arg=before[-40:], timeout=10_000
    )
    save_picture(page, "08-we-met", shots)
    # Next phase twice: the nudge (not for a pair that has met), then the follow-up, asked in each DM.
    # The clock also stops on the way at sends with a time of their own (the week-in check, a
    # reminder of an agreed chat), so press until the follow-up, noting each stop.
    stops = []
    for _ in range(8):
        stops.append(next_phase(page))
        if "moved to the follow-up" in stops[-1]:
            break
    assert "moved to the follow-up" in stops[-1], stops
    assert any("moved to the nudge" in stop for stop in stops[:-1]), stops
    page.get_by_role("navigation", name="Conversations").get_by_role("button", name=re.compile(r"^unmentor")).click()
    ask = button(messages(page), "learn").last
    ask.wait_for(timeout=WAIT)
    ask.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for(timeout=10_000)
    # A dialog is its person's (the partner's, here): acting as someone else, it isn't on screen;
    # back again, it is.
    act_as(page, organiser)
    dialog.wait_for(state="detached", timeout=10_000)
    act_as(page, partner["name"])
    dialog.wait_for(timeout=10_000)
    dialog.get_by_label(re.compile("learn", re.I)).fill("How a hospital plans its winter rota")
    dialog.get_by_label(re.compile("stay in touch", re.I)).check()
    dialog.get_by_label(re.compile("organisers may read", re.I)).check()
    save_picture(page, "09-follow-up-modal", shots)
    dialog.locator("button[type=submit]").click()
    dialog.wait_for(state="detached", timeout=10_000)

    # The organiser's App Home, with the round's stats.
    act_as(page, organiser)
    page.get_by_role("button", name="App Home").click()
    home = messages(page)
    # Like Slack, the page shows the Home published last (at her join) until the bot redraws it on opening.
    home.get_by_text("Rescheduled").first.wait_for(timeout=10_000)
    button(home, "open a round").wait_for(timeout=10_000)
    save_picture(page, "10-organiser-home", shots, keep_as="organiser-home.png")
    text = home.inner_text()
    assert "Round 1" in text and "24 active" in text and "12 made" in text and "Rescheduled" in text

    # The private "don't pair me with" list is a people picker; a choice reaches the bot, and the
    # Home it publishes next holds that person.
    picker = home.get_by_role("listbox", name="Choose people")
    someone = [o for o in picker.locator("option").all_inner_texts() if o != organiser][-1]
    picker.select_option(label=someone)
    someone_id = next(p["id"] for p in playground.state()["people"] if p["name"] == someone)
    chosen = "id => [...document.querySelectorAll('#messages select[multiple] option')]" \
             ".some(o => o.selected && o.value === id)"
    page.wait_for_function(chosen, arg=someone_id, timeout=10_000)
    for _ in range(100):
        blocks = playground.state(ORGANISER)["home"]["blocks"]
        held = [e.get("initial_users") for b in blocks for e in b.get("elements", [])
                if isinstance(e, dict) and e.get("type") == "multi_users_select"]
        if held == [[someone_id]]:
            break
        page.wait_for_timeout(100)
    assert held == [[someone_id]]

    # Every call the bot made was within Slack's spec, and the page says so.
    summary = page.get_by_text(re.compile(r"\d+ calls · \d+ spec violations?"))
    assert re.search(r"· 0 spec violations", summary.inner_text())
    assert page.errors == []


def test_ctrl_c_stops_the_page_and_the_bot_at_once_with_the_page_open(playground, page):
    import time

    bot_url = playground.state()["calls"]  # the page still answers here
    assert bot_url is not None
    page.wait_for_timeout(500)  # the page is now waiting on the server for news
    started = time.monotonic()
    assert playground.interrupt() == 0
    assert time.monotonic() - started < 4  # not held by the page's wait (waitress gives up on it after 5 s)
    with pytest.raises(OSError):
        urllib.request.urlopen(playground.url, timeout=2)
    assert "stopped" in playground.log.read_text()
