"""Member builders, directly: App Home's controls for each status, and the join form read back."""

from bot import ids
from bot.blocks import member
from scheduler.membership import Change
from tests import personas as p


def _controls(view):
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_an_active_member_can_edit_skip_pause_pause_until_or_leave_from_app_home():
    assert _controls(member.home_view(p.ada_status())) == [
        ids.EDIT_PROFILE, ids.SKIP, ids.PAUSE, ids.PAUSE_UNTIL, ids.LEAVE, ids.AVOID_LIST]


def test_a_paused_member_sees_resume_instead():
    view = member.home_view(p.ada_status(member=p.member(status="paused")))
    assert _controls(view)[:3] == [ids.EDIT_PROFILE, ids.RESUME, ids.LEAVE]


def test_leaving_from_app_home_asks_first_with_slacks_own_dialog():
    leave = next(e for b in member.home_view(p.ada_status())["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == ids.LEAVE)
    assert leave["style"] == "danger" and leave["confirm"]["style"] == "danger"


def test_a_newcomer_sees_how_to_join_and_no_member_controls():
    view = member.home_view(p.newcomer_status())
    assert _controls(view) == [] and "/unmentor join" in view["blocks"][1]["text"]["text"]


def test_an_organisers_part_of_app_home_comes_after_their_own():
    extra = [{"type": "divider"}]
    assert member.home_view(p.ada_status(), extra)["blocks"][-1] == {"type": "divider"}


def test_the_avoid_picker_starts_with_the_members_own_list():
    picker = member.avoid_blocks(("UGUS",))[1]["elements"][0]
    assert picker["initial_users"] == ["UGUS"] and "initial_users" not in member.avoid_blocks(())[1]["elements"][0]


def test_the_join_form_reads_back_what_was_typed_and_nothing_for_what_wasnt():
    values = {"organisation": {"value": {"type": "plain_text_input", "value": "Acme Housing"}},
              "role": {"value": {"type": "plain_text_input", "value": None}}}
    form = member.read_join_modal(values)
    assert (form.organisation, form.role, form.talk_about) == ("Acme Housing", "", "")


def test_the_join_form_starts_from_what_we_already_know():
    modal = member.join_modal(p.ADA_PROFILE)
    initial = {b["block_id"]: b["element"].get("initial_value") for b in modal["blocks"] if b["type"] == "input"}
    assert initial["organisation"] == "Acme Housing" and initial["could_share"] == p.ADA_PROFILE.could_share


def test_a_change_for_someone_not_signed_up_says_how_to_join():
    assert member.change_message("pause", Change.not_member) == member.not_member_message()


def test_an_unknown_word_is_shown_safely_and_short():
    text = member.unknown_command_message("<!channel>" + "x" * 100)["text"]
    assert "<!channel>" not in text and "x" * 41 not in text


def test_the_leave_question_asks_about_your_details_never_them_which_reads_as_the_partner():
    for partners in ((), ("UBEN",), ("UBEN", "UCY")):
        text = member.leave_confirm_message(partners)["text"]
        assert text.endswith("Shall I go ahead and delete your details?") and "delete them" not in text


def test_joining_says_one_line_pointing_to_the_welcome_which_writes_every_command_in_full():
    from bot.blocks import sends
    from scheduler.sends.welcome import Welcome

    joined = member.joined_message(True, "Acme Housing", p.NEXT_ROUND)
    # The reply vanishes a second before the welcome lands: it points there, and repeats none of it.
    assert joined["text"] == "You're in! :wave: I've sent you a welcome in our DM, with what happens next."
    assert len(joined["blocks"]) == 1
    welcome = str(sends.welcome_message(Welcome("Acme Housing", p.NEXT_ROUND)))
    updated = str(member.joined_message(False, "Acme Housing", p.NEXT_ROUND))
    for words in (welcome, updated):
        assert "`/unmentor skip`, `/unmentor pause` or `/unmentor leave`" in words
        assert "`skip`" not in words and "`pause`" not in words and "`leave`" not in words
