"""Proves the fake Slack and its spec checker catch what they claim to, and that the request builders sign like Slack.

Past 400 lines on purpose: one short test per rule the stand-in claims to enforce, kept together as its one proof.
"""

import json
import threading
import time
import urllib.parse
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from playground.slack import FakeSlack, payloads, spec

SECRET = "test-signing-secret"
EXAMPLES = spec.SPEC_DIR / "block-kit" / "examples"
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "Meet *Ada* this month"}}
BUTTON = {"type": "button", "text": {"type": "plain_text", "text": "Accept"}, "action_id": "accept", "value": "1"}
MODAL = {"type": "modal", "callback_id": "optin", "title": {"type": "plain_text", "text": "Unmentor"},
         "submit": {"type": "plain_text", "text": "Save"},
         "blocks": [{"type": "input", "block_id": "bio", "label": {"type": "plain_text", "text": "About you"},
                     "element": {"type": "plain_text_input", "action_id": "bio"}}]}


@pytest.fixture(scope="module")
def server():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake(server):
    # Personas: ada (active, London), bob (active, New York), carol (deactivated).
    server.reset()
    server.require_action_ids = False
    server.add_user(
        "UADA", real_name="Ada Lovelace", email="ada@example.org", tz="Europe/London", tz_offset=0, title="Engineer"
    )
    server.add_user("UBOB", real_name="Bob Noyce", email="bob@example.org", tz="America/New_York")
    server.add_user("UCAROL", real_name="Carol Shaw", deleted=True)
    return server


@pytest.fixture
def client(fake):
    return WebClient(token="xoxb-test", base_url=fake.api_url)


def dm(client, *users):
    return client.conversations_open(users=",".join(users))["channel"]["id"]


def error_of(call):
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response


# ---- correct calls ---------------------------------------------------------------------------------------


def test_a_correct_post_message_has_no_violation_and_is_stored(fake, client):
    channel = dm(client, "UADA")
    answer = client.chat_postMessage(
        channel=channel, text="Meet Ada", blocks=[SECTION, {"type": "actions", "elements": [BUTTON]}]
    )
    assert answer["ok"] and answer["channel"] == channel and answer["ts"] == answer["message"]["ts"]
    assert fake.violations == []
    [message] = fake.messages(channel)
    assert (message["text"], message["user"], message["blocks"][1]["elements"][0]["action_id"]) == (
        "Meet Ada",
        "UBOT",
        "accept",
    )
    assert fake.calls_to("chat.postMessage")[0].token == "xoxb-test"


def test_it_accepts_form_query_and_json_arguments(fake, client):
    channel = dm(client, "UADA")  # slack_sdk sends conversations.open as a form
    client.api_call("chat.postMessage", params={"channel": channel, "text": "form", "blocks": json.dumps([SECTION])})
    client.api_call(
        "chat.postMessage", http_verb="GET", params={"channel": channel, "text": "query", "unfurl_links": "false"}
    )
    client.chat_postMessage(channel=channel, text="json", unfurl_links=False)
    assert [m["text"] for m in fake.messages(channel)] == ["form", "query", "json"]
    assert fake.violations == []


def test_posting_to_a_user_id_lands_in_their_dm(fake, client):
    answer = client.chat_postMessage(channel="UBOB", text="hi")
    assert answer["channel"] == fake.conversation_id("UBOB") == dm(client, "UBOB")


def test_ts_values_are_strictly_increasing(fake, client):
    channel = dm(client, "UADA")
    ts = [client.chat_postMessage(channel=channel, text=str(i))["ts"] for i in range(5)]
    assert ts == sorted(ts, key=float) and len(set(ts)) == 5 and all(len(t.split(".")[1]) == 6 for t in ts)


# ---- the checker -----------------------------------------------------------------------------------------


def test_an_unknown_argument_is_a_violation(fake, client):
    client.chat_postMessage(channel=dm(client, "UADA"), text="x", colour="red")  # Slack ignores it, so we answer ok
    assert fake.violations == ["chat.postMessage: unknown argument 'colour' (not in the spec, not allowlisted)"]


