"""Bad input gets a clear message; what we do store is plain, safe text."""

import time

import pytest

from scheduler.inputs import InputError
from scheduler.membership import ProfileForm, check_profile, clean_organisation


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("Acme Ltd", "Acme Ltd"),
        ("  Acme \t  Ltd  ", "Acme Ltd"),
        ("Ａｃｍｅ", "Acme"),  # full-width letters fold to the ones people type
        ("Ac\u200bme\u202e Ltd", "Acme Ltd"),  # zero-width space and right-to-left override vanish
        ("Robert'); DROP TABLE member;--", "Robert'); DROP TABLE member;--"),
        ("Café Müller & Söhne", "Café Müller & Söhne"),
    ],
)
def test_it_stores_organisations_as_plain_text(raw, stored):
    assert clean_organisation(raw) == stored


@pytest.mark.parametrize(
    "raw, says",
    [
        ("", "can't be empty"),
        ("   \u200b ", "can't be empty"),
        ("x" * 81, "keep it to 80"),
        ("<!channel> Acme", "mentions"),
        ("<@U123> Inc", "mentions"),
        ("<https://evil.example|Acme>", "links"),
        ("!!!", "letter or number"),
    ],
)
def test_it_refuses_unusable_organisations_kindly(raw, says):
    with pytest.raises(InputError) as error:
        clean_organisation(raw)
    assert says in str(error.value)
    assert error.value.field == "organisation"


def test_it_names_the_field_that_is_too_long():
    with pytest.raises(InputError) as error:
        check_profile(ProfileForm(organisation="Acme", talk_about="y" * 301))
    assert error.value.field == "talk_about"
    assert "300" in str(error.value)


def _seconds(check, text):
    started = time.perf_counter()
    with pytest.raises(InputError):
        check(text)
    return time.perf_counter() - started


@pytest.mark.parametrize("pattern", ["<@", "<#", "<http:", "<mailto:", "<", "\u200b", "&"])
@pytest.mark.parametrize("field", ["organisation", "role", "talk_about", "could_share"])
def test_every_input_check_takes_linear_time_length_first(pattern, field):
    """`join <@<@<@…` with no closing '>' made the markup check rescan from every '<@' (4.4 s at 100,000)."""
    def check(text):
        check_profile(ProfileForm(**{"organisation": "Acme", field: text}))

    big = pattern * (100_000 // len(pattern))
    small = pattern * (10_000 // len(pattern))
    assert _seconds(check, big) < 0.5
    # Ten times the text may not take a hundred times as long (quadratic); allow for a busy machine.
    assert _seconds(check, big) < 20 * _seconds(check, small) + 0.05


def test_markup_is_still_found_after_the_fast_check():
    for text in ["<@U1> Inc", "Acme <#C1|general>", "x <https://evil.example|Acme>", "<mailto:a@b.example>", "<!here>"]:
        with pytest.raises(InputError, match="mentions"):
            clean_organisation(text)
    assert clean_organisation("Acme < Beta > Gamma") == "Acme < Beta > Gamma"
    assert clean_organisation("Acme > <@ nothing after") == "Acme > <@ nothing after"


# Every way Unicode ends a line: line and paragraph separators, next line, vertical tab, form feed,
# the record separators, a carriage return. Slack's clients break the line at each of these.
LINE_ENDS = ["\u2028", "\u2029", "\x85", "\v", "\f", "\x1e", "\r", "\n"]


@pytest.mark.parametrize("end", LINE_ENDS)
@pytest.mark.parametrize("field", ["organisation", "role"])
def test_an_organisation_or_title_on_two_lines_by_any_of_unicodes_line_ends_is_refused(end, field):
    form = {"organisation": "Acme", "role": "Ops", field: f"Acme{end}Phone, video or coffee all work."}
    with pytest.raises(InputError, match="one line") as error:
        check_profile(ProfileForm(**form))
    assert error.value.field == field


@pytest.mark.parametrize("end", LINE_ENDS)
def test_several_lines_are_kept_as_plain_new_lines_where_they_are_welcome(end):
    checked = check_profile(ProfileForm(organisation="Acme", talk_about=f"budgets{end}and hiring"))
    assert checked.talk_about == "budgets\nand hiring"


@pytest.mark.parametrize("link", [
    "https://evil.example/login", "see http://evil.example", "HTTPS://EVIL.EXAMPLE/x", "ftp://files.example",
    "www.example.com", "go to WWW.example.com now", "evil.example/login", "mailto:someone@evil.example",
])
@pytest.mark.parametrize("field", ["organisation", "role", "talk_about", "could_share"])
def test_a_web_link_is_refused_whatever_its_form(link, field):
    with pytest.raises(InputError, match="web links") as error:
        check_profile(ProfileForm(**{"organisation": "Acme", field: link}))
    assert error.value.field == field


@pytest.mark.parametrize("words", ["Booking.com", "Node.js and React", "e.g. budgets/planning", "TCP/IP", "1.5/10",
                                   "24/7 support", "it's 9:30 at Acme: coffee"])
def test_words_that_only_look_a_little_like_addresses_are_kept(words):
    assert check_profile(ProfileForm(organisation="Acme", talk_about=words)).talk_about == words


@pytest.mark.parametrize("title, role", [
    ("Ops\u2028Phone, video or coffee all work.", "Ops Phone, video or coffee all work."),
    ("Lead, see https://evil.example/me", ""),
    ("x" * 400, ""),
])
def test_a_slack_title_on_two_lines_or_with_a_link_never_stops_a_join_and_shows_on_one_line(engine, title, role):
    from scheduler import membership
    from scheduler.membership import SlackProfile
    from storage.db import session_scope
    from tests.personas import TEAM

    with session_scope(engine) as session:
        result = membership.join(session, TEAM, "UADA", "Acme", SlackProfile(title=title))
    assert result.outcome is membership.JoinOutcome.joined and result.member.role == role
