"""A stand-in Slack Web API and response-URL sink on 127.0.0.1 that checks every request against Slack's specs.

Past 400 lines on purpose: the HTTP side, the spec check of every call and the store of what each
person sees belong together; the Web API methods themselves are in methods.py, limits in limits.py.
"""

import base64
import copy
import hashlib
import itertools
import json
import random
import socket
import struct
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from . import spec
from .limits import Limits, Refusals
from .methods import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, SlackError, WebApiMethods

__all__ = ["FakeSlack", "Call", "SlackError", "TEAM_ID", "BOT_USER_ID", "BOT_ID", "APP_ID"]

# Ways an answer is lost after Slack has acted on a call (a post stored), as seen on real bad days:
# the answer comes after the client gave up waiting, an HTTP 500, a proxy's HTML error page, or the
# connection reset before any answer. None of them tells the client whether the post was taken.
LOST_ANSWERS = ("late", "server_error", "html_page", "reset")
# Slack's answers for a bot token it won't take (docs.slack.dev/reference/methods, "Errors" of every method).
TOKEN_ERRORS = ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "missing_scope")
HTML_ERROR_PAGE = (b"<html><head><title>502 Bad Gateway</title></head>"
                   b"<body><center><h1>502 Bad Gateway</h1></center></body></html>")

MAX_RESPONSE_URL_USES = (
    5  # "use a response_url up to 5 times within 30 minutes" (docs.slack.dev/interactivity/handling-user-interaction)
)
# How often wait_for asks its predicate again when nothing here has changed: a predicate may read
# what the stand-in doesn't see (the bot's database, its pool of work).
RECHECK_SECONDS = 0.01


@dataclass
class Call:
    """One request to the stand-in: a Web API call, or a post to a response URL (method "response_url")."""

    method: str
    args: dict
    token: str | None
    at: float = 0.0  # the stand-in's clock when it came
    problems: list = field(default_factory=list)  # how it broke Slack's spec, if it did
    error: str | None = None  # what Slack answered when it refused it


