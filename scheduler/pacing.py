"""How fast to call each Slack Web API method: learned from what Slack answers, one method at a time.

Slack publishes only floors ("50+ a minute" for conversations.open) and answers 429 with
Retry-After when an app goes faster than it allows. So each method keeps its own gap between
calls: it narrows while calls succeed, and widens on a 429, with nothing sent before the
Retry-After has passed. Once a 429 has shown where the limit is, the gap creeps back towards
it slowly rather than probing again at full speed, which keeps 429s a small share of calls.
Slack has bad minutes too (a burst of 429s, or 429s at random, whatever the pace): only the
first 429 after a success marks the pace as too fast, and no gap grows past the pace Slack
promises, so the pace is back within seconds of Slack being healthy and a round still finishes.
chat.postMessage also keeps Slack's rule of at most one message a second into one conversation.

Pure: time is passed in, so the same logic runs against a real clock and a simulated one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

# Where each method starts (seconds between calls): the documented floor of its rate tier,
# which Slack promises to allow, so the first calls never provoke a 429.
STARTING_GAP = {
    "conversations.open": 1.2,     # tier 3: 50+ a minute
    "chat.postMessage": 1.0,       # special: about 1 a second per conversation, more across them
    "chat.update": 1.2,            # tier 3
    "views.publish": 0.6,          # tier 4: 100+ a minute
    "conversations.history": 1.2,  # tier 3 for this app (HISTORY_PER_MINUTE below)
}
DEFAULT_GAP = 1.2
HISTORY = "conversations.history"
# conversations.history keeps tier 3 (50+ a minute) for internal, self-built apps and Marketplace
# apps; only commercially distributed apps outside the Marketplace get 1 a minute
# (docs.slack.dev/apis/web-api/rate-limits). A self-hosted install is its own internal app, so
# tier 3 is the default; UNMENTOR_HISTORY_PER_MINUTE sets another (set_history_per_minute).
HISTORY_PER_MINUTE = 50.0
# Methods whose limit is the app's own to keep: never probed faster, whatever Slack lets through.
FLOOR = {
    HISTORY: 60.0 / HISTORY_PER_MINUTE,  # only for the sends in doubt, looked up before they go again
}


def set_history_per_minute(per_minute: float) -> None:
    """The app's limit on conversations.history; pacers made from now on keep to it."""
    STARTING_GAP[HISTORY] = FLOOR[HISTORY] = 60.0 / per_minute
    with _PACERS_LOCK:
        _PACERS.clear()  # made under the old limit
# The fastest we ever go, whatever Slack lets through (20 calls a second).
NARROWEST_GAP = 0.05
# How long a gap may grow after repeated 429s.
WIDEST_GAP = 60.0
# Before any 429: narrow quickly (a fifth each success). After one: creep back (2% each).
PROBE = 0.8
CREEP = 0.98
EASE = 0.995
# After a 429, the gap goes back to a little wider than the last one that was too narrow.
BACK_OFF = 1.4
# Slack's chat.postMessage rule: one message a second into one conversation.
PER_CONVERSATION_GAP = 1.0
POST = "chat.postMessage"
OPEN = "conversations.open"
# Threads read the clock just before they book, so bookings may arrive a little out of order;
# a time further back than this means the clock itself was moved.
CLOCK_MOVED_BACK = 5.0


@dataclass
class MethodPace:
    """One method's learned gap, and the earliest moment its next call may start."""

    gap: float
    floor: float = NARROWEST_GAP  # never narrower than this
    # The pace Slack promises (its tier's floor): a 429 at it or slower isn't about our pace, so
    # neither the gap nor what it learned goes wider; waiting is Retry-After's job.
    promised: float = WIDEST_GAP
    next_at: float = 0.0
    limited_at_gap: float | None = None  # the gap in use when Slack last said 429 after a success
    refused_in_a_row: int = 0  # 429s since the last success
    calls: int = 0
    limited: int = 0

    def ready_at(self) -> float:
        return self.next_at

    def took(self, at: float) -> None:
        """A call starts now: the next may start one gap later."""
        self.calls += 1
        self.next_at = max(self.next_at, at) + self.gap

    def succeeded(self) -> None:
        self.refused_in_a_row = 0
        if self.limited_at_gap is None:
            self.gap = max(self.gap * PROBE, self.floor)
            return
        if self.gap > self.limited_at_gap * BACK_OFF:
            # Widened by a run of 429s (a bad minute at Slack) that has passed: straight back to
            # just short of the pace that drew the first of them, as fast as before any 429.
            self.gap = max(self.gap * PROBE, self.limited_at_gap * BACK_OFF, self.floor)
        else:
            # Creep back towards the gap that last drew a 429, no further; that mark itself eases
            # a little with each success, so a limit Slack has since raised is found again.
            self.gap = max(self.gap * CREEP, self.limited_at_gap, self.floor)
        self.limited_at_gap *= EASE

    def was_limited(self, at: float, retry_after: float | None) -> None:
        self.limited += 1
        widest = max(self.promised, self.floor)
        if self.refused_in_a_row == 0:
            # The first 429 after a success says the pace in use was too fast. Later ones in the
            # same run say nothing more about the pace: they came after waiting as long as Slack
            # asked, at a gap this already widened. Marking them would ratchet the learned limit
            # up with every 429 of a burst, and it would take hundreds of posts to come back.
            self.limited_at_gap = min(self.gap, widest)
        self.refused_in_a_row += 1
        self.gap = min(max(self.gap * BACK_OFF, self.floor), widest)
        # At least as long as Slack said; with no Retry-After, longer with each 429 in a row.
        wait = retry_after if retry_after is not None else \
            min(self.gap * BACK_OFF ** (self.refused_in_a_row - 1), max(WIDEST_GAP, self.floor))
        self.next_at = max(self.next_at, at + wait)


