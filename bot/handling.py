"""How every listener runs: ack() first, the payload read once into plain values, one plain function
called, and a failure after the ack answered rather than lost.

Each audience's module (member, meeting and organiser listeners) declares its listeners as
module-level functions with the decorators of one `Listeners` table; `bot.listeners` puts the
tables on the Bolt app. A command's or a click's function is `work(services, payload, respond)`;
a modal's is a quick `check(services, payload)` before the ack (its InputError goes back beside
the field) and `save(services, payload, checked)` after it; an event's is
`work(services, payload, event)` (Bolt acknowledges events itself).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from slack_bolt import App

from bot import payload
from bot.blocks import kit as kit_blocks
from bot.blocks import member as member_blocks
from bot.payload import Payload
from bot.services import Services
from scheduler.inputs import InputError
from storage import members as member_store
from storage.db import read_scope

log = logging.getLogger("unmentor")
# What Slack's triggers look like ("12345.98765.abcd2358fdea"): anything else would only be refused.
TRIGGER = re.compile(r"[0-9A-Za-z._-]{1,255}")
# A modal's error sits on one line under its field; a longer one is cut rather than refused.
MODAL_ERROR_MAX = 150

Click = Callable[[Services, Payload, Any], None]
Check = Callable[[Services, Payload], Any]
Save = Callable[[Services, Payload, Any], None]
Event = Callable[[Services, Payload, dict], None]


@dataclass(frozen=True)
class Modal:
    check: Check
    save: Save
    field: str  # where a problem with no field of its own is shown


@dataclass
class Listeners:
    """One audience's listeners by command, action id, callback id and event, filled in by decorators."""
    commands: dict[str, Click] = field(default_factory=dict)
    clicks: dict[str, Click] = field(default_factory=dict)
    modals: dict[str, Modal] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    # Which clicks and commands may open a form: their work starts at once (see _later).
    opens_form: dict[str, Callable[[Payload], bool]] = field(default_factory=dict)

    def command(self, name: str, *, opens_form: Callable[[Payload], bool] | None = None) -> Callable[[Click], Click]:
        def add(work: Click) -> Click:
            self.commands[name] = work
            if opens_form is not None:
                self.opens_form[name] = opens_form
            return work
        return add

    def click(self, *action_ids: str, opens_form: bool = False) -> Callable[[Click], Click]:
        def add(work: Click) -> Click:
            for action_id in action_ids:
                self.clicks[action_id] = work
                if opens_form:
                    self.opens_form[action_id] = _always
            return work
        return add

    def modal(self, callback_id: str, *, check: Check, field: str) -> Callable[[Save], Save]:
        def add(save: Save) -> Save:
            self.modals[callback_id] = Modal(check, save, field)
            return save
        return add

    def event(self, name: str) -> Callable[[Event], Event]:
        def add(work: Event) -> Event:
            self.events[name] = work
            return work
        return add

    def register(self, app: App, services: Services) -> None:
        for name, work in self.commands.items():
            app.command(name)(_command_listener(services, work, self.opens_form.get(name, _never)))
        for action_id, work in self.clicks.items():
            app.action(action_id)(_click_listener(services, work, self.opens_form.get(action_id, _never)))
        for callback_id, modal in self.modals.items():
            app.view(callback_id)(_modal_listener(services, modal))
        for name, work in self.events.items():
            app.event(name)(_event_listener(services, work))


def _named(listener, work):
    # Bolt's logs and tracebacks then say which of our functions it was.
    listener.__name__ = listener.__qualname__ = f"on_{work.__name__}"
    return listener


# Every listener below runs in the thread answering Slack's request (bot/app.py): it acknowledges
# and hands its work to `services.work`, so no Slack call ever stands between a request and its
# answer. With acks and work sharing Bolt's five threads, a Slack taking seconds to answer held
# them all, and acks missed Slack's three seconds.


def _always(_p: Payload) -> bool:
    return True


def _never(_p: Payload) -> bool:
    return False