class FakeSlack(WebApiMethods):
    """The stand-in. `clock` gives the epoch seconds Slack stamps messages with (time.time, which
    freezegun moves; the playground passes the bot's clock, so a moved clock moves Slack's too)."""

    def __init__(self, require_action_ids=False, clock=None):
        # Slack lets interactive elements omit action_id (it generates one); a bot that routes on action_id
        # usually wants that flagged anyway, so it is opt-in.
        self.require_action_ids = require_action_ids
        # Looked up at each call (not bound once), so freezegun's patched time.time is seen.
        self._clock = clock or (lambda: time.time())
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._version = 0
        self._users = {}
        self._channels = {}  # id -> {"users": [...], "is_im": bool, "created": int}
        self._ephemerals = {}
        self._server = self._thread = None
        # Separate counters so message ts values stay evenly spaced; itertools.count is atomic under the GIL.
        self._last_ts_us = 0
        self._view_seq, self._name_seq = itertools.count(1), itertools.count(1)
        self.reset()

    # ---- lifecycle --------------------------------------------------------------------------------------

    def start(self):
        # Load the specs now: a missing file fails here, named, not as a 500 on the first call.
        spec.require(*spec.STAND_IN_FILES)
        spec.methods(), spec.validator("block")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        with self._lock:
            for released in self._held:
                released.set()
        if self._server:
            # serve_forever notices a stop only when its select() returns: at the end of its poll
            # interval (half a second), or at once when a connection comes. So one comes.
            stopping = threading.Thread(target=self._server.shutdown, daemon=True)
            stopping.start()
            wait = 0.002
            while stopping.is_alive():  # one knock after the stop is asked is enough; a few, spaced out
                self._knock()
                stopping.join(wait)
                wait = min(wait * 2, 0.1)
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def _knock(self):
        """An empty connection: it wakes the server's loop, and its handler reads nothing and ends."""
        try:
            socket.create_connection(self._server.server_address[:2], timeout=0.1).close()
        except OSError:
            pass  # already closed: the loop has stopped

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self):
        return f"{self.base_url}/api/"

    def response_url(self, name=None, user=None, channel=None, message_ts=None):
        """A response URL. Given the person and conversation it came from (and the message clicked, if
        any), what the bot posts to it shows up as Slack would show it (see _show_response)."""
        name = name or f"r{next(self._name_seq)}"
        if user:
            with self._lock:
                self._response_contexts[name] = {"user": user, "channel": channel, "message_ts": message_ts}
        return f"{self.base_url}/response/{name}"

    def trigger_for(self, user):
        """A fresh trigger_id for something `user` did: a modal opened with it is shown to them."""
        n = next(self._name_seq)
        trigger_id = f"{n}.{int(self._clock())}.{hashlib.sha1(f'{user}:{n}'.encode()).hexdigest()[:16]}"
        with self._lock:
            self._triggers[trigger_id] = user
        return trigger_id

    # ---- state for tests --------------------------------------------------------------------------------

    def reset(self):
        """Forget calls, responses, violations, messages, views and injected failures; keep users and DMs."""
        with self._lock:
            for released in getattr(self, "_held", ()):  # nothing held outlives its test
                released.set()
            self._held = []
            self._calls, self._responses, self._violations = [], [], []
            self._history = {cid: [] for cid in self._channels}
            self._views, self._homes, self._failures, self._used_triggers, self._response_uses = {}, {}, {}, set(), {}
            self._stalls, self._traffic, self._ephemerals, self._response_contexts = {}, [], {}, {}
            self._triggers, self._modals = {}, {}  # trigger_id -> user; user -> their stack of open modal ids
            self._limits = None
            self._refusals = []  # (Refusals, its clock): 429 bursts and random 429s
            self._slow = {}  # method -> [least, most seconds, calls left or None, its random]
            self._losses, self._token_error, self._down = {}, None, None
            self._answer_delay = 0.0  # answer_all_slowly: every answer, response URLs too
            self._bump()

    # ---- what people see (the playground's page reads these) --------------------------------------------

    @property
    def version(self):
        """Goes up whenever anything anyone could see changes."""
        return self._version

    def _bump(self):
        with self._lock:
            self._version += 1
            self._changed.notify_all()

    def wait_for_change(self, since, timeout):
        """Block until version > since (or timeout); returns the version."""
        with self._changed:
            self._changed.wait_for(lambda: self._version > since, timeout)
            return self._version

    @property
    def traffic(self):
        """Every Web API call and response-URL post, in order, with its problems and refusals."""
        with self._lock:
            return list(self._traffic)

    def users(self):
        with self._lock:
            return copy.deepcopy(list(self._users.values()))

    def conversations_of(self, user):
        """(id, member ids) of each conversation `user` is in with the app: their DM first, then group DMs."""
        with self._lock:
            found = [(cid, list(c["users"])) for cid, c in self._channels.items() if user in c["users"]]
        return sorted(
            found, key=lambda item: (not item[0].startswith("D"), self._channels[item[0]]["created"], item[0])
        )

    def ephemerals(self, channel, user):
        """Messages in `channel` only `user` can see, oldest first."""
        with self._lock:
            return copy.deepcopy([m for m in self._ephemerals.get(channel, []) if m["_for"] == user])

    def home(self, user):
        """The App Home view published for `user`, or None."""
        with self._lock:
            view = self._views.get(self._homes.get(user))
            return copy.deepcopy(view)

    def modal(self, user):
        """The modal open on `user`'s screen (the top of their stack), or None."""
        with self._lock:
            stack = self._modals.get(user) or []
            return copy.deepcopy(self._views[stack[-1]]) if stack else None

    def open_dm(self, user):
        """The app's DM with `user`, which Slack shows in the sidebar whether or not the app has written."""
        with self._lock:
            cid = self.conversation_id(user)
            if cid not in self._channels:
                self._open(cid, [user])
                self._bump()
            return cid

    def close_modal(self, user, everything=False):
        """The person closed the top modal (or Slack cleared them all)."""
        with self._lock:
            stack = self._modals.get(user) or []
            del stack[0 if everything else -1:]
            self._bump()

    def show_view_response(self, user, answer):
        """Apply a bot's answer to a view_submission as Slack does: errors stay on screen, update and push
        change the stack, clear closes every modal, anything else closes the top one. -> the errors, if any."""
        with self._lock:
            action = (answer or {}).get("response_action")
            where = f"view_submission answer ({action or 'close'})"
            if action == "errors":
                errors = answer.get("errors")
                if not isinstance(errors, dict) or not errors:
                    self._flag(where, "errors must be an object of block_id -> message")
                return errors or {}
            if action in ("update", "push"):
                view = answer.get("view")
                problems = spec.view_errors(view, ("modal",))
                for problem in problems:
                    self._flag(where, problem)
                stack = self._modals.setdefault(user, [])
                if not problems:
                    current = stack[-1] if stack and action == "update" else None
                    stored = self._store_view(view, current)["view"]
                    if action == "push" or not stack:
                        stack.append(stored["id"])
                return {}
            if action not in (None, "clear"):
                self._flag(where, f"unknown response_action {action!r}")
            self.close_modal(user, everything=action == "clear")
            return {}

    def show_reply(self, user, channel, payload):
        """A message Slack shows `user` alone in `channel`, as for a slash command answered in its ack."""
        with self._lock:
            self._show_response({"user": user, "channel": channel, "message_ts": None}, payload)
            self._bump()

    def touch(self):
        """Something outside the stand-in changed what people see (the playground's own notes)."""
        self._bump()

    def _flag(self, where, message):
        self._violate(where, message)
        self._traffic.append(Call(where, {}, None, self._clock(), [message]))
        self._bump()

    @property
    def calls(self):
        with self._lock:
            return list(self._calls)

    @property
    def responses(self):
        with self._lock:
            return list(self._responses)

    @property
    def violations(self):
        with self._lock:
            return list(self._violations)

    def calls_to(self, method):
        return [c for c in self.calls if c.method == method]

    def messages(self, channel):
        with self._lock:
            return copy.deepcopy(self._history.get(channel, []))

    def wait_for(self, predicate, timeout=5.0):
        """Whether `predicate(self)` came true within `timeout` seconds. It is asked again the moment
        anything here changes (a call, a response URL post, a view shown), and every
        RECHECK_SECONDS besides, for a predicate that also reads the bot's own state."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.version
            if predicate(self):
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.wait_for_change(seen, min(left, RECHECK_SECONDS))

    def add_user(self, user_id, real_name="", email=None, tz="Europe/London", tz_offset=None, title="",
                 is_admin=False, is_owner=False, deleted=False, team_id=TEAM_ID, display_name=None, is_bot=False,
                 is_restricted=False, is_ultra_restricted=False):
        """tz_offset defaults to the zone's current UTC offset in seconds, as Slack reports it. display_name
        defaults to "", as for every Slack user who never set one: show real_name then.

        People Slack won't let a bot reach as it would a member: `deleted` (a deactivated account),
        `is_bot`, guests (`is_restricted` a multi-channel guest, `is_ultra_restricted` a single-channel
        one, both as Slack marks them) and, with another `team_id`, someone from another organisation's
        workspace in a Slack Connect channel (users.list leaves them out, as Slack does)."""
        if tz_offset is None:
            tz_offset = int(datetime.now(ZoneInfo(tz)).utcoffset().total_seconds())
        with self._lock:
            self._users[user_id] = dict(
                id=user_id,
                real_name=real_name,
                email=email,
                tz=tz,
                tz_offset=tz_offset,
                title=title,
                is_admin=is_admin,
                is_owner=is_owner,
                deleted=deleted,
                team_id=team_id,
                is_bot=is_bot,
                display_name=display_name or "",
                is_restricted=is_restricted or is_ultra_restricted,  # Slack marks a single-channel guest both
                is_ultra_restricted=is_ultra_restricted,
            )

    def fail_next(self, method, error="ratelimited", status=429, retry_after=1, times=1):
        """Answer the next `times` calls to `method` with HTTP 429 + Retry-After, {"ok": false} or a 5xx."""
        if status >= 500 and error == "ratelimited":
            error = "internal_error"
        with self._lock:
            self._failures.setdefault(method, []).extend([(status, error, retry_after)] * times)

    def limit(self, per_minute, burst=5.0, per_conversation_per_minute=60.0, clock=None):
        """Enforce Slack-like rate limits from now on: {method: calls a minute} as token buckets of
        `burst` tokens, and chat.postMessage at most once a second into one conversation. Beyond them
        a call is answered 429 with Retry-After (whole seconds), as Slack does. reset() lifts them.
        `clock` (seconds) refills the buckets: a test's simulated clock, else real time."""
        with self._lock:
            self._limits = Limits(dict(per_minute), burst, per_conversation_per_minute)
            self._limits_clock = clock or time.monotonic
        return self._limits

    def refuse_for(self, method, seconds, retry_after=1, clock=None):
        """A burst of 429s: every call to `method` in the next `seconds` is answered 429 with
        `retry_after`, however slowly it comes; then Slack is healthy again. `clock` as for limit()."""
        clock = clock or time.monotonic
        return self._refuse(Refusals(method, until=clock() + seconds, retry_after=retry_after), clock)

    def refuse_at_random(self, method, share, retry_after=1, seed=0, clock=None):
        """429s at random: each call to `method` is refused with probability `share` (the same
        sequence for the same `seed`), whatever the pace."""
        return self._refuse(Refusals(method, share=share, retry_after=retry_after, seed=seed), clock or time.monotonic)

    def _refuse(self, refusals, clock):
        with self._lock:
            self._refusals.append((refusals, clock))
        return refusals

    def conversation_id(self, *user_ids):
        """The id conversations.open gives these users: "D…" for one, "G…" (an mpim) for several."""
        key = ",".join(sorted(set(user_ids)))
        digest = base64.b32encode(hashlib.sha1(f"{TEAM_ID}:{key}".encode()).digest()).decode()[:10]
        return ("D" if len(set(user_ids)) == 1 else "G") + digest

    # ---- request handling -------------------------------------------------------------------------------

    def _violate(self, where, message, call=None):
        self._violations.append(f"{where}: {message}")
        if call is not None:
            call.problems.append(message)

    def installed_in_grid(self, enterprise_id, org_wide=False):
        """Be a workspace of an Enterprise Grid organisation (auth.test says so); org_wide, an
        installation across the whole organisation rather than in this one workspace."""
        with self._lock:
            self.grid = (enterprise_id, org_wide)

    def answer_all_slowly(self, seconds):
        """From now on take `seconds` over every answer before acting on it, Web API and response
        URLs alike (all of Slack slow on a bad day); 0 answers at once again, as does reset()."""
        with self._lock:
            self._answer_delay = float(seconds)

    def hold(self, method, times=1, longest=60.0):
        """Hold the answers to the next `times` successful calls to `method`, after acting on them,
        until the returned event is set (or `longest` seconds pass). For a test that does something
        while Slack holds an answer and then lets it go: a fixed stall must be long enough for the
        test's own steps on the busiest machine, and is waited out in full on every other."""
        released = threading.Event()
        with self._lock:
            self._held.append(released)
            self._stalls.setdefault(method, []).extend([(released, longest)] * times)
        return released

    def stall_after(self, method, seconds, times=1):
        """Hold the answer to the next `times` successful calls to `method` for `seconds`, after acting on them.

        That is the window in which a crashing client has been served by Slack but never heard so.
        """
        with self._lock:
            self._stalls.setdefault(method, []).extend([seconds] * times)

    def answer_slowly(self, method, seconds=(2.0, 4.0), times=None, seed=0):
        """A slow day: each call to `method` (the next `times`, else every one until reset()) is acted on at
        once and answered `seconds` later, or a random time between two (the same ones for the same `seed`).
        Meanwhile the caller doesn't know Slack took it, and people go on clicking."""
        low, high = (seconds, seconds) if isinstance(seconds, (int, float)) else seconds
        with self._lock:
            self._slow[method] = [low, high, times, random.Random(seed)]

    def _slowness(self, method):
        slow = self._slow.get(method)
        if slow is None:
            return 0.0
        low, high, times, rng = slow
        if times is not None:
            slow[2] = times - 1
            if slow[2] <= 0:
                del self._slow[method]
        return rng.uniform(low, high)

    def lose_answers(self, method, how, times=1, seconds=12.0):
        """Act on the next `times` successful calls to `method` (a post is stored, people see it), then
        lose the answer `how` (one of LOST_ANSWERS): "late" answers after `seconds` (longer than the
        client waits), "server_error" answers HTTP 500, "html_page" a proxy's 502 page, "reset" closes
        the connection unanswered."""
        if how not in LOST_ANSWERS:
            raise ValueError(f"{how!r} is not one of {LOST_ANSWERS}")
        with self._lock:
            self._losses.setdefault(method, []).extend([(how, seconds)] * times)

    def refuse_token(self, error="invalid_auth"):
        """From now on every Web API call is refused with a token error (one of TOKEN_ERRORS), acting on
        nothing, as Slack answers a revoked, expired or uninstalled app's token; accept_token() mends it."""
        if error not in TOKEN_ERRORS:
            raise ValueError(f"{error!r} is not one of {TOKEN_ERRORS}")
        with self._lock:
            self._token_error = error

    def accept_token(self):
        with self._lock:
            self._token_error = None

    def go_down(self, status=503):
        """Slack is down: every Web API call answers HTTP `status` without acting, until come_back()."""
        with self._lock:
            self._down = status

    def come_back(self):
        with self._lock:
            self._down = None

    def handle_api(self, method, query, headers, body):
        """-> (status, extra headers, JSON-able body, how the answer is lost or None)."""
        *answer, stall, loss = self._handle_api(method, query, headers, body)
        if isinstance(stall, tuple):  # hold(): until released
            released, longest = stall
            released.wait(longest)
        elif stall:
            time.sleep(stall)
        if loss is not None and loss[0] == "late":
            time.sleep(loss[1])
        return (*answer, loss and loss[0])

    def _handle_api(self, method, query, headers, body):
        args, token, problems = _parse_api_request(method, query, headers, body)
        with self._lock:
            call = Call(method, args, token, self._clock())
            self._calls.append(call)
            self._traffic.append(call)
            answer = self._answer(call, problems)
            call.error = None if answer[2].get("ok") else answer[2].get("error")
            # Taken with the call itself, so a stall or loss asked for while a call is on its way
            # applies to the calls after it, never to that one.
            ok = answer[2].get("ok")
            stall = self._stalls[method].pop(0) if ok and self._stalls.get(method) else 0
            stall = stall or (self._slowness(method) if ok else 0)
            loss = self._losses[method].pop(0) if ok and self._losses.get(method) else None
            if loss is not None:
                call.error = f"answer lost: {loss[0]}"
            self._bump()
            return (*answer, stall, loss)

    def _answer(self, call, problems):
        method, args = call.method, call.args
        if method not in spec.methods() or not hasattr(self, "_m_" + method.replace(".", "_")):
            known = "not implemented by FakeSlack" if method in spec.methods() else "not in Slack's Web API spec"
            self._violate(method, f"unknown method ({known})", call)
            return 200, {}, {"ok": False, "error": "unknown_method"}
        if not any(code in ("not_authed", "invalid_auth") for code, _ in problems):
            problems += spec.check_args(method, args) + self._content_problems(method, args)
        for _, message in problems:
            self._violate(method, message, call)
        if self._down is not None:
            return self._down, {}, {"ok": False, "error": "service_unavailable"}
        if self._token_error is not None:
            return 200, {}, {"ok": False, "error": self._token_error}
        if self._limits is not None:
            retry_after = self._limits.take(method, self._limits_clock(), args.get("channel"))
            if retry_after is not None:
                return 429, {"Retry-After": str(int(retry_after))}, {"ok": False, "error": "ratelimited"}
        for refusals, clock in self._refusals:
            retry_after = refusals.take(method, clock())
            if retry_after is not None:
                return 429, {"Retry-After": str(int(retry_after))}, {"ok": False, "error": "ratelimited"}
        if self._failures.get(method):
            status, error, retry_after = self._failures[method].pop(0)
            return status, ({"Retry-After": str(retry_after)} if status == 429 else {}), {"ok": False, "error": error}
        errors = [(code, message) for code, message in problems if code]
        if errors:
            return (
                200,
                {},
                {"ok": False, "error": errors[0][0], "response_metadata": {"messages": [m for _, m in errors]}},
            )
        try:
            return 200, {}, {"ok": True, **getattr(self, "_m_" + method.replace(".", "_"))(args)}
        except SlackError as e:
            if e.violation:
                self._violate(method, e.violation, call)
            return 200, {}, {"ok": False, "error": e.code}

    def _content_problems(self, method, args):
        problems = []
        try:
            if "blocks" in args and method in spec.MESSAGE_METHODS:
                blocks = spec.parse_json_arg(args["blocks"])
                problems += [("invalid_blocks", e) for e in spec.blocks_errors(blocks)]
                problems += self._action_id_problems(blocks, "/blocks")
            if "view" in args and method.startswith("views."):
                view = spec.parse_json_arg(args["view"])
                allowed = ("home",) if method == "views.publish" else ("modal",)
                problems += [("invalid_arguments", e) for e in spec.view_errors(view, allowed)]
                problems += self._action_id_problems(view, "/view")
        except ValueError:
            pass  # not JSON: check_args already reported it
        return problems

    def _action_id_problems(self, node, prefix):
        if not self.require_action_ids:
            return []
        return [("invalid_blocks", f"interactive element without action_id [json-pointer:{prefix}{p}]")
                for p in spec.missing_action_ids(node)]

    def handle_response_url(self, name, headers, body):
        """-> (status, text). Slack answers response URLs in plain text, like incoming webhooks."""
        with self._lock:
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                payload = body.decode("utf-8", "replace")
            record = dict(payload) if isinstance(payload, dict) else {"_raw": payload}
            self._responses.append({**record, "_name": name})
            call = Call("response_url", record, None, self._clock())
            self._traffic.append(call)
            where = f"response_url {name}"
            if "json" not in headers.get("Content-Type", ""):
                self._violate(where, "post JSON with Content-Type: application/json", call)
            self._response_uses[name] = uses = self._response_uses.get(name, 0) + 1
            if uses > MAX_RESPONSE_URL_USES:
                self._violate(where, f"used {uses} times; Slack allows {MAX_RESPONSE_URL_USES}", call)
            errors = spec.response_url_errors(payload)
            for _, message in errors:
                self._violate(where, message, call)
            if errors:
                call.error = errors[0][0]
            elif name in self._response_contexts:
                self._show_response(self._response_contexts[name], payload)
            self._bump()
            return (400, errors[0][0]) if errors else (200, "ok")

    def _show_response(self, context, payload):
        """Where Slack shows a response-URL post: in place of the message clicked (replace_original),
        gone (delete_original), in the conversation for all (in_channel), or else only to the person."""
        user, channel, ts = (
            context["user"],
            context["channel"] or self.conversation_id(context["user"]),
            context["message_ts"],
        )
        original = None
        if ts:
            original = next((m for m in self._history.get(channel, []) + self._ephemerals.get(channel, [])
                             if m["ts"] == ts), None)
        if original is not None and spec.as_bool(payload.get("delete_original")):
            for store in (self._history.get(channel, []), self._ephemerals.get(channel, [])):
                if original in store:
                    store.remove(original)
            return
        if original is not None and spec.as_bool(payload.get("replace_original")):
            original.pop("blocks", None)
            original["text"] = payload.get("text") or ""
            self._apply_content(original, payload)
            return
        message = {"type": "message", "ts": self._next_ts(), "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID,
                   "team": TEAM_ID, "text": payload.get("text") or ""}
        self._apply_content(message, payload)
        if payload.get("response_type") == "in_channel":
            self._history.setdefault(channel, []).append(message)
        else:
            self._ephemerals.setdefault(channel, []).append({**message, "_for": user})


