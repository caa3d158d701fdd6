"""Each Slack method's pace, learned from Slack's answers (time passed in, nothing slept)."""

from playground.slack.limits import Limits, Refusals, TokenBucket
from scheduler import pacing
from scheduler.pacing import PER_CONVERSATION_GAP, STARTING_GAP, FixedPace, Pacer

OPEN, POST, HISTORY = "conversations.open", "chat.postMessage", "conversations.history"


def test_the_first_call_goes_at_once_and_calls_come_closer_while_slack_says_yes():
    pacer = Pacer()
    starts = []
    at = 100.0
    for _ in range(6):
        at = pacer.reserve(OPEN, at)
        starts.append(at)
        pacer.succeeded(OPEN)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert starts[0] == 100.0 and abs(gaps[0] - STARTING_GAP[OPEN]) < 1e-9  # the documented floor first
    assert all(later < earlier for earlier, later in zip(gaps, gaps[1:]))


def test_after_a_429_nothing_goes_before_its_retry_after_and_the_pace_slows():
    pacer = Pacer()
    for _ in range(5):
        pacer.succeeded(OPEN)
    before = pacer.gap(OPEN)
    pacer.reserve(OPEN, 10.0)
    pacer.limited(OPEN, 10.0, retry_after=7)
    assert pacer.reserve(OPEN, 10.5) >= 17.0
    assert pacer.gap(OPEN) > before
    # And it doesn't race back to the pace that drew the 429.
    for _ in range(10):
        pacer.succeeded(OPEN)
    assert pacer.gap(OPEN) > before


def test_methods_keep_their_own_pace_a_slow_one_never_holds_up_another():
    pacer = Pacer()
    pacer.reserve(OPEN, 0.0)
    pacer.limited(OPEN, 0.0, retry_after=30)
    assert pacer.reserve(OPEN, 1.0) >= 30.0
    assert pacer.reserve(POST, 1.0, "D1") == 1.0
    assert pacer.reserve("views.publish", 1.0) == 1.0


def test_never_more_than_one_message_a_second_into_one_conversation_however_fast_posts_go():
    pacer = Pacer()
    for _ in range(20):
        pacer.succeeded(POST)  # posts across conversations have sped right up
    first = pacer.reserve(POST, 0.0, "G1")
    elsewhere = pacer.reserve(POST, 0.0, "G2")
    again = pacer.reserve(POST, 0.0, "G1")
    assert elsewhere - first < PER_CONVERSATION_GAP
    assert again - first >= PER_CONVERSATION_GAP


def test_the_fixed_pace_ignores_success_but_still_waits_out_a_429():
    pacer = FixedPace(1.2)
    for _ in range(5):
        pacer.succeeded(OPEN)
    assert pacer.gap(OPEN) == 1.2
    pacer.reserve(OPEN, 0.0)
    pacer.limited(OPEN, 0.0, retry_after=5)
    assert pacer.reserve(OPEN, 0.1) >= 5.0


def _simulate(per_minute: float, groups: int, limits: Limits | None = None, refusals: tuple[Refusals, ...] = (),
              pacer: Pacer | None = None, watch=None) -> tuple[float, float, float]:
    """Open and post a round's intros one after another against Slack-like buckets on a made-up clock
    (and any bad day's `refusals`); `watch(at, pacer)` sees each moment a group is done with."""
    limits = limits or Limits({OPEN: per_minute}, burst=5)
    pacer, at, calls, refused = pacer or Pacer(), 0.0, 0, 0
    waiting = list(range(groups))
    while waiting:
        group = waiting.pop(0)
        for method, conversation in ((OPEN, None), (POST, f"G{group}")):
            at = pacer.reserve(method, at, conversation) + 0.01
            calls += 1
            retry_after = next((wait for wait in (r.take(method, at) for r in refusals) if wait is not None),
                               None) or limits.take(method, at, conversation)
            if retry_after is not None:
                refused += 1
                pacer.limited(method, at, retry_after)
                waiting.append(group)
                break
            pacer.succeeded(method)
        if watch is not None:
            watch(at, pacer)
    return at, limits.buckets[OPEN].fastest(groups), refused / calls if calls else 0.0


