"""The App Home tab: each member's own status and buttons and, for organisers, the stats and controls."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Sequence

from slack_sdk.errors import SlackApiError

from bot import callers, handling
from bot.blocks import member as member_blocks
from bot.blocks import organisers as organiser_blocks
from bot.services import Services
from scheduler import membership, rematch, slack_trouble, stats
from scheduler.workspace_schedule import next_round_at
from storage.clock import now
from storage.db import session_scope

log = logging.getLogger("unmentor")

# One redraw at a time per person: a click's redraw and an App Home opening (or two quick clicks)
# each read the member then publish, and without this the older read could be published last,
# leaving a Home that shows "Pause" to someone already paused. Holding the lock across the read and
# the publish makes the last Home published the one read last. (Per process: one web process
# answers a workspace's clicks.)
_REDRAWING: defaultdict[tuple[str, str], threading.Lock] = defaultdict(threading.Lock)
_REDRAWING_LOCK = threading.Lock()


def organiser_part(services: Services, team_id: str, zones: Sequence[str] = ()) -> list[dict]:
    with session_scope(services.engine) as session:
        trend = stats.round_stats(session, team_id)
        learnings = stats.consented_learnings(session, team_id, limit=5)
        failed = rematch.failed_intros(session, team_id)
    return organiser_blocks.organiser_home_blocks(trend, learnings, stats.meeting_rate_sparkline(trend),
                                                  slack_trouble.current(services.engine, team_id), failed, zones=zones)


def what_it_shows(services: Services, team_id: str, user_id: str) -> tuple:
    """The person's own part of Home in short (their member row and their list): a command that
    changes it redraws Home, one that changes nothing (a typo, a usage reply) doesn't."""
    with session_scope(services.engine) as session:
        view = membership.status(session, team_id, user_id, now())
        member = view.member
        return (tuple(sorted(member.model_dump().items())) if member else None), view.avoided


def refresh(services: Services, team_id: str, user_id: str) -> None:
    with _REDRAWING_LOCK:
        lock = _REDRAWING[(team_id, user_id)]
    with lock:
        _refresh(services, team_id, user_id)


def _refresh(services: Services, team_id: str, user_id: str) -> None:
    with session_scope(services.engine) as session:
        view = membership.status(session, team_id, user_id, next_round_at(session, team_id))
    organiser = callers.is_organiser(services, team_id, user_id)
    # The tab's dates in the reader's own time zone, organisers who aren't members included.
    zones = (view.member.timezone,) if view.member and view.member.timezone else handling.reader_zones(
        services, team_id, user_id)
    extra = organiser_part(services, team_id, zones) if organiser else None
    home = member_blocks.home_view(view, extra, zones=zones)
    try:
        services.client.views_publish(user_id=user_id, view=home)
    except SlackApiError as error:
        # The Home tab is a convenience; a failed refresh must not undo what the click did.
        log.warning("views.publish failed: %s", error.response.get("error"))  # no user ID: it is personal data
