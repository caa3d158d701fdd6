"""Settings: a missing or malformed one stops start-up with one clear line naming it."""

import pytest

from bot.config import SettingError, load_settings

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_SIGNING_SECRET": "0123456789abcdef"}


def test_it_reads_good_settings_with_defaults():
    settings = load_settings(GOOD)
    assert settings.port == 3000
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///unmentor.db"
    assert not settings.socket_mode
    assert settings.organisers == ()


def test_it_reads_organisers_api_url_port_and_socket_mode():
    settings = load_settings(
        GOOD
        | {
            "UNMENTOR_ORGANISERS": "U012AB3CD, W045EF6GH",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "PORT": "8080",
            "SLACK_APP_TOKEN": "xapp-1-abc",
            "DATABASE_URL": "postgres://u@db:5432/x",
        }
    )
    assert settings.organisers == ("U012AB3CD", "W045EF6GH")
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.port == 8080
    assert settings.socket_mode
    assert settings.database_url == "postgresql+psycopg://u@db:5432/x"


@pytest.mark.parametrize(
    "change, named",
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "not a secret!"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN"),
        ({"SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"UNMENTOR_ORGANISERS": "U012AB3CD,@alice"}, "UNMENTOR_ORGANISERS"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    ],
)
def test_it_names_the_bad_setting_in_one_line(change, named):
    with pytest.raises(SettingError) as error:
        load_settings(GOOD | change)
    message = str(error.value)
    assert message.startswith(named)
    assert "\n" not in message