def test_against_slack_like_limits_a_round_takes_little_over_the_least_time_they_allow_with_few_429s():
    for per_minute in (50, 150):
        took, least, refused = _simulate(per_minute, 60)
        assert took <= 1.25 * least and refused <= 0.15, (per_minute, took, least, refused)


def test_a_token_bucket_allows_its_burst_then_says_when_the_next_token_comes():
    bucket = TokenBucket(per_minute=30, burst=2)
    assert bucket.take(0.0) is None and bucket.take(0.0) is None
    assert bucket.take(0.0) == 2.0  # one token every 2 s
    assert bucket.take(2.0) is None


def test_a_clock_moved_back_forgets_bookings_made_in_its_future_rather_than_waiting_them_out():
    pacer = Pacer()
    pacer.reserve(POST, 864_000.0, "G1")  # booked ten days on (a test's or the playground's moved clock)
    pacer.reserve(OPEN, 864_000.0)
    assert pacer.reserve(POST, 10.0, "G1") == 10.0
    assert pacer.reserve(OPEN, 10.0) == 10.0


def test_a_post_waiting_for_its_conversations_second_doesnt_hold_up_posts_to_other_conversations():
    pacer = Pacer()
    for _ in range(20):
        pacer.succeeded(POST)  # posts across conversations have sped right up
    pacer.reserve(POST, 0.0, "G1")
    again = pacer.reserve(POST, 0.0, "G1")  # waits for G1's second
    elsewhere = pacer.reserve(POST, 0.0, "G2")
    assert again >= PER_CONVERSATION_GAP
    assert elsewhere < 0.5 * PER_CONVERSATION_GAP  # goes at the method's pace, not after G1's wait


def test_history_keeps_the_apps_own_limit_however_often_it_is_answered_and_under_a_fixed_pace_too():
    def gap_after_many_answers(pacer):
        first = pacer.reserve(HISTORY, 0.0)
        for _ in range(30):
            pacer.succeeded(HISTORY)
        return pacer.reserve(HISTORY, 0.0) - first

    # Tier 3 (50 a minute) for a self-hosted, internal app; 1 a minute when the operator says so.
    assert [gap_after_many_answers(p) for p in (Pacer(), FixedPace(0.5))] == [1.2, 1.2]
    pacing.set_history_per_minute(1)
    try:
        assert [gap_after_many_answers(p) for p in (Pacer(), FixedPace(1.2))] == [60.0, 60.0]
    finally:
        pacing.set_history_per_minute(pacing.HISTORY_PER_MINUTE)


class _BurstFrom(Refusals):
    """Every post refused from `start` until `until`: a bad twenty seconds at Slack."""

    def __init__(self, start: float, until: float):
        super().__init__(POST, until=until)
        self.start = start

    def take(self, method, at):
        return super().take(method, at) if at >= self.start else None


def test_after_a_burst_of_429s_posts_are_back_at_the_healthy_pace_within_a_minute():
    burst = _BurstFrom(start=20.0, until=40.0)
    done: list[float] = []  # when each group's intro went
    limits = Limits({OPEN: 6000, POST: 600}, burst=10)  # posts: 600 a minute across conversations
    _simulate(0, 3000, limits, (burst,), watch=lambda at, pacer: done.append(at))

    def intros_in(start: float) -> int:
        return sum(start <= at < start + 10 for at in done)

    assert burst.refused > 5 and intros_in(burst.start + 5) <= 10  # the burst did hold the posts up
    # Ten seconds of Slack at its healthy best before the burst, and a minute after it ended.
    assert intros_in(burst.until + 60) >= 0.9 * intros_in(burst.start - 10), (intros_in(burst.start - 10), done[-1])


def test_with_429s_at_random_a_round_still_finishes_in_a_few_seconds_a_group():
    for share, groups in ((0.3, 15), (0.6, 12)):
        refusals = (Refusals(OPEN, share=share, seed=1), Refusals(POST, share=share, seed=2))
        took, _, refused = _simulate(150, groups, refusals=refusals)
        assert refused >= share - 0.1  # Slack did refuse that share...
        assert took <= 10 * groups, (share, took)  # ...and each group still took seconds, not minutes
