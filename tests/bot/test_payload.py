"""What Slack sends becomes plain values in one place, from payloads shaped exactly as Slack sends them.

Personas: ada (UADA) in the Acme workspace (T111), clicking the buttons on her match with ben (group 7).
"""

import json
from urllib.parse import parse_qsl

from bot import ids, payload
from playground.slack import payloads as sr


def _form(body: bytes) -> dict:
    fields = dict(parse_qsl(body.decode()))
    return json.loads(fields["payload"]) if "payload" in fields else fields


def test_a_command_gives_who_typed_it_where_and_what():
    p = payload.read(_form(sr.slash_command_body("join Acme Ltd", user_id="UADA", team_id="T111")))
    assert (p.team_id, p.user_id, p.text) == ("T111", "UADA", "join Acme Ltd")
    assert p.trigger_id and p.response_url and p.group_id is None


def test_a_button_on_the_intro_names_the_match_it_acts_on():
    p = payload.read(_form(sr.block_actions_body(ids.MEETING_MET, "group:7", "UADA")))
    assert (p.team_id, p.user_id, p.action_id, p.group_id) == ("T111", "UADA", ids.MEETING_MET, 7)
    # A forged or old value acts on nothing rather than on someone else's match.
    assert payload.read(_form(sr.block_actions_body(ids.MEETING_MET, "round:7", "UADA"))).group_id is None


def test_a_heads_up_skip_names_its_round():
    p = payload.read(_form(sr.block_actions_body(ids.SKIP_ROUND, "period:2027-01", "UADA")))
    assert p.period == "2027-01" and p.group_id is None


def test_a_meeting_modal_carries_its_match_and_the_answers():
    values = {"date": {"value": {"type": "datepicker", "selected_date": "2026-12-10"}}}
    p = payload.read(_form(sr.view_submission_body(ids.SCHEDULED_VIEW, values, "UADA", private_metadata="group:7")))
    assert (p.user_id, p.group_id) == ("UADA", 7)
    assert p.values["date"]["value"]["selected_date"] == "2026-12-10"
    assert p.response_url is None  # a modal has nowhere to answer in place


def test_app_home_pickers_give_the_day_and_the_whole_list():
    home = {"id": "VHOME", "type": "home", "blocks": []}
    day = payload.read(_form(sr.block_actions_body(ids.PAUSE_UNTIL, "2027-03-01", "UADA", action_type="datepicker",
                                                   view=home)))
    assert day.picked_date == "2027-03-01" and day.response_url is None
    people = payload.read(_form(sr.block_actions_body(ids.AVOID_LIST, ["UBEN", "UCY"], "UADA",
                                                      action_type="multi_users_select", view=home)))
    assert people.picked_users == ("UBEN", "UCY")


def test_an_app_home_event_gives_the_member_and_the_event_id_retries_share():
    body, _ = sr.event_body(sr.app_home_opened_event("UADA"), team_id="T111", event_id="Ev42")
    p = payload.read(json.loads(body))
    assert (p.team_id, p.user_id, p.event_id) == ("T111", "UADA", "Ev42")


def test_a_click_where_only_the_user_knows_the_team_still_acts_for_that_team():
    body = _form(sr.block_actions_body(ids.MEETING_MET, "group:7", "UADA", team_id="T222"))
    body["team"] = None  # as some Enterprise Grid clicks arrive
    assert payload.read(body).team_id == "T222"
