"""Any signed payload gets a prompt 200 or 400 and leaves no traceback: generated, not listed.

Payloads are the shapes Slack sends (every command word, every button, every modal, the events),
with values swapped at random for anything JSON can hold: other types, huge or odd numbers
("group:²", 5,000 digits), objects where strings belong. They are signed and handed to the real
app (signature check, Bolt, every listener and the work after the ack), and the operator's log
must show no traceback, no 500 and no "didn't call ack()".

Personas: ada, ben, cy and di are members of the stand-in's workspace (T111), in one running round.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import ids, payload, workspace
from bot.app import create_app, make_client
from bot.config import Settings
from bot.server import make_wsgi_app
from playground.slack import payloads as sr
from scheduler import rounds
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.personas import MEMBERS, TEAM, join

ODD_STRINGS = ["group:²", "group:" + "9" * 5000, "group:99999999999999999999", "group:-1", "group:1", "group:",
               "period:" + "x" * 40, "period:", "<@U1>", "", "\u2028", "join", "stats 99999999999999999999999"]
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=10**18, max_value=10**30)
           | st.floats(allow_nan=False) | st.text(max_size=40) | st.sampled_from(ODD_STRINGS))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)
ACTIONS = sorted(v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str) and not k.endswith("_VIEW"))
VIEWS = sorted(v for k, v in vars(ids).items() if k.endswith("_VIEW"))
# Mutating these would only send the bot's answer elsewhere (never to the network, in a test).
KEEP = {"response_url", "response_urls"}
FORM = "application/x-www-form-urlencoded"


def _form(body: bytes) -> dict:
    return json.loads(dict(parse_qsl(body.decode()))["payload"])


def _home() -> dict:
    return {"id": "VHOME", "type": "home", "blocks": []}


def _bases(group: int, response_url) -> list[tuple[str, dict]]:
    """`response_url()` gives a fresh one: Slack lets each be used five times."""
    bases = []
    for action in ACTIONS:
        for value in (f"group:{group}", "period:2099-01"):
            bases.append(("form", _form(sr.block_actions_body(action, value, MEMBERS[0].user_id, team_id=TEAM,
                                                                response_url=response_url()))))
        bases.append(("form", _form(sr.block_actions_body(action, "x", MEMBERS[1].user_id, team_id=TEAM,
                                                            view=_home()))))
    for view in VIEWS:
        bases.append(("form", _form(sr.view_submission_body(view, {"organisation": {"organisation": "Acme"}},
                                                              MEMBERS[0].user_id, team_id=TEAM,
                                                              private_metadata=f"group:{group}"))))
    bases.append(("json", json.loads(sr.event_body(sr.app_home_opened_event(MEMBERS[2].user_id), team_id=TEAM)[0])))
    bases.append(("json", {"token": "t", "type": "app_rate_limited", "team_id": TEAM, "minute_rate_limited": 1,
                           "api_app_id": "A1"}))
    return bases


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in KEEP:
                yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, prefix + (i,))


def _put(node, path, value):
    if not path:
        return value
    node[path[0]] = _put(node[path[0]], path[1:], value)
    return node


@st.composite
def interactive(draw, bases):
    kind, body = draw(st.sampled_from(bases))
    body = copy.deepcopy(body)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(body))[1:]))
        body = _put(body, path, draw(JSON))
    if kind == "json":
        return json.dumps(body).encode(), "application/json"
    return urlencode({"payload": json.dumps(body)}).encode(), "application/x-www-form-urlencoded"


COMMAND_WORDS = ["join", "pause", "pause until", "resume", "skip", "status", "leave", "avoid", "unavoid", "help",
                 "domain add", "domain remove", "organisers add", "remove", "stats", "export", "preview", "open",
                 "schedule", "prompts", ""]


@st.composite
def commands(draw, response_url):
    fields = dict(parse_qsl(sr.slash_command_body("help", user_id=draw(st.sampled_from(MEMBERS)).user_id,
                                                  team_id=TEAM, response_url=response_url()).decode()))
    words = st.text(max_size=30) | st.sampled_from(ODD_STRINGS)
    fields["text"] = draw(st.sampled_from(COMMAND_WORDS)) + " " + draw(words)
    for key in draw(st.lists(st.sampled_from(sorted(set(fields) - KEEP)), max_size=2)):
        fields[key] = draw(st.text(max_size=20) | st.sampled_from(ODD_STRINGS))
    return urlencode(fields).encode(), "application/x-www-form-urlencoded"


class Tracebacks(logging.Handler):
    """What an operator would find alarming in the log: a traceback, an error, a missed ack."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record):
        if record.threadName != threading.current_thread().name and not record.threadName.startswith("fuzz"):
            return  # another test's leftovers in this process, not this app's
        message = record.getMessage()
        if record.exc_info or record.levelno >= logging.ERROR or "ack()" in message:
            self.seen.append(f"{record.name}: {message}")


@pytest.fixture
def app(sqlite_engine, fake_slack):
    join(sqlite_engine, MEMBERS[:4], fake_slack)
    rounds.open_round(sqlite_engine, TEAM, manual=True)  # so group 1 is a real match, with buttons to press
    # One worker: an empty queue means the work is done.
    work = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fuzz")
    settings_ = Settings(bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, slack_api_url=fake_slack.api_url)
    wsgi = make_wsgi_app(create_app(settings_, sqlite_engine, make_client(settings_), work=work), sqlite_engine)
    seen = Tracebacks()
    logging.getLogger("unmentor").addHandler(seen)
    yield wsgi, work, seen, fake_slack
    logging.getLogger("unmentor").removeHandler(seen)
    work.shutdown(wait=True)


