"""The Slack stand-in keeps what each person would see: ephemerals, replies to response URLs, their modals,
and a log of every call with its problems, so the playground can show it."""

import json

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from playground.slack import FakeSlack

MODAL = {"type": "modal", "callback_id": "note", "title": {"type": "plain_text", "text": "A note"},
         "submit": {"type": "plain_text", "text": "Send"},
         "blocks": [{"type": "input", "block_id": "note", "label": {"type": "plain_text", "text": "Note"},
                     "element": {"type": "plain_text_input", "action_id": "value"}}]}
BUTTON = {
    "type": "actions",
    "elements": [{"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}}],
}


@pytest.fixture(scope="module")
def server():
    with FakeSlack(require_action_ids=True) as fake:
        yield fake


@pytest.fixture
def fake(server):
    server.reset()
    server.add_user("UADA", real_name="Ada Lovelace", email="ada@example.org")
    server.add_user("UBOB", real_name="Bob Noyce", email="bob@example.org", tz="America/New_York")
    return server


@pytest.fixture
def client(fake):
    return WebClient(token="xoxb-test", base_url=fake.api_url)


def test_an_ephemeral_message_is_kept_for_its_one_reader(fake, client):
    channel = client.conversations_open(users="UADA,UBOB")["channel"]["id"]
    ts = client.chat_postEphemeral(channel=channel, user="UADA", text="Only you", blocks=[BUTTON])["message_ts"]
    assert [(m["ts"], m["text"]) for m in fake.ephemerals(channel, "UADA")] == [(ts, "Only you")]
    assert fake.ephemerals(channel, "UBOB") == [] and fake.messages(channel) == []


def test_a_response_url_reply_shows_where_slack_shows_it(fake, client):
    channel = fake.open_dm("UADA")
    ts = client.chat_postMessage(channel=channel, text="Pick one", blocks=[BUTTON])["ts"]
    # A plain reply is for the clicker alone; replace_original edits the clicked message; in_channel is for all.
    WebhookClient(fake.response_url(user="UADA", channel=channel, message_ts=ts)).send(text="Noted")
    assert [m["text"] for m in fake.ephemerals(channel, "UADA")] == ["Noted"]
    WebhookClient(fake.response_url(user="UADA", channel=channel, message_ts=ts)).send(
        text="Done", replace_original=True
    )
    assert [(m["ts"], m["text"], "blocks" in m) for m in fake.messages(channel)] == [(ts, "Done", False)]
    WebhookClient(fake.response_url(user="UADA", channel=channel)).send(text="Hello all", response_type="in_channel")
    assert [m["text"] for m in fake.messages(channel)] == ["Done", "Hello all"]
    WebhookClient(fake.response_url(user="UADA", channel=channel, message_ts=ts)).send(delete_original=True)
    assert [m["text"] for m in fake.messages(channel)] == ["Hello all"]
    assert fake.violations == []


def test_a_modal_opens_for_whoever_got_the_trigger_and_answers_change_it(fake, client):
    trigger = fake.trigger_for("UADA")
    client.views_open(trigger_id=trigger, view=MODAL)
    assert fake.modal("UADA")["title"]["text"] == "A note" and fake.modal("UBOB") is None
    # A view_submission answered with errors keeps the modal; update replaces it; an empty answer closes it.
    assert fake.show_view_response("UADA", {"response_action": "errors", "errors": {"note": "Too short"}}) == {
        "note": "Too short"
    }
    assert fake.modal("UADA") is not None
    updated = {**MODAL, "title": {"type": "plain_text", "text": "Thanks"}}
    fake.show_view_response("UADA", {"response_action": "update", "view": updated})
    assert fake.modal("UADA")["title"]["text"] == "Thanks"
    fake.show_view_response("UADA", {})
    assert fake.modal("UADA") is None
    # A view the bot answers with must be valid, as Slack checks it too.
    client.views_open(trigger_id=fake.trigger_for("UADA"), view=MODAL)
    fake.show_view_response("UADA", {"response_action": "push", "view": {"type": "modal", "blocks": []}})
    assert any("view_submission answer (push)" in v for v in fake.violations)


def test_every_call_is_logged_with_what_was_wrong_and_what_slack_answered(fake, client):
    client.chat_postMessage(channel="UADA", text="hi")
    fake.fail_next("chat.postMessage", error="invalid_auth", status=200)
    with pytest.raises(Exception):
        client.chat_postMessage(channel="UADA", text="hi", colour="red")
    first, second = fake.traffic[-2:]
    assert (first.method, first.problems, first.error) == ("chat.postMessage", [], None)
    assert second.error == "invalid_auth" and "unknown argument 'colour'" in second.problems[0]
    before = fake.version
    WebhookClient(fake.response_url("r1")).send(text="x", response_type="public")
    assert fake.traffic[-1].method == "response_url" and fake.traffic[-1].problems and fake.version > before


def test_messages_carry_the_stand_ins_clock():
    moment = [1_900_000_000.0]
    with FakeSlack(clock=lambda: moment[0]) as fake:
        fake.add_user("UADA", real_name="Ada")
        client = WebClient(token="xoxb-test", base_url=fake.api_url)
        ts = client.chat_postMessage(channel="UADA", text="hi")["ts"]
        assert float(ts) == pytest.approx(1_900_000_000.0, abs=0.01)
        assert (
            json.loads(json.dumps(fake.messages(client.conversations_open(users="UADA")["channel"]["id"])))[0]["ts"]
            == ts
        )
