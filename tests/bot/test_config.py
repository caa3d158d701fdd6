"""Settings: a missing or malformed one stops start-up with one clear line naming it."""

from pathlib import Path

import pytest

from bot.config import SettingError, load_settings

GOOD = {"SLACK_BOT_TOKEN": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
        "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99a1b2c385a5"}


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
            "SLACK_APP_TOKEN": "xapp-1-A0123ABCD-1234567890-abcdef0123456789",
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
        ({"UNMENTOR_HISTORY_PER_MINUTE": "tier 3"}, "UNMENTOR_HISTORY_PER_MINUTE"),
        ({"UNMENTOR_HISTORY_PER_MINUTE": "0"}, "UNMENTOR_HISTORY_PER_MINUTE"),
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


@pytest.mark.parametrize(
    "change, named",
    [
        ({"SLACK_SIGNING_SECRET": "changeme"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "00000000"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "0" * 32}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "your-signing-secret"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5"}, "SLACK_SIGNING_SECRET"),  # 32, not hex
        ({"SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99a1b2c385a"}, "SLACK_SIGNING_SECRET"),  # 31
        ({"SLACK_BOT_TOKEN": "xoxb-your-bot-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-changeme"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-00000000-00000000-00000000"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xapp-your-app-token"}, "SLACK_APP_TOKEN"),
    ],
)
def test_it_refuses_placeholders_naming_the_setting(change, named):
    with pytest.raises(SettingError) as error:
        load_settings(GOOD | change)
    assert str(error.value).startswith(named) and "\n" not in str(error.value)


def test_the_example_env_file_is_refused_until_filled_in():
    from dotenv import dotenv_values

    example = dotenv_values(Path(__file__).resolve().parents[2] / ".env.example")
    with pytest.raises(SettingError) as error:
        load_settings({k: v for k, v in example.items() if v})
    assert str(error.value).startswith("SLACK_BOT_TOKEN")
    with pytest.raises(SettingError) as error:
        load_settings({**example, "SLACK_BOT_TOKEN": GOOD["SLACK_BOT_TOKEN"]})
    assert str(error.value).startswith("SLACK_SIGNING_SECRET")
