"""A running process's part in delivery: whether it has been asked to stop, which sends it has in hand,
and how its claims on the outbox are named (so another process can tell whether they are still alive)."""

from __future__ import annotations

import os
import socket
import threading

from sqlalchemy.engine import Engine

from storage import outbox
from storage.db import session_scope
from storage.models import Outbox

HOST = socket.gethostname()


class Sending:
    """One process's part in delivery: the sends it has in hand and whether it has been asked to stop.

    The clock's pass and a click's can deliver at once, in threads of one process, and a signal
    handler stops them all; so `serve` and `clock` each make one and hand it to everything that
    delivers, as a long-running command holds its own shutdown flag. A one-off pass (`round
    deliver`, a test) has one of its own, and nothing outlives the command that made it.
    """

    def __init__(self) -> None:
        # Set when the process is asked to stop (SIGTERM): no new send starts; the one in hand finishes.
        self.stop_event = threading.Event()
        self._in_hand: set[int] = set()
        self._lock = threading.Lock()

    def stop(self) -> None:
        """From now on no new send starts (a pass in progress returns after the one in hand)."""
        self.stop_event.set()

    def stopping(self) -> bool:
        """Whether this process has been asked to stop (no new send may start)."""
        return self.stop_event.is_set()

    def take(self, row_id: int) -> bool:
        """Hold a send while it is made; False if another thread here already has it."""
        with self._lock:
            if row_id in self._in_hand:
                return False
            self._in_hand.add(row_id)
            return True

    def let_go(self, row_id: int) -> None:
        with self._lock:
            self._in_hand.discard(row_id)

    def has(self, row_id: int) -> bool:
        with self._lock:
            return row_id in self._in_hand


def release_claims(engine: Engine) -> int:
    """Hand back the sends this process claimed and didn't finish, so the next process takes them
    at once rather than after the lease; they stay in doubt, so it looks before sending again."""
    with session_scope(engine) as session:
        return outbox.release(session, claimer())


def claimer() -> str:
    return f"{HOST}:{os.getpid()}"


def claimer_alive(row: Outbox, ours: Sending) -> bool:
    """Whether the process that claimed a send may still be making it (only knowable on this host);
    `ours` is this process's sending, which knows what its other threads have in hand."""
    host, _, pid = (row.claimed_by or "").rpartition(":")
    if host != HOST or not pid.isdigit():
        return True  # another host's process: only its lease can tell
    if int(pid) == os.getpid():
        return ours.has(row.id)  # ours, and in hand in another thread
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# A send not made because the process is stopping: handed on, not counted as Slack's failure.
STOPPED = "stopping"
