"""A stand-in Slack Web API and response-URL sink on 127.0.0.1 that checks every request against Slack's specs."""

import base64
import copy
import hashlib
import itertools
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from . import spec
from .limits import Limits

TEAM_ID, TEAM_NAME, TEAM_DOMAIN = "T111", "Unmentor Test", "unmentor-test"
BOT_USER_ID, BOT_ID, APP_ID = "UBOT", "BBOT", "A111"
MAX_RESPONSE_URL_USES = 5  # "use a response_url up to 5 times within 30 minutes" (docs.slack.dev/interactivity/handling-user-interaction)
# A deactivated member's users.info object lacks these keys entirely (measured against a live workspace:
# github.com/brekkylab/backlot/issues/258). Bots that read user["tz"] without .get() break on them.
ACTIVE_ONLY_USER_KEYS = (
    "color", "is_email_confirmed", "real_name", "tz", "tz_label", "tz_offset", "is_admin", "is_owner",
    "is_primary_owner", "is_restricted", "is_ultra_restricted", "has_2fa", "who_can_share_contact_card",
)


@dataclass
class Call:
    method: str
    args: dict
    token: str | None


class SlackError(Exception):
    """Answer {"ok": false, "error": code}; a message also makes it a spec violation."""

    def __init__(self, code, violation=None):
        super().__init__(code)
        self.code, self.violation = code, violation


