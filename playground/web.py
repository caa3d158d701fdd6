"""The playground's page and the small JSON API it drives, as one WSGI app.

GET /api/state waits (up to LONG_POLL seconds) until something changes, so the page follows the
bot within a moment without hammering it. Everything a person does goes through the Surface:
signed, into the bot's real request URL.
"""

from __future__ import annotations

import json
import mimetypes
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

from playground import phases
from playground.slack.methods import BOT_USER_ID
from storage import clock, outbox
from storage import members as member_store
from storage.db import session_scope
from storage.models import MemberStatus

STATIC = Path(__file__).resolve().parent / "static"
LONG_POLL = 10
MAX_BODY = 1_000_000
CALLS_PAGE = 500  # the Slack calls panel fetches new calls in pages of this many


def make_page_app(playground):
    actions = Actions(playground)

    def app(environ, start_response):
        path, method = environ.get("PATH_INFO") or "/", environ.get("REQUEST_METHOD")
        try:
            if method == "GET" and path in ("/", "/index.html"):
                return _file(start_response, STATIC / "index.html")
            if method == "GET" and path.startswith("/static/"):
                target = (STATIC / path[len("/static/"):]).resolve()
                if STATIC in target.parents and target.is_file():
                    return _file(start_response, target)
            if method == "GET" and path == "/api/state":
                query = parse_qs(environ.get("QUERY_STRING") or "")
                since = int((query.get("since") or ["0"])[0] or 0)
                viewer = (query.get("as") or [""])[0]
                if since <= playground.fake.version:  # a page from before a restart asks at once
                    playground.fake.wait_for_change(since, LONG_POLL)
                return _json(start_response, state(playground, viewer))
            if method == "GET" and path == "/api/calls":
                after = int((parse_qs(environ.get("QUERY_STRING") or "").get("after") or ["0"])[0] or 0)
                traffic = playground.fake.traffic
                return _json(start_response, {"total": len(traffic), "calls": [
                    _call(n, c) for n, c in enumerate(traffic[after:after + CALLS_PAGE], start=after)]})
            if method == "POST" and path.startswith("/api/"):
                length = int(environ.get("CONTENT_LENGTH") or 0)
                if length > MAX_BODY:
                    return _json(start_response, {"error": "too large"}, "413 Payload Too Large")
                body = json.loads(environ["wsgi.input"].read(length) or b"{}")
                handler = getattr(actions, path[len("/api/"):].replace("-", "_"), None)
                if handler is not None:
                    return _json(start_response, handler(body))
            return _json(start_response, {"error": "not found"}, "404 Not Found")
        except Exception as error:  # the page says what broke rather than hanging
            playground.errors.append((time.time(), f"the playground itself failed on {path}: {error!r}"))
            playground.fake.touch()
            return _json(start_response, {"error": repr(error)}, "500 Internal Server Error")

    return app


class Actions:
    """What the page's controls do; each returns what the page shows about the outcome."""

    def __init__(self, playground):
        self.p = playground

    def command(self, body):
        text = (body.get("text") or "").strip()
        if not text.startswith("/"):
            return {"problem": "Only slash commands reach the bot here: try /unmentor help."}
        command, _, rest = text.partition(" ")
        if command != "/unmentor":
            return {"problem": f"{command} isn't a command in this workspace: try /unmentor help."}
        return _answer(self.p.surface.command(body["as"], rest.strip(), body.get("channel")))

    def click(self, body):
        where = body.get("where")
        return _answer(self.p.surface.click(
            body["as"], body["action_id"], channel=body.get("channel"), ts=body.get("ts"), home=where == "home",
            modal=where == "modal", value=body.get("value"), action_type=body.get("type") or "button",
            state=body.get("state")))

    def submit(self, body):
        return _answer(self.p.surface.submit(body["as"], body.get("values") or {}))

    def close(self, body):
        return _answer(self.p.surface.close(body["as"]))

    def home(self, body):
        return _answer(self.p.surface.open_home(body["as"]))

    def everyone_joins(self, body):
        """Every demo person who isn't a member yet types `/unmentor join <their organisation>`."""
        joined = member_statuses(self.p)
        waiting = [person for person in self.p.people if person.user_id not in joined]
        # A few at a time, as people would: the bot serves several requests at once.
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(
                pool.map(lambda person: self.p.surface.command(person.user_id, f"join {person.organisation}"), waiting)
            )
        failed = [a.problem for a in answers if a.problem]
        # The bot acks first and stores after: say how many are in once they are.
        wanted = {person.user_id for person in waiting}
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not wanted <= set(member_statuses(self.p)):
            time.sleep(0.1)
        joined = len(wanted & set(member_statuses(self.p)))
        return {"joined": joined, "problem": failed[0] if failed else None}

    def next_phase(self, body):
        # The rehearsal: the bot's clock jumps to the next phase, so a month's round is lived
        # in a minute while HTTP, signatures and the scheduler keep real seconds.
        phase = phases.next_phase(self.p.engine, self.p.team_id)
        with session_scope(self.p.engine) as session:
            mark = outbox.last_id(session, self.p.team_id)
        since = clock.now()
        target = phase.at + phases.PAST_DUE
        if target > clock.now():
            clock.move_to(target)
        self.p.save()
        self.p.run_phases_now()
        self.p.fake.touch()
        # The press answers once the phase's sends are in (or says they're still going), so a quick
        # second press can't move the clock on while intros are on their way and date them days later.
        pressed = phases.wait_for_sends(self.p.engine, self.p.team_id, phase, mark, since)
        upcoming = phases.next_phase(self.p.engine, self.p.team_id)
        return {"phase": phase.name, "at": phase.at.isoformat(), "round": phase.round_number,
                "said": pressed.said(), "sent": pressed.sent, "going": pressed.going,
                "next": {"name": upcoming.name, "at": upcoming.at.isoformat(), "round": upcoming.round_number}}