def _send(wsgi, body: bytes, content_type: str) -> int:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1",
               "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
               **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in sr.signed_headers(body, SIGNING_SECRET).items()}}
    status = []
    b"".join(wsgi(environ, lambda s, headers, exc_info=None: status.append(s)))
    return int(status[0].split()[0])


def _settle(work) -> None:
    # The listener runs in the request's own thread (process_before_response, bot/app.py), so its
    # work was handed over before the answer came back: waiting the one-thread queue out is enough.
    work.submit(lambda: None).result(timeout=30)


def _check(fake, wsgi, work, seen, body, content_type, allowed=(200, 400)):
    """A prompt 200 or 400, nothing alarming in the log, and no call Slack would refuse as malformed."""
    broken = len(fake.violations)
    started = time.monotonic()
    status = _send(wsgi, body, content_type)
    took = time.monotonic() - started
    _settle(work)
    assert status in allowed, (status, body[:300])
    assert took < 3, (took, body[:300])
    assert seen.seen == [], (seen.seen, body[:300])
    assert fake.violations[broken:] == [], (fake.violations[broken:], body[:300])


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


@FUZZ
@given(data=st.data())
def test_any_signed_click_modal_or_event_is_answered_quickly_without_a_traceback(app, data):
    wsgi, work, seen, fake = app
    body, content_type = data.draw(interactive(_bases(1, fake.response_url)))
    _check(fake, wsgi, work, seen, body, content_type)


@FUZZ
@given(data=st.data())
def test_any_signed_command_is_answered_quickly_without_a_traceback(app, data):
    wsgi, work, seen, fake = app
    _check(fake, wsgi, work, seen, *data.draw(commands(fake.response_url)))


@pytest.mark.parametrize("value", ["group:²", "group:" + "5" * 5000, "group:99999999999999999999"])
def test_the_odd_group_values_seen_in_the_wild_act_on_nothing(app, value):
    wsgi, work, seen, fake = app
    body = sr.block_actions_body(ids.MEETING_MET, value, MEMBERS[0].user_id, team_id=TEAM,
                                 response_url=fake.response_url())
    _check(fake, wsgi, work, seen, body, "application/x-www-form-urlencoded", allowed=(200,))


@pytest.mark.parametrize("trigger", [None, "not a\u2028trigger "])
def test_a_click_or_command_without_a_trigger_opens_no_form_and_leaves_no_traceback(app, trigger):
    """Every button (on a match's message and on App Home) and each command that opens a form, with
    no trigger or one unlike Slack's: Slack would refuse views.open, so none is asked for (found by
    the generated payloads above, and by a reviewer)."""
    wsgi, work, seen, fake = app
    for kind, body in _bases(1, fake.response_url):
        if body["type"] != "block_actions" or body["actions"][0].get("value", "").startswith("period:"):
            continue
        if trigger is None:
            del body["trigger_id"]
        else:
            body["trigger_id"] = trigger
        _check(fake, wsgi, work, seen, urlencode({"payload": json.dumps(body)}).encode(), FORM)
    for word in ("join", "schedule", "prompts"):
        fields = dict(parse_qsl(sr.slash_command_body(word, user_id=MEMBERS[3].user_id, team_id=TEAM,
                                                      response_url=fake.response_url()).decode()))
        fields["trigger_id"] = trigger or ""
        _check(fake, wsgi, work, seen, urlencode(fields).encode(), FORM)
    assert fake.calls_to("views.open") == []


def test_actions_that_are_not_objects_get_a_quiet_answer(app):
    wsgi, work, seen, fake = app
    click = _form(sr.block_actions_body(ids.MEETING_MET, "group:1", MEMBERS[0].user_id, team_id=TEAM))
    click["actions"] = ["x"]
    body = urlencode({"payload": json.dumps(click)}).encode()
    _check(fake, wsgi, work, seen, body, "application/x-www-form-urlencoded")


@pytest.mark.parametrize("kind", ["block_actions", "shortcut", {"": None}])
def test_a_payload_whose_view_is_not_an_object_gets_a_quiet_answer(app, kind):
    """Found by the generated payloads: Bolt reads `view` even to log a payload nothing takes."""
    wsgi, work, seen, fake = app
    click = _form(sr.block_actions_body(ids.MEETING_MET, "group:1", MEMBERS[0].user_id, team_id=TEAM))
    click["type"], click["view"] = kind, None
    _check(fake, wsgi, work, seen, urlencode({"payload": json.dumps(click)}).encode(), FORM)


def test_an_event_whose_user_is_an_object_gets_a_quiet_answer(app):
    wsgi, work, seen, fake = app
    event = sr.app_home_opened_event(MEMBERS[0].user_id)
    event["user"] = {"id": MEMBERS[0].user_id}
    body, _ = sr.event_body(event, team_id=TEAM)
    _check(fake, wsgi, work, seen, body, "application/json", allowed=(200,))


@settings(max_examples=300, deadline=None)
@given(body=JSON)
def test_the_payload_reader_and_the_workspace_check_take_anything(body):
    read = payload.read(body)
    assert isinstance(read.team_id, str) and isinstance(read.user_id, str)
    assert read.group_id is None or 0 <= read.group_id <= ids.MAX_ID
    workspace.refusal(body if isinstance(body, dict) else {}, workspace.Own(TEAM))
