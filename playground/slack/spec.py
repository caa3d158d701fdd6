"""Checks Web API calls and response-URL posts against Slack's published specs (loaded once per process).

The specs ship inside this package (slack-spec/, with their MIT notices in its README), so a clone
with nothing beside it can run the playground and the tests."""

import functools
import json
import os
from pathlib import Path

from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry, Resource

# SLACK_SPEC_DIR points at another copy (a newer spec, say); by default the one shipped here.
SPEC_DIR = Path(os.environ.get("SLACK_SPEC_DIR") or Path(__file__).resolve().parent / "slack-spec")
WEB_API_SPEC = "web-api/slack_web_openapi_v2.json"
BLOCK_KIT_SCHEMA = "block-kit/slack-block-kit.schema.tightknit.json"
STAND_IN_FILES = (WEB_API_SPEC, BLOCK_KIT_SCHEMA)  # what the stand-in itself reads


class SpecMissing(RuntimeError):
    """A spec file the stand-in needs isn't there: said at once, naming it, rather than as a
    FileNotFoundError deep inside a request (which a bot under test would only see as a timeout)."""


def require(*names: str) -> list[Path]:
    """The paths of these spec files, or SpecMissing naming every one that is absent."""
    paths = [SPEC_DIR / name for name in names]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise SpecMissing("Slack spec file missing: " + ", ".join(missing)
                          + " (they ship in playground/slack/slack-spec; is SLACK_SPEC_DIR right?)")
    return paths

# Newer real arguments missing from the 2020 OpenAPI spec (README "Known limits"). Keep this list small:
# each entry is an argument of the method's current reference page on docs.slack.dev/reference/methods/<method>
# that slack_sdk 3.47's WebClient also sends. Value is the type to check it as.
EXTRA_ARGS = {
    # Message metadata (2022) and markdown_text (2025) are both on chat.postMessage's reference page.
    "chat.postMessage": {"metadata": "json", "markdown_text": "string"},
    # Same two on chat.update, plus reply_broadcast ("Broadcast an existing thread reply to the channel").
    "chat.update": {"metadata": "json", "markdown_text": "string", "reply_broadcast": "boolean"},
    "chat.postEphemeral": {"markdown_text": "string"},
    # "Do not create a direct message or multi-person direct message", listed on conversations.open.
    "conversations.open": {"prevent_creation": "boolean"},
    # Needed to read back message metadata; listed on conversations.history.
    "conversations.history": {"include_all_metadata": "boolean"},
}

# The spec marks only unconditionally required args; these are required in practice (README), as
# "at least one of". The error code is what Slack answers when the group is missing.
CONDITIONALLY_REQUIRED = {
    "users.info": [(("user",), "user_not_found")],
    "conversations.open": [(("users", "channel"), "users_list_not_supplied")],
    "conversations.history": [(("channel",), "channel_not_found")],
    "chat.postMessage": [(("text", "blocks", "attachments", "markdown_text"), "no_text")],
    "chat.postEphemeral": [(("text", "blocks", "attachments", "markdown_text"), "no_text")],
    # views.update's reference page: "view" is required, and "Either view_id or external_id is required".
    "views.update": [(("view",), "invalid_arguments"), (("view_id", "external_id"), "invalid_arguments")],
}
MISSING_ERROR = {
    ("chat.postMessage", "channel"): "channel_not_found",
    ("chat.postEphemeral", "channel"): "channel_not_found",
}

# Accepted by every method. bolt 1.30 gives each listener a WebClient(team_id=<the request's team>), and slack_sdk
# then adds team_id to every call it makes (BaseClient.default_params); Slack takes it on all methods (org-wide apps).
UNIVERSAL_ARGS = {"token", "team_id"}
# Arguments whose value is JSON: on a form or query wire a JSON string, in a JSON body the value itself.
JSON_ARGS = {"blocks", "attachments", "view", "metadata"}
MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral"}
# "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs."
# (https://docs.slack.dev/reference/block-kit/blocks). The schema's root only caps at 100.
MAX_MESSAGE_BLOCKS = 50
BOOLEAN_STRINGS = {"true", "false", "1", "0"}


