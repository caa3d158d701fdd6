"""What every listener needs, handed over in one piece: the settings, the database, the Slack client
and the pool that does the work after each acknowledgement."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.workspace import OwnWorkspace
from scheduler.sending import Sending

# Threads for the work after an ack: enough that a slow Slack (seconds a call) doesn't queue
# members' replies for long, few enough that their Python doesn't crowd out the acks.
WORKERS = 16
# Threads of their own for work that opens a form, so sixteen replies held up by a slow Slack
# never stand between a click and its form.
FORM_WORKERS = 8


# A burst of requests is acknowledged before the work they bring starts: work waits until no new
# work has come for QUIET_SECONDS, and never more than LONGEST_WAIT_SECONDS.
QUIET_SECONDS = 0.2
LONGEST_WAIT_SECONDS = 1.0


class AcksFirst(Executor):
    """The pool for the work after each ack, which lets a burst of acknowledgements go first.

    Acks and work share one Python interpreter: while 16 threads build App Home views and
    replies, a thread answering Slack waits its turn for the interpreter lock, however idle its
    own request is. Measured with 200 requests at once (benchmarks/bench_acks.py), acks took
    longer with Slack healthy (the work busy in Python) than with Slack slow (the work asleep
    on the network). So each job waits until submissions stop arriving (a burst's acks are all
    answered: each submission follows an ack), or at most a second: a member's reply comes a
    moment later, Slack's three seconds are never at risk. Work that opens a form doesn't wait,
    for the burst or for busy threads (submit_now): its trigger would.
    """

    def __init__(self, workers: int = WORKERS, quiet: float = QUIET_SECONDS, longest: float = LONGEST_WAIT_SECONDS):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unmentor-work")
        self._forms = ThreadPoolExecutor(max_workers=FORM_WORKERS, thread_name_prefix="unmentor-form")
        self._quiet, self._longest = quiet, longest
        self._last = 0.0
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._quiet <= 0:
            return self._pool.submit(fn, *args, **kwargs)  # no burst to wait out
        submitted = time.monotonic()
        with self._lock:
            self._last = max(self._last, submitted)
        return self._pool.submit(self._when_quiet, submitted, fn, args, kwargs)

    def submit_now(self, fn, /, *args, **kwargs) -> Future:
        """Work that opens a form starts at once, in threads of its own: Slack's trigger for it lives
        three seconds from the click, and Slack may take two of them to answer views.open."""
        return self._forms.submit(fn, *args, **kwargs)

    def _when_quiet(self, submitted: float, fn, args, kwargs):
        while True:
            with self._lock:
                last = self._last
            wait = min(last + self._quiet, submitted + self._longest) - time.monotonic()
            if wait <= 0:
                return fn(*args, **kwargs)
            time.sleep(wait)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._forms.shutdown(wait=wait, cancel_futures=cancel_futures)
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def work_pool() -> Executor:
    return AcksFirst()


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    client: WebClient
    # Never Bolt's listener pool: a thread there held by a slow Slack call is one fewer for acks.
    work: Executor = field(default_factory=work_pool)
    own: OwnWorkspace | None = None  # who the bot is, where (auth.test)
    # The process's part in delivery, shared with its clock: what it has in hand, whether it is stopping.
    sending: Sending = field(default_factory=Sending)
