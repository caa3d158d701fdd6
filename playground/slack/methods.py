"""The Web API methods the stand-in implements: each gets checked arguments and returns the rest of an ok answer.

State lives on the FakeSlack that mixes this in (users, conversations, history, ephemerals, views,
homes); every method runs under its lock.
"""

import base64
import copy
import hashlib
import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from . import spec

TEAM_ID, TEAM_NAME, TEAM_DOMAIN = "T111", "Unmentor Test", "unmentor-test"
BOT_USER_ID, BOT_ID, APP_ID = "UBOT", "BBOT", "A111"
# A deactivated member's users.info object lacks these keys entirely (measured against a live workspace:
# github.com/brekkylab/backlot/issues/258). Bots that read user["tz"] without .get() break on them.
ACTIVE_ONLY_USER_KEYS = (
    "color", "is_email_confirmed", "real_name", "tz", "tz_label", "tz_offset", "is_admin", "is_owner",
    "is_primary_owner", "is_restricted", "is_ultra_restricted", "has_2fa", "who_can_share_contact_card",
)


class SlackError(Exception):
    """Answer {"ok": false, "error": code}; a message also makes it a spec violation."""

    def __init__(self, code, violation=None):
        super().__init__(code)
        self.code, self.violation = code, violation


class WebApiMethods:

    def _m_auth_test(self, args):
        answer = {"url": f"https://{TEAM_DOMAIN}.slack.com/", "team": TEAM_NAME, "user": "unmentor", "team_id": TEAM_ID,
                  "user_id": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID, "is_enterprise_install": False}
        grid = getattr(self, "grid", None)  # (enterprise_id, org_wide) once installed_in_grid() was called
        if grid is not None:
            answer.update(enterprise_id=grid[0], is_enterprise_install=grid[1])
        return answer

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
            return {
                "user": self._user_object(
                    dict(
                        id=BOT_USER_ID,
                        real_name="unmentor",
                        email=None,
                        tz="America/Los_Angeles",
                        tz_offset=-28800,
                        title="",
                        is_admin=False,
                        is_owner=False,
                        deleted=False,
                        team_id=TEAM_ID,
                        is_bot=True,
                        display_name="",
                    )
                )
            }
        if user_id not in self._users:
            raise SlackError("user_not_found")
        return {"user": self._user_object(self._users[user_id])}

    def _m_users_list(self, args):
        """The workspace's own people, deactivated accounts and bots included (not anyone from another
        organisation's workspace in a Slack Connect channel), a page at a time, `limit` at most 1000."""
        limit = int(args.get("limit") or 0) or 1000
        if not 0 < limit <= 1000:
            raise SlackError("invalid_limit")
        ours = sorted((u for u in self._users.values() if u["team_id"] == TEAM_ID), key=lambda u: u["id"])
        start = int(base64.b64decode(args["cursor"]).decode().split(":", 1)[1]) if args.get("cursor") else 0
        page = ours[start:start + limit]
        more = start + limit < len(ours)
        cursor = base64.b64encode(f"user:{start + limit}".encode()).decode() if more else ""
        return {"members": [self._user_object(u) for u in page], "cache_ts": int(self._clock()),
                "response_metadata": {"next_cursor": cursor}}

    def _user_object(self, u):
        name = (u["email"] or u["id"]).split("@")[0].lower()
        profile = {
            "title": u["title"],
            "phone": "",
            "skype": "",
            "real_name": u["real_name"],
            "real_name_normalized": u["real_name"],
            "display_name": u["display_name"],
            "display_name_normalized": u["display_name"],
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g" + u["id"].lower(),
            "team": u["team_id"],
            "first_name": u["real_name"].split(" ")[0],
            "last_name": " ".join(u["real_name"].split(" ")[1:]),
            **{
                f"image_{n}": f"https://secure.gravatar.com/avatar/{u['id']}-{n}.png"
                for n in (24, 32, 48, 72, 192, 512)
            },
        }
        if u["email"]:
            profile["email"] = u["email"]  # needs users:read.email; Slack omits it otherwise
        user = {
            "id": u["id"],
            "team_id": u["team_id"],
            "name": name,
            "deleted": u["deleted"],
            "color": "9f69e7",
            "real_name": u["real_name"],
            "tz": u["tz"],
            "tz_label": _tz_label(u["tz"]),
            "tz_offset": u["tz_offset"],
            "profile": profile,
            "is_admin": u["is_admin"],
            "is_owner": u["is_owner"],
            "is_primary_owner": False,
            "is_restricted": u.get("is_restricted", False),
            "is_ultra_restricted": u.get("is_ultra_restricted", False),
            "is_bot": u["is_bot"],
            "is_app_user": False,
            "updated": 1_690_000_000,
            "is_email_confirmed": True,
            "has_2fa": False,
            "who_can_share_contact_card": "EVERYONE",
        }
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
        self._channels[cid] = {"users": sorted(set(users)), "is_im": cid.startswith("D"), "created": int(self._clock())}
        self._history.setdefault(cid, [])

    def _channel_object(self, cid):
        c = self._channels[cid]
        obj = {
            "id": cid,
            "created": c["created"],
            "is_im": c["is_im"],
            "is_mpim": not c["is_im"],
            "is_org_shared": False,
            "is_open": True,
            "last_read": "0000000000.000000",
            "priority": 0,
        }
        if c["is_im"]:
            obj["user"] = c["users"][0]
        else:
            obj.update(
                is_group=False,
                is_private=True,
                name="mpdm-" + "--".join(c["users"]) + "-1",
                members=c["users"] + [BOT_USER_ID],
            )
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
        # Like Slack: the ts is the posting time (by the stand-in's clock, which freezegun moves
        # too), kept strictly increasing within the workspace.
        with self._lock:
            us = max(int(self._clock() * 1_000_000), self._last_ts_us + 100)
            self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def _m_chat_postMessage(self, args):
        channel = self._resolve_channel(args["channel"])
        ts = self._next_ts()
        message = self._bot_message(ts, args)
        self._apply_content(message, args)
        for key in ("thread_ts", "metadata"):
            if args.get(key):
                message[key] = spec.parse_json_arg(args[key]) if key == "metadata" else args[key]
        if message.get("thread_ts") and spec.as_bool(args.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
        self._history[channel].append(message)
        return {"channel": channel, "ts": ts, "message": copy.deepcopy(message)}

    @staticmethod
    def _bot_message(ts, args):
        """A message as the bot posted it, before its blocks and attachments."""
        return {"type": "message", "ts": ts, "user": BOT_USER_ID, "bot_id": BOT_ID, "app_id": APP_ID,
                "team": TEAM_ID, "text": args.get("text") or args.get("markdown_text") or ""}

    def _apply_content(self, message, args):
        if args.get("blocks") not in (None, ""):
            message["blocks"] = with_ids(spec.parse_json_arg(args["blocks"]))
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
        channel = self._resolve_channel(args["channel"])
        if args["user"] not in self._users:
            raise SlackError("user_not_found")
        ts = self._next_ts()
        message = {**self._bot_message(ts, args), "_for": args["user"]}
        self._apply_content(message, args)
        # Ephemeral messages never appear in history: kept apart, for the one person who sees them.
        self._ephemerals.setdefault(channel, []).append(message)
        return {"message_ts": ts}

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
            answer["response_metadata"] = {
                "next_cursor": base64.b64encode(f"next_ts:{rest[0]['ts']}".encode()).decode()
            }
        return answer

    def _use_trigger(self, trigger_id):
        if trigger_id in self._used_triggers:
            raise SlackError("exchanged_trigger_id", f"trigger_id {trigger_id!r} was already used")
        self._used_triggers.add(trigger_id)

    def _store_view(self, view, view_id=None, previous=None):
        view_id = view_id or f"V{next(self._view_seq):08d}"
        stored = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": view["type"],
            "blocks": with_ids(view["blocks"]),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"1700000000.{next(self._view_seq):08x}",
            "clear_on_close": view.get("clear_on_close", False),
            "notify_on_close": view.get("notify_on_close", False),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "external_id": view.get("external_id", ""),
            "previous_view_id": previous,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        if view["type"] == "modal":
            stored["title"] = view["title"]
        self._views[view_id] = stored
        return {"view": copy.deepcopy(stored)}

    def _m_views_open(self, args):
        self._use_trigger(args["trigger_id"])
        answer = self._store_view(spec.parse_json_arg(args["view"]))
        if args["trigger_id"] in self._triggers:  # shown to whoever did what gave the trigger
            self._modals[self._triggers[args["trigger_id"]]] = [answer["view"]["id"]]
        return answer

    def _m_views_push(self, args):
        self._use_trigger(args["trigger_id"])
        answer = self._store_view(spec.parse_json_arg(args["view"]))
        if args["trigger_id"] in self._triggers:
            self._modals.setdefault(self._triggers[args["trigger_id"]], []).append(answer["view"]["id"])
        return answer

    def _m_views_update(self, args):
        current = self._views.get(args.get("view_id")) or next(
            (v for v in self._views.values() if args.get("external_id") and v["external_id"] == args["external_id"]),
            None,
        )
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


def with_ids(blocks):
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