def _parse_api_request(method, query, headers, body):
    """-> (args, token, problems). Arguments may come in the query string, a form body or a JSON body."""
    problems = []
    args = dict(parse_qsl(query, keep_blank_values=True))
    content_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
    json_body, parsed, body_form = False, {}, {}
    if body:
        if content_type == "application/json":
            json_body = True
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                problems.append(("invalid_json", "JSON body is not an object"))
                parsed = {}
            args.update(parsed)
        elif content_type == "application/x-www-form-urlencoded":
            body_form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            args.update(body_form)
        else:
            problems.append(("invalid_form_data", f"unsupported Content-Type {content_type!r}"))
    if json_body and method in spec.methods() and not spec.methods()[method]["json"]:
        problems.append(("invalid_arguments", "this method does not accept JSON bodies (spec: form-urlencoded only)"))
    auth = headers.get("Authorization", "")
    token = auth[len("Bearer "):] if auth.startswith("Bearer ") else None
    if token is None and "token" in args:
        token = args["token"]
        if json_body and "token" in parsed:
            # "To make use of sending JSON ... you must provide your token value using an Authorization HTTP header."
            # (docs.slack.dev/changelog/2017-10-keeping-up-with-the-jsons)
            problems.append(("not_authed", "token in a JSON body is ignored; use the Authorization header"))
            token = None
        elif "token" in dict(parse_qsl(query)) and "token" not in body_form:
            # Apps created after 2021-02-24 may not send tokens in the query string
            # (docs.slack.dev/changelog/2020-11-no-more-tokens-in-querystrings-for-newly-created-apps).
            problems.append(("not_authed", "token in the query string; use the Authorization header"))
            token = None
    if token is None:
        if not any(code == "not_authed" for code, _ in problems):
            problems.append(("not_authed", "no token: send Authorization: Bearer xoxb-..."))
    elif not token.startswith("xoxb-"):
        problems.append(("invalid_auth", f"token must be a bot token (xoxb-...), got {token[:5]!r}..."))
    return args, token, problems


def _handler(fake):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self._handle()

        def do_POST(self):
            self._handle()

        def log_message(self, *args):
            pass  # keep test output clean; every request is in fake.calls

        def _handle(self):
            try:
                self._route()
            except (BrokenPipeError, ConnectionResetError):
                # The caller went away before its answer was written: a process killed while
                # Slack held the answer (stall_after) is what the crash tests do on purpose.
                return
            except Exception as error:  # a bug in the fake must fail the test, not hang the client
                frame = traceback.extract_tb(error.__traceback__)[-1]  # where, so a rare crash can be found
                with fake._lock:
                    fake._violate("FakeSlack", f"crashed on {self.path}: {error!r} at "
                                               f"{Path(frame.filename).name}:{frame.lineno}")
                self._send(500, b"fake crashed", "text/plain", {})

        def _route(self):
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if fake._answer_delay:
                time.sleep(fake._answer_delay)
            if url.path.startswith("/api/"):
                status, extra, answer, loss = fake.handle_api(url.path[len("/api/"):], url.query, self.headers, body)
                if loss == "reset":
                    # SO_LINGER 0: the close sends a TCP reset, as a dropped connection does.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                elif loss == "server_error":
                    self._send(500, json.dumps({"ok": False, "error": "fatal_error"}).encode(),
                               "application/json; charset=utf-8", {})
                elif loss == "html_page":
                    self._send(502, HTML_ERROR_PAGE, "text/html", {})
                else:
                    self._send(status, json.dumps(answer).encode(), "application/json; charset=utf-8", extra)
            elif url.path.startswith("/response/"):
                status, text = fake.handle_response_url(url.path[len("/response/"):], self.headers, body)
                self._send(status, text.encode(), "text/html", {})
            else:
                with fake._lock:
                    fake._violate("http", f"request to unknown path {url.path!r}")
                self._send(404, b"not found", "text/plain", {})

        def _send(self, status, data, content_type, extra):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler
