"""The listeners: one module-level function for each button, modal, command and event the bot answers."""

from unittest.mock import MagicMock

from bot import control_listeners, handling, ids, meeting_listeners, member_listeners, organiser_listeners

AUDIENCES = (member_listeners, control_listeners, meeting_listeners, organiser_listeners)


def test_every_button_and_modal_the_bot_sends_has_exactly_one_listener():
    tables = [m.LISTENERS for m in AUDIENCES]
    clicks = [action_id for table in tables for action_id in table.clicks]
    modals = [callback_id for table in tables for callback_id in table.modals]
    views = {value for name, value in vars(ids).items() if name.endswith("_VIEW")}
    actions = {value for name, value in vars(ids).items()
               if name.isupper() and isinstance(value, str) and value not in views and value not in ids.FAMILIES}
    actions |= {*ids.suggested_time_ids(), *ids.calendar_link_ids()}
    assert sorted(clicks) == sorted(actions) and sorted(modals) == sorted(views)


def test_slash_command_and_app_home_have_their_listeners():
    assert member_listeners.LISTENERS.commands == {"/unmentor": member_listeners.unmentor_command}
    assert member_listeners.LISTENERS.events == {"app_home_opened": member_listeners.home_opened}


def test_bolt_names_each_listener_after_our_function_so_a_traceback_says_which_failed():
    app = MagicMock()
    registered = []
    app.action.side_effect = lambda action_id: registered.append
    app.view.side_effect = lambda callback_id: registered.append
    app.command.side_effect = lambda name: registered.append
    app.event.side_effect = lambda name: registered.append
    for audience in AUDIENCES:
        audience.register(app, services=None)
    names = {listener.__name__ for listener in registered}
    assert {"on_met", "on_unmentor_command", "on_home_opened", "on_scheduled_submitted", "on_preview"} <= names
    assert all(name.startswith("on_") and name != "on_listener" for name in names)


def test_every_listener_is_importable_by_name_from_its_module():
    for audience in AUDIENCES:
        table = audience.LISTENERS
        works = [*table.commands.values(), *table.clicks.values(), *table.events.values(),
                 *(modal.save for modal in table.modals.values())]
        for work in works:
            assert getattr(audience, work.__name__) is work, work
    assert isinstance(meeting_listeners.LISTENERS, handling.Listeners)