def _answer(answer):
    return {"status": answer.status, "problem": answer.problem, "errors": answer.errors}


def member_statuses(playground) -> dict[str, str]:
    with session_scope(playground.engine) as session:
        members = member_store.members_with_status(session, playground.team_id, list(MemberStatus))
        return {m.slack_user_id: m.status for m in members if m.slack_user_id}


def state(playground, viewer: str) -> dict:
    fake = playground.fake
    version = fake.version
    names = {u["id"]: u["real_name"] for u in fake.users()}
    names[BOT_USER_ID] = "unmentor"
    statuses = member_statuses(playground)
    people = [{"id": p.user_id, "name": p.name, "title": p.title, "organisation": p.organisation, "tz": p.timezone,
               "organiser": p.organiser, "status": statuses.get(p.user_id)} for p in playground.people]
    viewer = viewer if viewer in names else playground.people[0].user_id
    conversations = []
    for cid, members in fake.conversations_of(viewer):
        others = [names.get(m, m) for m in members if m != viewer]
        messages = [{**m, "ephemeral": False} for m in fake.messages(cid)]
        messages += [{**m, "ephemeral": True} for m in fake.ephemerals(cid, viewer)]
        messages.sort(key=lambda m: float(m["ts"]))
        title = "unmentor" if cid.startswith("D") else ", ".join(others + ["unmentor"])
        conversations.append({"id": cid, "kind": "dm" if cid.startswith("D") else "group", "title": title,
                              "messages": [_message(m) for m in messages]})
    traffic = fake.traffic
    flagged = [_call(n, c) for n, c in enumerate(traffic) if c.problems or c.error]
    try:
        upcoming = phases.next_phase(playground.engine, playground.team_id)
        next_up = {"name": upcoming.name, "at": upcoming.at.isoformat(), "round": upcoming.round_number}
    except Exception as error:  # the page still shows everything else
        next_up = {"name": None, "problem": repr(error)}
    troubles = [{"at": t.at, "what": t.what} for t in playground.surface.troubles[-20:]]
    troubles += [{"at": at, "what": f"The bot logged an error: {text}"} for at, text in playground.errors[-20:]]
    if not playground.healthy:
        troubles.append({"at": time.time(), "what": "The bot isn't answering its health check."})
    return {
        "version": version, "viewer": viewer, "names": names, "people": people,
        "now": clock.now().isoformat(), "offset_days": clock.offset() / timedelta(days=1), "next_phase": next_up,
        "conversations": conversations, "home": _view(fake.home(viewer)), "modal": _view(fake.modal(viewer)),
        "calls": {"total": len(traffic), "violations": sum(len(c.problems) for c in traffic),
                  "refused": sum(1 for c in traffic if c.error), "flagged": flagged[-100:]},
        "troubles": sorted(troubles, key=lambda t: t["at"]), "healthy": playground.healthy,
    }


def _message(m):
    keep = ("ts", "text", "blocks", "user", "edited", "ephemeral")
    return {k: m[k] for k in keep if k in m}


def _view(view):
    if view is None:
        return None
    keep = ("id", "type", "title", "submit", "close", "blocks", "callback_id", "notify_on_close")
    return {k: view.get(k) for k in keep}


def _call(n, call):
    args = {k: v for k, v in call.args.items() if k != "token"}
    return {
        "n": n + 1,
        "at": call.at,
        "method": call.method,
        "args": args,
        "problems": call.problems,
        "error": call.error,
    }


def _json(start_response, body, status="200 OK"):
    data = json.dumps(body, default=str).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                            ("Cache-Control", "no-store")])
    return [data]


def _file(start_response, path: Path):
    data = path.read_bytes()
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    start_response(
        "200 OK",
        [
            (
                "Content-Type",
                f"{kind}; charset=utf-8" if kind.startswith("text") or kind.endswith("javascript") else kind,
            ),
            ("Content-Length", str(len(data))),
            ("Cache-Control", "no-store"),
        ],
    )
    return [data]