@dataclass
class Pacer:
    """Every method's pace for one workspace. Thread-safe: a click's sends and the clock's share it."""

    starting: dict[str, float] = field(default_factory=lambda: dict(STARTING_GAP))
    floors: dict[str, float] = field(default_factory=lambda: dict(FLOOR))  # a test may pass shorter ones
    methods: dict[str, MethodPace] = field(default_factory=dict)
    last_post: dict[str, float] = field(default_factory=dict)  # conversation -> when we last posted there
    latest: float = float("-inf")  # the latest time a call was booked at
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _method(self, method: str) -> MethodPace:
        if method not in self.methods:
            floor = self.floors.get(method, NARROWEST_GAP)
            start = max(self.starting.get(method, DEFAULT_GAP), floor)
            self.methods[method] = MethodPace(start, floor, promised=max(STARTING_GAP.get(method, DEFAULT_GAP), start))
        return self.methods[method]

    def reserve(self, method: str, at: float, conversation: str | None = None) -> float:
        """Book the next call to `method` (into `conversation`, for a post); returns when it may start."""
        with self._lock:
            if at < self.latest - CLOCK_MOVED_BACK:
                self._forget_bookings()
            self.latest = max(self.latest, at)
            pace = self._method(method)
            slot = max(at, pace.ready_at())
            # The method's slot is booked where it falls; a post that waits for its conversation's
            # second waits alone, so posts to other conversations don't queue behind it.
            pace.took(slot)
            start = slot
            if method == POST and conversation is not None:
                start = max(slot, self.last_post.get(conversation, float("-inf")) + PER_CONVERSATION_GAP)
                self.last_post[conversation] = start
            return start

    def _forget_bookings(self) -> None:
        # A monotonic clock never runs backwards: this one was moved (by a test, or by running the clock ahead),
        # and bookings made in its future would hold every call for as long as it jumped.
        for pace in self.methods.values():
            pace.next_at = 0.0
        self.last_post.clear()

    def posted(self, conversation: str, at: float) -> None:
        """A post into `conversation` has been answered at `at`: Slack took it somewhere between its
        start and now, so the conversation's next second is counted from now, never sooner."""
        with self._lock:
            self.last_post[conversation] = max(self.last_post.get(conversation, float("-inf")), at)

    def succeeded(self, method: str) -> None:
        with self._lock:
            self._method(method).succeeded()

    def limited(self, method: str, at: float, retry_after: float | None) -> None:
        with self._lock:
            self._method(method).was_limited(at, retry_after)

    def gap(self, method: str) -> float:
        """Seconds between calls to `method` at the pace learned so far."""
        with self._lock:
            return self._method(method).gap

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per method: (calls, of which answered 429)."""
        with self._lock:
            return {name: (m.calls, m.limited) for name, m in self.methods.items()}


class FixedPace(Pacer):
    """The old way, kept for comparison and for `--pace`: the same gap after every send, whatever Slack says."""

    def __init__(self, gap: float):
        super().__init__(starting={})
        self.fixed = gap

    def _method(self, method: str) -> MethodPace:
        if method not in self.methods:
            # A fixed pace still keeps the limits Slack states outright (history's one a minute).
            floor = self.floors.get(method, 0.0)
            self.methods[method] = MethodPace(max(self.fixed, floor), floor)
        return self.methods[method]

    def succeeded(self, method: str) -> None:
        pass

    def limited(self, method: str, at: float, retry_after: float | None) -> None:
        with self._lock:
            pace = self._method(method)
            pace.limited += 1
            pace.next_at = max(pace.next_at, at + (retry_after or 0.0))


_PACERS: dict[str, Pacer] = {}
_PACERS_LOCK = threading.Lock()


def for_workspace(team_id: str) -> Pacer:
    """This process's pacer for a workspace: Slack's limits are per app per workspace."""
    with _PACERS_LOCK:
        return _PACERS.setdefault(team_id, Pacer())


class Clock:
    """Real time for the pacer; a benchmark or test passes its own with the same two methods."""

    def now(self) -> float:
        return time.monotonic()

    def sleep_until(self, at: float, stop: threading.Event | None = None) -> None:
        wait = at - time.monotonic()
        if wait > 0:
            if stop is not None:
                stop.wait(wait)
            else:
                time.sleep(wait)


# Room to spare in the opening window: opens slower than measured still finish before the time.
WINDOW_MARGIN = 1.25


def opening_window(groups: int, open_gap: float) -> float:
    """Seconds before a scheduled opening to start opening its group DMs: enough for `groups`
    conversations.open calls at the gap measured so far, with a margin for 429s and slow answers."""
    return groups * open_gap * WINDOW_MARGIN + 60.0
