"""A Gateway that waits its turn for each Web API method, at the pace Slack's answers allow (scheduler.pacing)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from scheduler import pacing
from scheduler.gateway import Gateway, SendError
from scheduler.sending import STOPPED, Sending


class PacedGateway:
    """A Gateway that waits its turn for each Web API method and tells the pacer what Slack answered.

    Each method has its own turn, so a wait for conversations.open never holds up a post that
    is free to go; a 429 still reaches delivery as a SendError, which puts that send back to wait.
    A stop of `sending` (the running process's) cuts a wait short.
    """

    def __init__(self, gateway: Gateway, pacer: pacing.Pacer, clock: pacing.Clock | None = None,
                 sending: Sending | None = None):
        self.gateway, self.pacer, self.clock = gateway, pacer, clock or pacing.Clock()
        self.sending = sending or Sending()

    def _paced(self, method: str, call, conversation: str | None = None):
        self.clock.sleep_until(self.pacer.reserve(method, self.clock.now(), conversation), self.sending.stop_event)
        if self.sending.stopping():
            # The wait was cut short by a stop, before the pace or a Retry-After allowed the call.
            raise SendError(STOPPED, permanent=False)
        try:
            answer = call()
        except SendError as error:
            if error.code == "ratelimited":
                self.pacer.limited(method, self.clock.now(), error.retry_after)
            raise
        finally:
            if method == pacing.POST and conversation is not None:
                self.pacer.posted(conversation, self.clock.now())
        self.pacer.succeeded(method)
        return answer

    def open_conversation(self, user_ids: Sequence[str]) -> str:
        return self._paced(pacing.OPEN, lambda: self.gateway.open_conversation(user_ids))

    def post(self, channel: str, content: object, marker: str, *, safe: bool = False,
             zones: Sequence[str] = ()) -> tuple[str, str]:
        return self._paced("chat.postMessage",
                           lambda: self.gateway.post(channel, content, marker, safe=safe, zones=zones), channel)

    def update(self, channel: str, ts: str, content: object, *, safe: bool = False, zones: Sequence[str] = ()) -> None:
        return self._paced("chat.update", lambda: self.gateway.update(channel, ts, content, safe=safe, zones=zones))

    def find_marker(self, channel: str, marker: str, oldest: datetime) -> str | None:
        # Only for the few sends in doubt after a crash; Slack allows one a minute.
        return self._paced("conversations.history", lambda: self.gateway.find_marker(channel, marker, oldest))

    def is_reachable(self, user_id: str) -> bool:
        return self.gateway.is_reachable(user_id)


def paced(gateway: Gateway, team_id: str, pace: float | None, sending: Sending | None = None) -> Gateway:
    """`pace` None: each method at the pace Slack's answers allow; a number: that fixed gap (0: none)."""
    if pace == 0:
        return gateway
    pacer = pacing.for_workspace(team_id) if pace is None else pacing.FixedPace(pace)
    return PacedGateway(gateway, pacer, sending=sending)