@functools.cache
def methods():
    """method -> {"params": {name: (type, required)}, "json": bool}, from the OpenAPI spec plus EXTRA_ARGS."""
    spec = json.loads(require(WEB_API_SPEC)[0].read_text())
    out = {}
    for path, ops in spec["paths"].items():
        op = next(iter(ops.values()))  # one verb per path in this spec
        params = {p["name"]: (p.get("type", "string"), p.get("required", False)) for p in op.get("parameters", [])}
        params.update({name: (kind, False) for name, kind in EXTRA_ARGS.get(path[1:], {}).items()})
        out[path[1:]] = {"params": params, "json": "application/json" in op.get("consumes", [])}
    return out


def check_args(method, args):
    """Problems with a call's arguments, as (error code or None, message); None means Slack would just ignore it."""
    params = methods()[method]["params"]
    problems = []
    for name, value in args.items():
        if name in UNIVERSAL_ARGS:
            continue
        if name not in params:
            problems.append((None, f"unknown argument {name!r} (not in the spec, not allowlisted)"))
            continue
        problem = _type_problem(name, params[name][0], value)
        if problem:
            problems.append(("invalid_arguments", problem))
    for name, (_, required) in params.items():
        if required and name != "token" and _missing(args, name):
            problems.append(
                (MISSING_ERROR.get((method, name), "invalid_arguments"), f"missing required argument {name!r}")
            )
    for group, error in CONDITIONALLY_REQUIRED.get(method, []):
        if all(_missing(args, name) for name in group):
            problems.append((error, f"needs one of {', '.join(group)}"))
    return problems


def _missing(args, name):
    return args.get(name) in (None, "", [])


def _type_problem(name, kind, value):
    if name in JSON_ARGS or kind == "json":
        if isinstance(value, str):
            try:
                json.loads(value)
            except ValueError:
                return f"{name} is not valid JSON"
        elif not isinstance(value, (list, dict)):
            return f"{name} must be JSON, got {type(value).__name__}"
        return None
    if kind == "boolean":
        ok = isinstance(value, bool) or value in (0, 1) or (isinstance(value, str) and value in BOOLEAN_STRINGS)
        return None if ok else f"{name} must be a boolean, got {value!r}"
    if kind == "integer":
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.strip().lstrip("-").isdigit()
        )
        return None if ok else f"{name} must be an integer, got {value!r}"
    if kind == "number":
        try:
            float(value)
        except (TypeError, ValueError):
            return f"{name} must be a number, got {value!r}"
        return None
    if isinstance(value, (list, dict)):
        return f"{name} must be a string, got {type(value).__name__}"
    return None


def as_bool(value):
    return value is True or value in (1, "1", "true")


def parse_json_arg(value):
    return json.loads(value) if isinstance(value, str) else value


# ---- Block Kit -------------------------------------------------------------------------------------------


def _rewrite_unions(schema):
    """Turn each oneOf whose branches are $refs to objects told apart by a required `type` const into an
    `x-by-type` map. Equivalent (at most one branch can match a given `type`), but validates one branch
    instead of ~20 and reports that branch's error instead of "not valid under any of the given schemas"."""
    defs = schema["$defs"]

    def const_of(branch):
        target = defs[branch["$ref"].rsplit("/", 1)[1]] if set(branch) == {"$ref"} else {}
        const = target.get("properties", {}).get("type", {}).get("const")
        ok = const is not None and target.get("type") == "object" and "type" in target.get("required", [])
        return const if ok else None

    def walk(node):
        if isinstance(node, list):
            return [walk(x) for x in node]
        if not isinstance(node, dict):
            return node
        node = {k: walk(v) for k, v in node.items()}
        consts = [const_of(b) for b in node.get("oneOf", [])]
        if consts and None not in consts and len(set(consts)) == len(consts):
            node["x-by-type"] = {c: b["$ref"] for c, b in zip(consts, node.pop("oneOf"))}
        return node

    return walk(schema)


def _by_type(validator, mapping, instance, schema):
    if not validator.is_type(instance, "object"):
        yield ValidationError(f"{_short(instance)} is not of type 'object'")
        return
    ref = mapping.get(instance.get("type"))
    if ref is None:
        yield from validator.descend(instance.get("type"), {"enum": sorted(mapping)}, path="type")
    else:
        yield from validator.descend(instance, {"$ref": ref})


_Validator = validators.extend(Draft202012Validator, {"x-by-type": _by_type})


@functools.cache
def block_kit_schema(rewritten=True):
    schema = json.loads(require(BLOCK_KIT_SCHEMA)[0].read_text())
    return _rewrite_unions(schema) if rewritten else schema


@functools.cache
def validator(definition=None, rewritten=True):
    """A validator for the schema root (a blocks array) or one of its $defs (e.g. "modal_view")."""
    schema = block_kit_schema(rewritten)
    registry = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    cls = _Validator if rewritten else Draft202012Validator
    return cls(schema if definition is None else {"$ref": f"{schema['$id']}#/$defs/{definition}"}, registry=registry)


@functools.lru_cache(maxsize=8192)
def _schema_errors(definition, canonical_json):
    # Keyed by canonical JSON: a bot sends the same few layouts again and again.
    errors = sorted(validator(definition).iter_errors(json.loads(canonical_json)), key=lambda e: list(e.absolute_path))
    return tuple(f"{_short(e.message)} [json-pointer:{_pointer(e.absolute_path)}]" for e in errors[:5])


def schema_errors(instance, definition=None, prefix=""):
    errors = _schema_errors(definition, json.dumps(instance, sort_keys=True))
    return [e.replace("[json-pointer:", f"[json-pointer:{prefix}", 1) for e in errors]


def blocks_errors(blocks, limit=MAX_MESSAGE_BLOCKS, prefix="/blocks"):
    """Schema errors and documented limits for a message's blocks (already parsed from JSON). Same rules as the
    schema root (an array of 1..100 `block`s), but checked block by block so the cache hits on repeated blocks."""
    if not isinstance(blocks, list):
        return [f"blocks must be an array [json-pointer:{prefix}]"]
    errors = [] if blocks else [f"blocks must not be empty [json-pointer:{prefix}]"]
    if len(blocks) > limit:
        errors.append(f"{len(blocks)} blocks, more than the {limit} allowed [json-pointer:{prefix}]")
    for i, block in enumerate(blocks):
        errors += schema_errors(block, "block", f"{prefix}/{i}")
    return errors


def view_errors(view, allowed_types=("modal", "home")):
    if not isinstance(view, dict) or view.get("type") not in allowed_types:
        got = view.get("type") if isinstance(view, dict) else view
        return [f"view type must be one of {list(allowed_types)}, got {got!r} [json-pointer:/view/type]"]
    return schema_errors(view, f"{view['type']}_view", "/view")


@functools.cache
def interactive_types():
    """Element types that carry an action_id, read from the schema."""
    defs = block_kit_schema()["$defs"]
    return frozenset(
        d["properties"]["type"]["const"]
        for name, d in defs.items()
        if name.endswith("_element")
        and "action_id" in d.get("properties", {})
        and "const" in d["properties"].get("type", {})
    )


def missing_action_ids(node, path=""):
    """Pointers to interactive elements without an action_id. Slack allows that (it makes one up); see
    FakeSlack(require_action_ids=...)."""
    found = []
    if isinstance(node, dict):
        if node.get("type") in interactive_types() and "action_id" not in node:
            found.append(path or "/")
        for key, value in node.items():
            found += missing_action_ids(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += missing_action_ids(value, f"{path}/{i}")
    return found


def response_url_errors(payload):
    """Problems with a message posted to a response_url, as (code, message)
    (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses)."""
    if not isinstance(payload, dict):
        return [("invalid_payload", "body must be a JSON object")]
    errors = []
    if payload.get("response_type") not in (None, "ephemeral", "in_channel"):
        errors.append(
            ("invalid_payload", f"response_type must be 'ephemeral' or 'in_channel', got {payload['response_type']!r}")
        )
    for name in ("replace_original", "delete_original"):
        if name in payload and not isinstance(payload[name], bool) and payload[name] not in BOOLEAN_STRINGS:
            errors.append(("invalid_payload", f"{name} must be a boolean, got {payload[name]!r}"))
    if "blocks" in payload:
        try:
            errors += [("invalid_blocks", e) for e in blocks_errors(parse_json_arg(payload["blocks"]))]
        except ValueError:
            errors.append(("invalid_blocks", "blocks is not valid JSON"))
    if not as_bool(payload.get("delete_original")) and all(
        _missing(payload, k) for k in ("text", "blocks", "attachments")
    ):
        errors.append(("no_text", "needs text, blocks or attachments"))
    return errors


def _pointer(path):
    return "".join(f"/{p}" for p in path)


def _short(value, limit=120):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + f"...({len(text)} chars)"