def test_allowlisted_newer_arguments_are_accepted(fake, client):
    meta = {"event_type": "intro_sent", "event_payload": {"round": 1}}
    client.chat_postMessage(channel=dm(client, "UADA"), text="x", metadata=meta)
    client.conversations_open(users="UBOB", prevent_creation=True)
    assert fake.violations == []


def test_a_missing_required_argument_is_a_violation(fake, client):
    assert error_of(lambda: client.api_call("chat.postMessage", json={"text": "x"}))["error"] == "channel_not_found"
    with pytest.warns(UserWarning):  # slack_sdk warns too
        assert error_of(lambda: client.chat_postMessage(channel=dm(client, "UADA")))["error"] == "no_text"
    assert error_of(lambda: client.api_call("users.info", http_verb="GET", params={}))["error"] == "user_not_found"
    assert error_of(lambda: client.api_call("conversations.open", params={}))["error"] == "users_list_not_supplied"
    assert fake.violations == [
        "chat.postMessage: missing required argument 'channel'",
        "chat.postMessage: needs one of text, blocks, attachments, markdown_text",
        "users.info: needs one of user",
        "conversations.open: needs one of users, channel",
    ]


def test_arguments_must_have_the_spec_type(fake, client):
    channel = dm(client, "UADA")
    assert error_of(lambda: client.conversations_history(channel=channel, limit="ten"))["error"] == "invalid_arguments"
    assert error_of(
        lambda: client.api_call("chat.postMessage", params={"channel": channel, "text": "x", "mrkdwn": "yes"})
    )
    client.api_call("chat.postMessage", params={"channel": channel, "text": "x", "mrkdwn": "0", "unfurl_links": "true"})
    assert fake.violations == ["conversations.history: limit must be an integer, got 'ten'",
                               "chat.postMessage: mrkdwn must be a boolean, got 'yes'"]


@pytest.mark.parametrize("blocks, expected", [
    ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "[json-pointer:/blocks/0/text/text]"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], "[json-pointer:/blocks/0/text/text]"),
    ([{"type": "actions", "elements": [{"type": "button", "action_id": "a"}]}], "'text' is a required property"),
    ([{"type": "section"}], "is not valid under any of the given schemas"),  # needs text or fields
    ([{"type": "sektion", "text": {"type": "mrkdwn", "text": "x"}}], "[json-pointer:/blocks/0/type]"),
    ([SECTION] * 51, "51 blocks, more than the 50 allowed"),
])
def test_invalid_blocks_are_violations(fake, client, blocks, expected):
    answer = error_of(lambda: client.chat_postMessage(channel=dm(client, "UADA"), text="x", blocks=blocks))
    assert answer["error"] == "invalid_blocks"
    assert any(expected in v for v in fake.violations), fake.violations
    assert fake.messages(fake.conversation_id("UADA")) == []


def test_fifty_blocks_is_fine(fake, client):
    client.chat_postMessage(channel=dm(client, "UADA"), text="x", blocks=[SECTION] * 50)
    assert fake.violations == []