def _later(services: Services, p: Payload | None, name: str, work: Callable[[], None], *,
           opens_form: bool = False) -> None:
    if p is not None and not p.user_id:
        # Every command, click and modal names who did it; one that doesn't has nobody to act for.
        # (Events need not: app_uninstalled names nobody.)
        log.info("ignored a %s naming nobody", name)
        return

    def run() -> None:
        try:
            work()
        except Exception:  # nothing above this thread would say what failed
            log.exception("%s failed", name)
    # The work of a burst waits for its acks (bot.services.AcksFirst), but a form can't: its trigger
    # dies three seconds after the click. A plain pool (a test's) starts everything at once anyway.
    submit_now = getattr(services.work, "submit_now", None) if opens_form else None
    (submit_now or services.work.submit)(run)


def _command_listener(services: Services, work: Click, opens_form: Callable[[Payload], bool]):
    def listener(ack, command, respond):
        ack()
        p = payload.read(command)
        _later(services, p, work.__name__, lambda: work(services, p, respond), opens_form=opens_form(p))
    return _named(listener, work)


def _event_listener(services: Services, work: Event):
    def listener(event, body):
        p = payload.read(body)
        _later(services, None, work.__name__, lambda: work(services, p, event))
    return _named(listener, work)


def _click_listener(services: Services, work: Click, opens_form: Callable[[Payload], bool]):
    def listener(ack, body, respond):
        ack()
        p = payload.read(body)
        _later(services, p, work.__name__,
               lambda: after_ack(services, p, respond, work.__name__, lambda: work(services, p, respond)),
               opens_form=opens_form(p))
    return _named(listener, work)


def _modal_listener(services: Services, modal: Modal):
    def listener(ack, body):
        p = payload.read(body)
        checked = []
        if not ack_modal(ack, lambda: checked.append(modal.check(services, p)), modal.field):
            return
        _later(services, p, modal.save.__name__,
               lambda: after_ack(services, p, None, modal.save.__name__, lambda: modal.save(services, p, checked[0])))
    return _named(listener, modal.save)


def ack_modal(ack, check: Callable[[], object], default_field: str) -> bool:
    """Run a modal's checks; errors go back beside the field in the ack itself (Slack's only way).

    True when the modal was accepted and the work may go on.
    """
    try:
        check()
    except InputError as problem:
        ack(response_action="errors", errors={problem.field or default_field: str(problem)[:MODAL_ERROR_MAX]})
        return False
    ack()
    return True


def reader_zones(services: Services, team_id: str | None, user_id: str | None) -> tuple[str, ...]:
    """The time zone a reply to this person is read in: theirs as a member, else what Slack says."""
    if not team_id or not user_id:
        return ()
    with read_scope(services.engine) as session:  # never queues behind a writer
        member = member_store.get_member(session, team_id, user_id)
        zone = member.timezone if member is not None else None
    if zone:
        return (zone,)
    from bot.callers import slack_user  # cached; the join path asks Slack about them anyway

    # Not waiting out a busy Slack: a reply in UTC beats a modal whose trigger expired meanwhile.
    zone = slack_user(services, user_id, patient=False).profile.timezone
    return (zone,) if zone else ()


def open_form(services: Services, trigger_id: str | None, view: dict) -> None:
    """Open a modal for the person who clicked or typed. Slack sends a trigger with every command and
    click; a signed payload without one can't open anything, and calling views.open regardless
    would only earn an error and a traceback."""
    if not trigger_id or not TRIGGER.fullmatch(trigger_id):
        log.info("no modal opened: the request carried no trigger")
        return
    services.client.views_open(trigger_id=trigger_id, view=view)


def tell_clicker(p: Payload, respond, message: kit_blocks.Message, *, replace: bool = True,
                 client=None) -> None:
    """An answer only the clicker sees, where they clicked: in place of the message the click came
    from (`replace`), else just beneath it. A click with no message to answer in (App Home, a modal)
    is answered by DM when a Slack `client` is given, else not at all."""
    if respond is not None and p.response_url:
        if replace:
            respond(replace_original=True, **message)
        else:
            respond(response_type="ephemeral", replace_original=False, **message)
    elif client is not None:
        client.chat_postMessage(channel=p.user_id, **message)


def after_ack(services: Services, p: Payload, respond, name: str, work: Callable[[], None]) -> None:
    """Work done after ack(); if it fails, the person hears so, where they clicked or by DM."""
    try:
        work()
    except Exception:
        log.exception("%s failed", name)
        tell_clicker(p, respond, member_blocks.something_went_wrong_message(), replace=False, client=services.client)
