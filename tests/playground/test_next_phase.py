"""Next phase, as the page's button drives it: each press says what it did and what comes next,
waits until its phase's sends are in, and stops at every moment the README describes, the
day-before reminder of an agreed chat included.

One playground in this process, driven through the page's own actions (no browser).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from playground.run import start
from playground.web import Actions
from scheduler import meetings
from storage import clock
from storage.db import session_scope
from storage.models import GroupMember, Member

# In-process playgrounds share the process's clock: this module runs beside the page tests, not with them.
pytestmark = pytest.mark.xdist_group("playground-page")


@pytest.fixture
def playground(tmp_path):
    # Whatever today is, the bot's clock starts on the 20th of a month two ahead, at noon: weeks
    # after one round's opening and before the next one's heads-up, so the first press is a heads-up.
    today = clock.now()
    month = today.month + 2
    clock.move_to(datetime(today.year + (month - 1) // 12, (month - 1) % 12 + 1, 20, 12, tzinfo=timezone.utc))
    running = start(tmp_path, people=4, fresh=True)
    yield running
    running.stop()
    clock.reset()


def intros_in(playground) -> list[dict]:
    return [m for cid, _ in playground.fake.conversations_of(playground.people[0].user_id) if cid.startswith(("G", "C"))
            for m in playground.fake.messages(cid)]


def test_each_press_says_what_it_did_waits_for_its_sends_and_reaches_the_reminder(playground):
    actions = Actions(playground)
    assert actions.everyone_joins({})["joined"] == 4

    heads_up = actions.next_phase({})
    assert heads_up["said"] == "Sent round 1's heads-up: 4 heads-ups."
    # What comes next is the opening, named as one.
    assert (heads_up["next"]["name"], heads_up["next"]["round"]) == ("open", 1)

    opened = actions.next_phase({})
    assert (opened["phase"], opened["round"], opened["going"]) == ("open", 1, 0)
    assert opened["said"] == "Opened round 1: 2 intros."
    assert opened["next"]["name"] == "nudge"
    # The press answered once the intros were in: none can be dated on a later day by the next press.
    posted = [m for m in playground.fake.traffic if m.method == "chat.postMessage" and m.args.get("channel", "")
              and not str(m.args.get("channel")).startswith(("U", "D"))]
    assert len(posted) >= 2

    # Two of them agree a time two days on: the reminder the day before is the next stop, and it goes.
    with session_scope(playground.engine) as session:
        group_id, user_id = session.exec(select(GroupMember.group_id, Member.slack_user_id)
                                         .join(Member, Member.id == GroupMember.member_id)).first()
        agreed = clock.now() + timedelta(days=2)
        assert meetings.mark_scheduled(session, playground.team_id, user_id, group_id, agreed).outcome.name == "done"
    # Each is reminded on their own day before, in their own zone: one stop for both, or one each
    # when the two live hours apart (which pair comes first above is the database's choice).
    sent = 0
    for _ in range(2):
        reminder = actions.next_phase({})
        said = re.fullmatch(r"Sent what was due then: (\d) reminders?\.", reminder["said"])
        assert reminder["phase"] == "reminder" and said, reminder
        sent += int(said[1])
        if sent == 2:
            break
    assert sent == 2
    assert reminder["next"]["name"] == "nudge"
