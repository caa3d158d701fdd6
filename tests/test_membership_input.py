"""Bad input gets a clear message; what we do store is plain, safe text."""

import pytest

from scheduler.membership import InputError, ProfileForm, check_profile, clean_organisation


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
