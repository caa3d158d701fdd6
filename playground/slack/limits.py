"""Slack's rate limits as token buckets: a call takes a token, tokens refill at the method's rate.

Slack doesn't publish its algorithm, only tiers ("50+ a minute") and short bursts above them;
a bucket of a few tokens refilled at the tier's rate behaves that way. Time is passed in, so the
benchmark's simulated clock and the stand-in's real one share it.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    per_minute: float
    burst: float = 5.0
    tokens: float | None = None
    updated: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, at: float) -> float | None:
        """Take a token at time `at`: None when there was one, else Slack's Retry-After (whole seconds)."""
        with self._lock:
            rate = self.per_minute / 60.0
            if self.tokens is None:
                self.tokens, self.updated = self.burst, at
            self.tokens = min(self.burst, self.tokens + (at - self.updated) * rate)
            self.updated = max(self.updated, at)
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return None
            # Slack's Retry-After is a whole number of seconds, at least 1.
            return float(max(1, math.ceil((1.0 - self.tokens) / rate)))

    def fastest(self, calls: int) -> float:
        """The least time `calls` calls can take from a full bucket."""
        return max(0.0, calls - self.burst) / (self.per_minute / 60.0)


@dataclass
class Limits:
    """Per-method buckets for a workspace, and chat.postMessage's one a second into each conversation."""

    per_minute: dict[str, float]
    burst: float = 5.0
    per_conversation_per_minute: float | None = 60.0
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    conversations: dict[str, TokenBucket] = field(default_factory=dict)
    allowed: int = 0
    refused: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, method: str, at: float, conversation: str | None = None) -> float | None:
        """None when the call is allowed; else the Retry-After Slack would send with its 429."""
        wait = self._take(method, at, conversation)
        with self._lock:
            if wait is None:
                self.allowed += 1
            else:
                self.refused += 1
        return wait

    def _take(self, method: str, at: float, conversation: str | None) -> float | None:
        with self._lock:
            if method in self.per_minute and method not in self.buckets:
                # At least a second's worth of tokens: Retry-After comes in whole seconds, so a
                # smaller bucket would overflow while a client waits exactly as long as told.
                rate = self.per_minute[method]
                self.buckets[method] = TokenBucket(rate, max(self.burst, rate / 60.0))
            bucket = self.buckets.get(method)
            lane = None
            if method == "chat.postMessage" and conversation and self.per_conversation_per_minute:
                lane = self.conversations.setdefault(
                    conversation, TokenBucket(self.per_conversation_per_minute, burst=1.0))
        # A per-conversation refusal mustn't spend the workspace's token, nor the other way round.
        if lane is not None:
            wait = lane.take(at)
            if wait is not None:
                return wait
        return bucket.take(at) if bucket is not None else None


@dataclass
class Refusals:
    """Slack's bad days with 429s that have nothing to do with the app's pace: every call to `method`
    refused until `until` (a burst), or a `share` of them at random. Time is passed in, as for Limits."""

    method: str
    until: float | None = None
    share: float = 0.0
    retry_after: int = 1
    seed: int = 0
    refused: int = 0
    _random: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
        self._random = random.Random(self.seed)  # the same bad day every run

    def take(self, method: str, at: float) -> float | None:
        """None when the call goes through; else the Retry-After of the 429."""
        if method != self.method:
            return None
        with self._lock:
            refused = (self.until is not None and at < self.until) or self._random.random() < self.share
            self.refused += refused
        return float(self.retry_after) if refused else None