def test_a_button_without_action_id_is_flagged_only_on_request(fake, client):
    # Slack's button reference marks action_id Optional (Slack generates one), so it is not a spec violation...
    blocks = [{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Go"}}]}]
    channel = dm(client, "UADA")
    client.chat_postMessage(channel=channel, text="x", blocks=blocks)
    assert fake.violations == [] and fake.messages(channel)[0]["blocks"][0]["elements"][0]["action_id"]
    # ...but a bot that routes clicks by action_id can ask for it.
    fake.require_action_ids = True
    assert (
        error_of(lambda: client.chat_postMessage(channel=channel, text="x", blocks=blocks))["error"] == "invalid_blocks"
    )
    assert fake.violations == [
        "chat.postMessage: interactive element without action_id [json-pointer:/blocks/0/elements/0]"
    ]


def test_a_modal_without_title_is_a_violation(fake, client):
    view = {k: v for k, v in MODAL.items() if k != "title"}
    assert error_of(lambda: client.views_open(trigger_id="1.1.a", view=view))["error"] == "invalid_arguments"
    assert fake.violations == ["views.open: 'title' is a required property [json-pointer:/view]"]


def test_views_answer_a_view_with_an_id_and_check_the_surface(fake, client):
    opened = client.views_open(trigger_id="2.2.a", view=MODAL)["view"]
    assert opened["id"].startswith("V") and opened["state"] == {"values": {}} and opened["callback_id"] == "optin"
    pushed = client.views_push(trigger_id="2.2.b", view=MODAL)["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"] and pushed["id"] != opened["id"]
    assert (
        error_of(lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL))["error"]
        == "hash_conflict"
    )
    home = client.views_publish(user_id="UADA", view={"type": "home", "blocks": [SECTION]})["view"]
    assert client.views_publish(user_id="UADA", view={"type": "home", "blocks": [SECTION]})["view"]["id"] == home["id"]
    assert fake.violations == []
    error_of(lambda: client.views_publish(user_id="UADA", view=MODAL))  # a modal is not a Home tab
    error_of(lambda: client.views_open(trigger_id="2.2.a", view=MODAL))  # trigger_ids are single-use
    assert fake.violations == [
        "views.publish: view type must be one of ['home'], got 'modal' [json-pointer:/view/type]",
        "views.open: trigger_id '2.2.a' was already used",
    ]


def test_a_missing_or_wrong_token_is_a_violation(fake):
    assert error_of(lambda: WebClient(base_url=fake.api_url).auth_test())["error"] == "not_authed"
    assert error_of(lambda: WebClient(token="xoxp-user", base_url=fake.api_url).auth_test())["error"] == "invalid_auth"
    with urllib.request.urlopen(fake.api_url + "auth.test?token=xoxb-x") as answer:  # slack_sdk never does this
        assert json.loads(answer.read())["error"] == "not_authed"
    assert WebClient(base_url=fake.api_url).api_call("auth.test", data={"token": "xoxb-x"})[
        "ok"
    ]  # a form-body token is fine
    assert [v.split(":")[0] for v in fake.violations] == ["auth.test"] * 3


def test_json_bodies_only_go_to_methods_that_take_them(fake, client):
    channel = dm(client, "UADA")
    assert (
        error_of(lambda: client.api_call("conversations.history", json={"channel": channel}))["error"]
        == "invalid_arguments"
    )
    assert fake.violations == [
        "conversations.history: this method does not accept JSON bodies (spec: form-urlencoded only)"
    ]


def test_unknown_methods_are_violations(fake, client):
    assert error_of(lambda: client.api_call("chat.postMesage", json={}))["error"] == "unknown_method"
    assert error_of(lambda: client.api_call("files.getUploadURLExternal", params={}))["error"] == "unknown_method"
    assert fake.violations == ["chat.postMesage: unknown method (not in Slack's Web API spec)",
                               "files.getUploadURLExternal: unknown method (not in Slack's Web API spec)"]


# ---- failure injection -----------------------------------------------------------------------------------


def test_a_429_raises_with_retry_after(fake, client):
    fake.fail_next("chat.postMessage", retry_after=7)
    response = error_of(lambda: client.chat_postMessage(channel=dm(client, "UADA"), text="x"))
    assert (response.status_code, response["error"], response.headers["Retry-After"]) == (429, "ratelimited", "7")


def test_slack_sdks_rate_limit_handler_retries_a_429(fake):
    client = WebClient(
        token="xoxb-test", base_url=fake.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    fake.fail_next("auth.test", retry_after=0)
    assert client.auth_test()["ok"]
    assert len(fake.calls_to("auth.test")) == 2


def test_ok_false_and_server_errors_can_be_injected(fake, client):
    fake.fail_next("users.info", error="fatal_error", status=200)
    fake.fail_next("users.info", status=503, times=2)
    assert error_of(lambda: client.users_info(user="UADA"))["error"] == "fatal_error"
    assert error_of(lambda: client.users_info(user="UADA")).status_code == 503
    assert error_of(lambda: client.users_info(user="UADA")).status_code == 503
    assert client.users_info(user="UADA")["ok"]


@pytest.mark.parametrize("how", ["late", "server_error", "html_page", "reset"])
def test_a_lost_answer_leaves_the_post_stored_and_the_client_none_the_wiser(fake, how):
    impatient = WebClient(token="xoxb-test", base_url=fake.api_url, timeout=1, retry_handlers=[])
    channel = dm(impatient, "UADA")
    fake.lose_answers("chat.postMessage", how, seconds=2)
    with pytest.raises(Exception) as info:
        impatient.chat_postMessage(channel=channel, text="Meet Ada")
    if how in ("server_error", "html_page"):
        assert info.value.response.status_code in (500, 502)
    assert [m["text"] for m in fake.messages(channel)] == ["Meet Ada"]
    assert fake.calls_to("chat.postMessage")[0].error == f"answer lost: {how}"
    impatient.chat_postMessage(channel=channel, text="and again")  # only the next `times` calls lose theirs
    assert len(fake.messages(channel)) == 2


def test_a_refused_token_refuses_every_call_and_acts_on_nothing_until_accepted(fake, client):
    channel = dm(client, "UADA")
    fake.refuse_token("token_revoked")
    assert error_of(lambda: client.chat_postMessage(channel=channel, text="x"))["error"] == "token_revoked"
    assert error_of(lambda: client.auth_test())["error"] == "token_revoked"
    assert fake.messages(channel) == []
    fake.accept_token()
    assert client.chat_postMessage(channel=channel, text="x")["ok"]


def test_slack_down_answers_every_call_with_a_5xx_until_it_comes_back(fake, client):
    channel = dm(client, "UADA")
    fake.go_down(503)
    assert error_of(lambda: client.chat_postMessage(channel=channel, text="x")).status_code == 503
    assert fake.messages(channel) == []
    fake.come_back()
    assert client.chat_postMessage(channel=channel, text="x")["ok"]


# ---- behaviour of the methods ----------------------------------------------------------------------------


def test_conversations_open_is_deterministic(fake, client):
    one, pair = dm(client, "UADA"), dm(client, "UADA", "UBOB")
    assert one.startswith("D") and pair.startswith("G")  # a multi-person DM is an mpim
    assert dm(client, "UBOB", "UADA") == pair and dm(client, "UADA") == one != dm(client, "UBOB")
    with FakeSlack() as other:  # same users, same ids, in any fake
        assert other.conversation_id("UADA", "UBOB") == pair
    assert client.conversations_open(users="UADA")["already_open"] is True


def test_conversations_open_refuses_unknown_deactivated_and_bot_users(fake, client):
    assert error_of(lambda: dm(client, "UNOBODY"))["error"] == "user_not_found"
    assert error_of(lambda: dm(client, "UADA", "UCAROL"))["error"] == "user_disabled"
    assert error_of(lambda: dm(client, "UBOT"))["error"] == "cannot_dm_bot"
    assert error_of(lambda: dm(client, *[f"U{i}" for i in range(9)]))["error"] == "too_many_users"
    assert fake.violations == []  # these are Slack answers, not misuse


def test_users_info_has_the_real_shape(fake, client):
    ada = client.users_info(user="UADA")["user"]
    assert (ada["profile"]["email"], ada["profile"]["title"], ada["tz"], ada["tz_offset"], ada["is_bot"]) == (
        "ada@example.org", "Engineer", "Europe/London", 0, False)
    assert {"real_name", "display_name"} <= ada["profile"].keys() and {"tz_label", "is_admin", "is_owner"} <= ada.keys()
    carol = client.users_info(user="UCAROL")["user"]
    assert (
        carol["deleted"] is True and "tz" not in carol and "is_admin" not in carol
    )  # as Slack answers for deactivated
    assert error_of(lambda: client.users_info(user="UNOBODY"))["error"] == "user_not_found"
    assert client.team_info()["team"]["id"] == "T111"
    assert client.auth_test()["user_id"] == "UBOT"


def test_users_list_pages_through_the_workspace_and_marks_guests_and_bots_as_slack_does(fake, client):
    fake.add_user("UGUEST", real_name="Gus", is_restricted=True)
    fake.add_user("USINGLE", real_name="Sid", is_ultra_restricted=True)
    fake.add_user("UROBOT", real_name="Robo", is_bot=True)
    fake.add_user("UELSE", real_name="Elsa", team_id="T0OTHER")  # Slack Connect: another organisation's workspace
    seen, cursor = [], None
    while True:
        page = client.users_list(limit=2, **({"cursor": cursor} if cursor else {}))
        assert len(page["members"]) <= 2
        seen += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    by_id = {u["id"]: u for u in seen}
    assert sorted(by_id) == ["UADA", "UBOB", "UCAROL", "UGUEST", "UROBOT", "USINGLE"]  # not UELSE
    assert (by_id["UGUEST"]["is_restricted"], by_id["UGUEST"]["is_ultra_restricted"]) == (True, False)
    assert (by_id["USINGLE"]["is_restricted"], by_id["USINGLE"]["is_ultra_restricted"]) == (True, True)
    assert by_id["UROBOT"]["is_bot"] and by_id["UCAROL"]["deleted"]
    assert client.users_info(user="UELSE")["user"]["team_id"] == "T0OTHER"
    assert fake.violations == []


def test_bad_days_with_429s_a_burst_then_healthy_and_a_share_at_random(fake, client):
    now = [0.0]
    fake.refuse_for("auth.test", 20, retry_after=3, clock=lambda: now[0])
    assert error_of(client.auth_test).headers["Retry-After"] == "3"
    now[0] = 20.0
    assert client.auth_test()["ok"]  # the burst is over
    refusals = fake.refuse_at_random("team.info", 0.5, seed=1)
    answers = []
    for _ in range(40):
        try:
            answers.append(client.team_info()["ok"])
        except SlackApiError as error:
            answers.append(error.response.status_code)
    assert answers.count(429) == refusals.refused and 10 <= refusals.refused <= 30


def test_slow_answers_act_at_once_and_answer_later(fake, client):
    fake.answer_slowly("chat.postMessage", 2.0, times=1)
    channel = dm(client, "UADA")
    done = threading.Event()
    threading.Thread(target=lambda: (client.chat_postMessage(channel=channel, text="x"), done.set())).start()
    assert fake.wait_for(lambda f: f.messages(channel))  # Slack took it...
    assert not done.is_set()  # ...and hasn't said so yet
    assert done.wait(5)
    started = time.monotonic()
    client.chat_postMessage(channel=channel, text="y")  # only the next one was slow
    assert time.monotonic() - started < 1.5


def test_a_held_answer_acts_at_once_and_answers_when_released(fake, client):
    released = fake.hold("chat.postMessage")
    channel = dm(client, "UADA")
    done = threading.Event()
    threading.Thread(target=lambda: (client.chat_postMessage(channel=channel, text="x"), done.set())).start()
    assert fake.wait_for(lambda f: f.messages(channel))  # Slack took it...
    assert not done.wait(0.5)  # ...and holds its answer
    released.set()
    assert done.wait(5)
    started = time.monotonic()
    client.chat_postMessage(channel=channel, text="y")  # only the next one was held
    assert time.monotonic() - started < 1.5


def test_history_returns_what_was_posted_newest_first(fake, client):
    channel = dm(client, "UADA")
    ts = [client.chat_postMessage(channel=channel, text=f"m{i}")["ts"] for i in range(5)]
    client.chat_postMessage(channel=channel, text="reply", thread_ts=ts[0])  # replies stay in their thread
    history = client.conversations_history(channel=channel)
    assert [m["text"] for m in history["messages"]] == ["m4", "m3", "m2", "m1", "m0"]
    assert {"ts", "text", "user", "bot_id"} <= history["messages"][0].keys()
    page = client.conversations_history(channel=channel, limit=2)
    assert [m["text"] for m in page["messages"]] == ["m4", "m3"] and page["has_more"]
    rest = client.conversations_history(channel=channel, limit=2, cursor=page["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["m2", "m1"]
    window = client.conversations_history(channel=channel, oldest=ts[1], latest=ts[3])
    assert [m["text"] for m in window["messages"]] == ["m2"]
    window = client.conversations_history(channel=channel, oldest=ts[1], latest=ts[3], inclusive=True)
    assert [m["text"] for m in window["messages"]] == ["m3", "m2", "m1"]
    assert error_of(lambda: client.conversations_history(channel="D0NOPE"))["error"] == "channel_not_found"


def test_chat_update_needs_an_existing_message_and_changes_it(fake, client):
    channel = dm(client, "UADA")
    ts = client.chat_postMessage(channel=channel, text="old", blocks=[SECTION])["ts"]
    assert (
        error_of(lambda: client.chat_update(channel=channel, ts="1.000001", text="x"))["error"] == "message_not_found"
    )
    client.chat_update(channel=channel, ts=ts, text="new")  # text without blocks drops the blocks, as Slack does
    [message] = fake.messages(channel)
    assert message["text"] == "new" and "blocks" not in message and fake.violations == []


def test_ephemeral_messages_do_not_enter_history(fake, client):
    channel = dm(client, "UADA")
    assert client.chat_postEphemeral(channel=channel, user="UADA", text="psst")["message_ts"]
    assert fake.messages(channel) == [] and fake.violations == []


def test_wait_for_polls_until_true(fake, client):
    threading.Timer(0.05, lambda: client.auth_test()).start()
    assert fake.wait_for(lambda f: f.calls_to("auth.test"), timeout=2)
    assert not fake.wait_for(lambda f: False, timeout=0.05)


# ---- response URLs ---------------------------------------------------------------------------------------


def test_response_url_posts_are_recorded_and_checked(fake):
    url = fake.response_url("cmd")
    assert WebhookClient(url).send(text="done", response_type="ephemeral", replace_original=False).status_code == 200
    assert fake.responses == [{"text": "done", "response_type": "ephemeral", "replace_original": False, "_name": "cmd"}]
    assert fake.violations == []
    assert WebhookClient(url).send(text="x", response_type="public").status_code == 400
    bad_blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert WebhookClient(url).send(text="x", blocks=bad_blocks).body == "invalid_blocks"
    assert WebhookClient(url).send(text="x", replace_original="maybe").status_code == 400
    assert len(fake.violations) == 3 and all(v.startswith("response_url cmd: ") for v in fake.violations)


def test_a_response_url_works_five_times(fake):
    url = fake.response_url()
    for _ in range(5):
        WebhookClient(url).send(text="x")
    assert fake.violations == []
    WebhookClient(url).send(text="x")
    assert len(fake.violations) == 1 and "used 6 times" in fake.violations[0]


# ---- Slack's own view fixtures, and the schema rewrite ---------------------------------------------------


SENT_VIEWS = ["view_modal_001", "view_modal_002", "view_modal_003", "view_modal_004", "view_modal_005",
              "view_modal_007", "view_home_001", "view_home_002", "view_home_003", "view_home_004", "view_home_005"]
# Views as Slack returns them (id, hash, state...): not valid to send.
RETURNED_VIEWS = ["view_modal_008", "view_modal_009", "view_modal_010", "view_home_006"]


@pytest.mark.parametrize("name", SENT_VIEWS)
def test_slacks_sent_view_fixtures_pass(name):
    assert spec.view_errors(json.loads((EXAMPLES / f"{name}.json").read_text())) == []


@pytest.mark.parametrize("name", RETURNED_VIEWS)
def test_slacks_returned_view_fixtures_fail(name):
    assert "Additional properties" in spec.view_errors(json.loads((EXAMPLES / f"{name}.json").read_text()))[0]


def test_the_fast_schema_agrees_with_the_original():
    bad = [
        [{"type": "section", "text": {"type": "plain_text", "text": ""}}],
        [{"type": "actions", "elements": [{"type": "datepicker", "x": 1}]}],
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "ok"}, {"type": "image"}]}],
        [{"type": "divider"}],
        [SECTION],
        ["x"],
    ]
    for blocks in bad:
        assert spec.validator(None).is_valid(blocks) == spec.validator(None, rewritten=False).is_valid(blocks), blocks
    for path in sorted(EXAMPLES.glob("*.json")):
        view = json.loads(path.read_text())
        name = f"{view['type']}_view"
        assert spec.validator(name).is_valid(view) == spec.validator(name, rewritten=False).is_valid(view), path.name