class FakeSlack:
    def __init__(self, require_action_ids=False):
        # Slack lets interactive elements omit action_id (it generates one); a bot that routes on action_id
        # usually wants that flagged anyway, so it is opt-in.
        self.require_action_ids = require_action_ids
        self._lock = threading.RLock()
        self._users = {}
        self._channels = {}  # id -> {"users": [...], "is_im": bool, "created": int}
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
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

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

    def response_url(self, name=None):
        return f"{self.base_url}/response/{name or f'r{next(self._name_seq)}'}"

    # ---- state for tests --------------------------------------------------------------------------------

    def reset(self):
        """Forget calls, responses, violations, messages, views and injected failures; keep users and DMs."""
        with self._lock:
            self._calls, self._responses, self._violations = [], [], []
            self._history = {cid: [] for cid in self._channels}
            self._views, self._homes, self._failures, self._used_triggers, self._response_uses = {}, {}, {}, set(), {}
            self._stalls = {}
            self._limits = None

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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.01)
        return bool(predicate(self))

    def add_user(self, user_id, real_name="", email=None, tz="Europe/London", tz_offset=None, title="",
                 is_admin=False, is_owner=False, deleted=False, team_id=TEAM_ID, display_name=None, is_bot=False):
        """tz_offset defaults to the zone's current UTC offset in seconds, as Slack reports it. display_name
        defaults to "", as for every Slack user who never set one: show real_name then."""
        if tz_offset is None:
            tz_offset = int(datetime.now(ZoneInfo(tz)).utcoffset().total_seconds())
        with self._lock:
            self._users[user_id] = dict(
                id=user_id, real_name=real_name, email=email, tz=tz, tz_offset=tz_offset, title=title, is_admin=is_admin,
                is_owner=is_owner, deleted=deleted, team_id=team_id, is_bot=is_bot,
                display_name=display_name or "",
            )

    def fail_next(self, method, error="ratelimited", status=429, retry_after=1, times=1):
        """Answer the next `times` calls to `method` with HTTP 429 + Retry-After, {"ok": false} or a 5xx."""
        if status >= 500 and error == "ratelimited":
            error = "internal_error"
        with self._lock:
            self._failures.setdefault(method, []).extend([(status, error, retry_after)] * times)

    def limit(self, per_minute, burst=5.0, per_conversation_per_minute=60.0):
        """Enforce Slack-like rate limits from now on: {method: calls a minute} as token buckets of
        `burst` tokens, and chat.postMessage at most once a second into one conversation. Beyond them
        a call is answered 429 with Retry-After (whole seconds), as Slack does. reset() lifts them."""
        with self._lock:
            self._limits = Limits(dict(per_minute), burst, per_conversation_per_minute)
        return self._limits

    def conversation_id(self, *user_ids):
        """The id conversations.open gives these users: "D…" for one, "G…" (an mpim) for several."""
        key = ",".join(sorted(set(user_ids)))
        digest = base64.b32encode(hashlib.sha1(f"{TEAM_ID}:{key}".encode()).digest()).decode()[:10]
        return ("D" if len(set(user_ids)) == 1 else "G") + digest

    # ---- request handling -------------------------------------------------------------------------------

    def _violate(self, where, message):
        self._violations.append(f"{where}: {message}")

    def stall_after(self, method, seconds, times=1):
        """Hold the answer to the next `times` successful calls to `method` for `seconds`, after acting on them.

        That is the window in which a crashing client has been served by Slack but never heard so.
        """
        with self._lock:
            self._stalls.setdefault(method, []).extend([seconds] * times)

    def handle_api(self, method, query, headers, body):
        """-> (status, extra headers, JSON-able body)."""
        answer = self._handle_api(method, query, headers, body)
        with self._lock:
            stall = self._stalls[method].pop(0) if answer[2].get("ok") and self._stalls.get(method) else 0
        if stall:
            time.sleep(stall)
        return answer

    def _handle_api(self, method, query, headers, body):
        args, token, problems = _parse_api_request(method, query, headers, body)
        with self._lock:
            self._calls.append(Call(method, args, token))
            if method not in spec.methods() or not hasattr(self, "_m_" + method.replace(".", "_")):
                known = "not implemented by FakeSlack" if method in spec.methods() else "not in Slack's Web API spec"
                self._violate(method, f"unknown method ({known})")
                return 200, {}, {"ok": False, "error": "unknown_method"}
            if not any(code in ("not_authed", "invalid_auth") for code, _ in problems):
                problems += spec.check_args(method, args) + self._content_problems(method, args)
            for _, message in problems:
                self._violate(method, message)
            if self._limits is not None:
                retry_after = self._limits.take(method, time.monotonic(), args.get("channel"))
                if retry_after is not None:
                    return 429, {"Retry-After": str(int(retry_after))}, {"ok": False, "error": "ratelimited"}
            if self._failures.get(method):
                status, error, retry_after = self._failures[method].pop(0)
                return status, ({"Retry-After": str(retry_after)} if status == 429 else {}), {"ok": False, "error": error}
            errors = [(code, message) for code, message in problems if code]
            if errors:
                return 200, {}, {"ok": False, "error": errors[0][0], "response_metadata": {"messages": [m for _, m in errors]}}
            try:
                return 200, {}, {"ok": True, **getattr(self, "_m_" + method.replace(".", "_"))(args)}
            except SlackError as e:
                if e.violation:
                    self._violate(method, e.violation)
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
            where = f"response_url {name}"
            if "json" not in headers.get("Content-Type", ""):
                self._violate(where, "post JSON with Content-Type: application/json")
            self._response_uses[name] = uses = self._response_uses.get(name, 0) + 1
            if uses > MAX_RESPONSE_URL_USES:
                self._violate(where, f"used {uses} times; Slack allows {MAX_RESPONSE_URL_USES}")
            errors = spec.response_url_errors(payload)
            for _, message in errors:
                self._violate(where, message)
            return (400, errors[0][0]) if errors else (200, "ok")

    # ---- Web API methods: each gets the checked args and returns the rest of an ok answer ------------------

    def _m_auth_test(self, args):
        return {"url": f"https://{TEAM_DOMAIN}.slack.com/", "team": TEAM_NAME, "user": "unmentor", "team_id": TEAM_ID,
                "user_id": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "is_enterprise_install": False}

    def _m_team_info(self, args):
        if args.get("team") not in (None, TEAM_ID):
            raise SlackError("team_not_found")
        icon = {f"image_{n}": f"https://a.slack-edge.com/team_{n}.png" for n in (34, 44, 68, 88, 102, 132, 230)}
        return {"team": {"id": TEAM_ID, "name": TEAM_NAME, "domain": TEAM_DOMAIN, "email_domain": "example.org",
                         "url": f"https://{TEAM_DOMAIN}.slack.com/", "is_verified": False, "avatar_base_url": "https://ca.slack-edge.com/",
                         "icon": {**icon, "image_default": True}}}

    def _m_users_info(self, args):
        user_id = args["user"]
        if user_id == BOT_USER_ID:
            return {"user": self._user_object(dict(id=BOT_USER_ID, real_name="unmentor", email=None, tz="America/Los_Angeles",
                                                   tz_offset=-28800, title="", is_admin=False, is_owner=False, deleted=False,
                                                   team_id=TEAM_ID, is_bot=True, display_name=""))}
        if user_id not in self._users:
            raise SlackError("user_not_found")
        return {"user": self._user_object(self._users[user_id])}

    def _user_object(self, u):
        name = (u["email"] or u["id"]).split("@")[0].lower()
        profile = {"title": u["title"], "phone": "", "skype": "", "real_name": u["real_name"], "real_name_normalized": u["real_name"],
                   "display_name": u["display_name"], "display_name_normalized": u["display_name"], "status_text": "",
                   "status_emoji": "", "status_expiration": 0, "avatar_hash": "g" + u["id"].lower(), "team": u["team_id"],
                   "first_name": u["real_name"].split(" ")[0], "last_name": " ".join(u["real_name"].split(" ")[1:]),
                   **{f"image_{n}": f"https://secure.gravatar.com/avatar/{u['id']}-{n}.png" for n in (24, 32, 48, 72, 192, 512)}}
        if u["email"]:
            profile["email"] = u["email"]  # needs users:read.email; Slack omits it otherwise
        user = {"id": u["id"], "team_id": u["team_id"], "name": name, "deleted": u["deleted"], "color": "9f69e7",
                "real_name": u["real_name"], "tz": u["tz"], "tz_label": _tz_label(u["tz"]), "tz_offset": u["tz_offset"],
                "profile": profile, "is_admin": u["is_admin"], "is_owner": u["is_owner"], "is_primary_owner": False,
                "is_restricted": False, "is_ultra_restricted": False, "is_bot": u["is_bot"], "is_app_user": False,
                "updated": 1_690_000_000, "is_email_confirmed": True, "has_2fa": False, "who_can_share_contact_card": "EVERYONE"}
        if u["deleted"]:
            user = {k: v for k, v in user.items() if k not in ACTIVE_ONLY_USER_KEYS}
        return user

    def _m_conversations_open(self, args):
        if args.get("channel"):
            if args["channel"] not in self._channels:
                raise SlackError("channel_not_found")
            return {"channel": {"id": args["channel"]}}
        users = [u.strip() for u in str(args["users"]).split(",") if u.strip()]
        if len(users) > 8:
            raise SlackError("too_many_users")
        for user_id in users:
            user = self._users.get(user_id)
            if user_id == BOT_USER_ID or (user and user["is_bot"]):
                raise SlackError("cannot_dm_bot")
            if user is None:
                raise SlackError("user_not_found")
            if user["deleted"]:
                raise SlackError("user_disabled")
        cid = self.conversation_id(*users)
        already_open = cid in self._channels
        if not already_open:
            if spec.as_bool(args.get("prevent_creation")):
                return {"no_op": True, "already_open": False}
            self._open(cid, users)
        channel = {"id": cid}
        if spec.as_bool(args.get("return_im")) or len(set(users)) > 1:
            channel = self._channel_object(cid)
        return {"no_op": already_open, "already_open": already_open, "channel": channel}

    def _open(self, cid, users):
        self._channels[cid] = {"users": sorted(set(users)), "is_im": cid.startswith("D"), "created": int(time.time())}
        self._history.setdefault(cid, [])

    def _channel_object(self, cid):
        c = self._channels[cid]
        obj = {"id": cid, "created": c["created"], "is_im": c["is_im"], "is_mpim": not c["is_im"], "is_org_shared": False,
               "is_open": True, "last_read": "0000000000.000000", "priority": 0}
        if c["is_im"]:
            obj["user"] = c["users"][0]
        else:
            obj.update(is_group=False, is_private=True, name="mpdm-" + "--".join(c["users"]) + "-1", members=c["users"] + [BOT_USER_ID])
        return obj

    def _resolve_channel(self, channel):
        """A conversation the bot can post to: an opened DM/mpim, a user id (Slack posts to the app's DM
        with that user and answers with the D… id), or any C… channel (membership is not modelled)."""
        channel = str(channel)
        if channel in self._channels or (channel.startswith("C") and channel[1:].isalnum()):
            self._history.setdefault(channel, [])
            return channel
        user = self._users.get(channel)
        if user and not user["deleted"] and not user["is_bot"]:
            cid = self.conversation_id(channel)
            if cid not in self._channels:
                self._open(cid, [channel])
            return cid
        raise SlackError("channel_not_found")

    def _next_ts(self):
        # Like Slack: the ts is the posting time (as this process sees it, so freezegun moves it
        # too), kept strictly increasing within the workspace.
        with self._lock:
            us = max(int(time.time() * 1_000_000), self._last_ts_us + 100)
            self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def _m_chat_postMessage(self, args):
        channel = self._resolve_channel(args["channel"])
        ts = self._next_ts()
        message = {"type": "message", "ts": ts, "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID,
                   "text": args.get("text") or args.get("markdown_text") or ""}
        self._apply_content(message, args)
        for key in ("thread_ts", "metadata"):
            if args.get(key):
                message[key] = spec.parse_json_arg(args[key]) if key == "metadata" else args[key]
        if message.get("thread_ts") and spec.as_bool(args.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        self._history[channel].append(message)
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    def _apply_content(self, message, args):
        if args.get("blocks") not in (None, ""):
            message["blocks"] = _with_ids(spec.parse_json_arg(args["blocks"]))
        if args.get("attachments") not in (None, ""):
            message["attachments"] = spec.parse_json_arg(args["attachments"])

    def _m_chat_update(self, args):
        channel = str(args["channel"])
        if channel not in self._history:
            raise SlackError("channel_not_found")
        message = next((m for m in self._history[channel] if m["ts"] == args["ts"]), None)
        if message is None:
            raise SlackError("message_not_found")
        if "text" in args and "blocks" not in args:
            message.pop("blocks", None)  # chat.update docs: text without blocks removes the blocks
        if "text" in args or "markdown_text" in args:
            message["text"] = args.get("text") or args.get("markdown_text") or ""
        self._apply_content(message, args)
        if args.get("metadata"):
            message["metadata"] = spec.parse_json_arg(args["metadata"])
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": copy.deepcopy(message)}

    def _m_chat_postEphemeral(self, args):
        self._resolve_channel(args["channel"])
        if args["user"] not in self._users:
            raise SlackError("user_not_found")
        return {"message_ts": self._next_ts()}  # ephemeral messages never appear in history

    def _m_conversations_history(self, args):
        channel = args["channel"]
        if channel not in self._history:
            raise SlackError("channel_not_found")
        inclusive = spec.as_bool(args.get("inclusive"))
        oldest, latest = Decimal(str(args.get("oldest") or 0)), Decimal(str(args.get("latest") or "9" * 10))
        limit = min(int(args.get("limit") or 100), 999)

        def wanted(m):
            ts = Decimal(m["ts"])
            in_range = oldest <= ts <= latest if inclusive else oldest < ts < latest
            top_level = m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
            return in_range and top_level

        found = sorted((m for m in self._history[channel] if wanted(m)), key=lambda m: Decimal(m["ts"]), reverse=True)
        if args.get("cursor"):
            next_ts = Decimal(base64.b64decode(args["cursor"]).decode().split(":", 1)[1])
            found = [m for m in found if Decimal(m["ts"]) <= next_ts]
        page, rest = found[:limit], found[limit:]
        include_metadata = spec.as_bool(args.get("include_all_metadata"))
        messages = [{k: v for k, v in m.items() if include_metadata or k != "metadata"} for m in copy.deepcopy(page)]
        answer = {"messages": messages, "has_more": bool(rest), "pin_count": 0}
        if rest:
            answer["response_metadata"] = {"next_cursor": base64.b64encode(f"next_ts:{rest[0]['ts']}".encode()).decode()}
        return answer

    def _use_trigger(self, trigger_id):
        if trigger_id in self._used_triggers:
            raise SlackError("exchanged_trigger_id", f"trigger_id {trigger_id!r} was already used")
        self._used_triggers.add(trigger_id)

    def _store_view(self, view, view_id=None, previous=None):
        view_id = view_id or f"V{next(self._view_seq):08d}"
        stored = {"id": view_id, "team_id": TEAM_ID, "type": view["type"], "blocks": _with_ids(view["blocks"]),
                  "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
                  "state": {"values": {}}, "hash": f"1700000000.{next(self._view_seq):08x}", "clear_on_close": view.get("clear_on_close", False),
                  "notify_on_close": view.get("notify_on_close", False), "close": view.get("close"), "submit": view.get("submit"),
                  "external_id": view.get("external_id", ""), "previous_view_id": previous, "root_view_id": view_id,
                  "app_id": APP_ID, "app_installed_team_id": TEAM_ID, "bot_id": BOT_ID}
        if view["type"] == "modal":
            stored["title"] = view["title"]
        self._views[view_id] = stored
        return {"view": copy.deepcopy(stored)}

    def _m_views_open(self, args):
        self._use_trigger(args["trigger_id"])
        return self._store_view(spec.parse_json_arg(args["view"]))

    def _m_views_push(self, args):
        self._use_trigger(args["trigger_id"])
        return self._store_view(spec.parse_json_arg(args["view"]))

    def _m_views_update(self, args):
        current = self._views.get(args.get("view_id")) or next(
            (v for v in self._views.values() if args.get("external_id") and v["external_id"] == args["external_id"]), None)
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        return self._store_view(spec.parse_json_arg(args["view"]), current["id"], current["previous_view_id"])

    def _m_views_publish(self, args):
        if args["user_id"] not in self._users:
            raise SlackError("invalid_arguments")
        existing = self._views.get(self._homes.get(args["user_id"]))
        if existing and args.get("hash") and args["hash"] != existing["hash"]:
            raise SlackError("hash_conflict")
        answer = self._store_view(spec.parse_json_arg(args["view"]), existing and existing["id"])
        self._homes[args["user_id"]] = answer["view"]["id"]
        return answer


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


def _with_ids(blocks):
    """Blocks as Slack stores them: every block gets a block_id and every interactive element an action_id."""
    blocks = copy.deepcopy(blocks)

    def short_id(node):
        return base64.b32encode(hashlib.sha1(json.dumps(node, sort_keys=True).encode()).digest()).decode()[:5]

    def fill(node):
        if isinstance(node, dict):
            if node.get("type") in spec.interactive_types() and "action_id" not in node:
                node["action_id"] = short_id(node)
            for value in node.values():
                fill(value)
        elif isinstance(node, list):
            for value in node:
                fill(value)

    for i, block in enumerate(blocks):
        if isinstance(block, dict) and "block_id" not in block:
            block["block_id"] = short_id([i, block])
    fill(blocks)
    return blocks


def _tz_label(tz):
    return datetime.now(ZoneInfo(tz)).tzname() or tz


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
            except Exception as error:  # a bug in the fake must fail the test, not hang the client
                with fake._lock:
                    fake._violate("FakeSlack", f"crashed on {self.path}: {error!r}")
                self._send(500, b"fake crashed", "text/plain", {})

        def _route(self):
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if url.path.startswith("/api/"):
                status, extra, answer = fake.handle_api(url.path[len("/api/"):], url.query, self.headers, body)
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