def test_checking_is_fast_enough_for_thousands_of_calls(fake, client):
    channel = dm(client, "UADA")
    blocks = json.loads((EXAMPLES / "view_modal_007.json").read_text())["blocks"][:10]
    start = time.perf_counter()
    for i in range(200):
        client.chat_postMessage(channel=channel, text=str(i), blocks=blocks)
    assert time.perf_counter() - start < 10 and fake.violations == []


# ---- requests into the bot -------------------------------------------------------------------------------


def test_signed_slash_command_verifies_and_tampering_does_not():
    body = payloads.slash_command_body("opt-in", user_id="UADA")
    headers = payloads.signed_headers(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not verifier.is_valid(
        body.replace(b"opt-in", b"opt-out"), headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not SignatureVerifier("other").is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    fixture = (spec.SPEC_DIR / "payloads" / "bolt-python" / "slash_command.form-urlencoded.txt").read_text()
    expected = [k for k, _ in urllib.parse.parse_qsl(fixture) if not k.startswith("enterprise_")]
    assert [k for k in dict(urllib.parse.parse_qsl(body.decode())) if k in expected] == expected


def test_payload_bodies_have_slacks_shape():
    message = {"type": "message", "ts": "1700000000.000100", "text": "x",
               "blocks": [{"type": "actions", "block_id": "b1", "elements": [BUTTON]}]}
    body = payloads.block_actions_body("accept", "1", "UADA", channel_id="DX", message=message, response_url="http://r")
    payload = json.loads(urllib.parse.parse_qs(body.decode())["payload"][0])
    reference = json.loads((spec.SPEC_DIR / "payloads" / "bolt-python" / "block_actions.json").read_text())
    assert reference.keys() <= payload.keys() and reference["actions"][0].keys() == payload["actions"][0].keys()
    assert (payload["actions"][0]["block_id"], payload["container"]["message_ts"]) == ("b1", "1700000000.000100")
    body = payloads.view_submission_body("optin", {"bio": {"bio": "hello"}}, "UADA", private_metadata="7")
    payload = json.loads(urllib.parse.parse_qs(body.decode())["payload"][0])
    reference = json.loads((spec.SPEC_DIR / "payloads" / "bolt-python" / "view_submission.json").read_text())
    assert reference.keys() <= payload.keys() and reference["view"].keys() <= payload["view"].keys()
    assert payload["view"]["state"]["values"] == {"bio": {"bio": {"type": "plain_text_input", "value": "hello"}}}
    body, headers = payloads.event_body(payloads.app_home_opened_event("UADA"), retry_num=1)
    envelope = json.loads(body)
    assert envelope["authorizations"][0]["user_id"] == "UBOT" and envelope["event"]["type"] == "app_home_opened"
    assert headers == {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def test_bolt_accepts_the_requests_and_its_calls_reach_the_fake(fake):
    app = App(signing_secret=SECRET, client=WebClient(token="xoxb-test", base_url=fake.api_url))

    @app.command("/unmentor")
    def command(ack, respond, command, client):
        ack()
        client.chat_postMessage(channel=command["user_id"], text=f"you said {command['text']}")
        respond(text="done")

    @app.action("accept")
    def accept(ack, body):
        ack()

    @app.event("app_home_opened")
    def home(event, client):
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [SECTION]})

    httpd = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_port}/slack/events"
    try:
        body = payloads.slash_command_body("hello", user_id="UADA", response_url=fake.response_url("cmd"))
        assert payloads.post(url, body, SECRET)[0] == 200
        assert payloads.post(url, body, "wrong-secret")[0] == 401
        assert payloads.post(url, body, SECRET, timestamp=int(time.time()) - 3600)[0] == 401  # replayed
        assert payloads.post(url, payloads.block_actions_body("accept", "1", "UADA"), SECRET)[0] == 200
        event, headers = payloads.event_body(payloads.app_home_opened_event("UADA"))
        assert payloads.post(url, event, SECRET, headers)[0] == 200
        assert fake.wait_for(lambda f: f.responses and f.calls_to("views.publish"))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert fake.messages(fake.conversation_id("UADA"))[0]["text"] == "you said hello"
    assert fake.responses == [{"text": "done", "_name": "cmd"}]
    assert fake.violations == []


def test_bolt_dispatch_accepts_a_view_submission(fake):
    app = App(signing_secret=SECRET, client=WebClient(token="xoxb-test", base_url=fake.api_url))
    seen = []

    @app.view("optin")
    def submitted(ack, view):
        ack()
        seen.append(view["state"]["values"]["bio"]["bio"]["value"])

    body = payloads.view_submission_body("optin", {"bio": {"bio": "hello"}}, "UADA")
    response = app.dispatch(BoltRequest(body=body.decode(), headers=payloads.signed_headers(body, SECRET)))
    assert response.status == 200 and seen == ["hello"]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass
