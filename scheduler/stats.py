"""What organisers see: anonymous counts and rates per round, and only the learnings people chose to share."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlmodel import Session

from storage import stats as stats_store
from storage.models import RoundState

SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
# Fewer answers than this and a share, or a quote, could point to the person who gave it
# (in a round of one pair, "0% would stay in touch" names someone's answer).
MIN_VOICES = 3


def _share(part: int, whole: int) -> float:
    # Nothing to divide by means nothing happened: 0, not an error, so trends stay plottable.
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class RoundStats:
    """One round, in counts no one can be picked out of.

    Snapshot taken when the round opened (kept even after members leave):
      members_active, members_paused, members_skipping: members in each status;
      organisations: distinct organisations among those matched or left unmatched;
      unmatched: active members left without a group.

    Movement since the previous round:
      members_new: members who joined at or after the previous round opened and before this
        one opened (for the first round: everyone who joined before it opened);
      members_left: members who left in that same interval.

    Groups made ("groups"): the round's pairs and trios, excluding those with status "ended"
    (dropped: a member unreachable on Slack) unless it ended after its intro went (someone
    heard nothing back, stepped out or left): that match was made and didn't happen, so it
    counts, under didnt_meet.
    Every count and rate below is over these.
      cross_organisation: groups made whose members come from different organisations;
      met, scheduled, rescheduled, missed: groups made with at least one meeting event of
        kind met, scheduled, reschedule_asked, missed. A group counts once per kind however
        many such events it has, and may count under several kinds (one that asked to
        reschedule and then met is both "rescheduled" and "met"), so these rates need not
        add up to 100%;
      met, didnt_meet and not_told split the groups made by what we were told, and add up to
        all of them: didnt_meet, never said they met but someone said the chat didn't happen
        (missed it, let it go, stepped out, left, or heard nothing back, the last three only
        where the group ended there: a trio whose other two carried on as a pair counts by what
        those two said); not_told, nobody said how it went, so we don't know whether they met
        (in a running round: not yet);
      heard_nothing_back: of didnt_meet, groups where someone said they heard nothing back
        from a partner. Said by the one waiting; it is not counted against anyone;
      members_matched: places in groups made (a pair gives 2, a trio 3);
      answered: of those places, how many answered the follow-up (answers are deleted when
        their writer leaves, so they no longer count);
      stay_in_touch: answers that said they'd like to stay in touch.

    Rates are fractions 0..1 (0 when the denominator is 0): *_rate for outcomes and
    cross_organisation_rate are shares of groups made; follow_up_rate = answered /
    members_matched; stay_in_touch_rate = stay_in_touch / answered.
    """

    number: int
    period: str
    state: str
    opened_at: datetime
    members_active: int
    members_paused: int
    members_skipping: int
    members_new: int
    members_left: int
    organisations: int
    unmatched: int
    groups: int
    cross_organisation: int
    met: int
    scheduled: int
    rescheduled: int
    missed: int
    didnt_meet: int
    heard_nothing_back: int
    members_matched: int
    answered: int
    stay_in_touch: int
    # How the scheduled ones were scheduled: by all picking one of the intro's suggested times;
    # the rest of `scheduled` used a form ("We've scheduled it", or a reschedule with a time).
    scheduled_by_suggestion: int = 0

    @property
    def scheduled_by_form(self) -> int:
        return max(0, self.scheduled - self.scheduled_by_suggestion)

    @property
    def not_scheduled(self) -> int:
        """Groups made that never said here when they'd meet (some met all the same)."""
        return max(0, self.groups - self.scheduled)

    @property
    def cross_organisation_rate(self) -> float:
        return _share(self.cross_organisation, self.groups)

    @property
    def met_rate(self) -> float:
        return _share(self.met, self.groups)

    @property
    def scheduled_rate(self) -> float:
        return _share(self.scheduled, self.groups)

    @property
    def rescheduled_rate(self) -> float:
        return _share(self.rescheduled, self.groups)

    @property
    def missed_rate(self) -> float:
        return _share(self.missed, self.groups)

    @property
    def not_told(self) -> int:
        """Groups made that never said how it went: we don't know whether they met."""
        return max(0, self.groups - self.met - self.didnt_meet)

    @property
    def didnt_meet_rate(self) -> float:
        return _share(self.didnt_meet, self.groups)

    @property
    def heard_nothing_back_rate(self) -> float:
        return _share(self.heard_nothing_back, self.groups)

    @property
    def not_told_rate(self) -> float:
        return _share(self.not_told, self.groups)

    @property
    def follow_up_rate(self) -> float:
        return _share(self.answered, self.members_matched)

    @property
    def stay_in_touch_rate(self) -> float | None:
        """None (shown as "–") when fewer than MIN_VOICES answered: too few to be anonymous."""
        if self.answered < MIN_VOICES:
            return None
        return _share(self.stay_in_touch, self.answered)


RATES = (
    "cross_organisation_rate", "met_rate", "didnt_meet_rate", "not_told_rate", "heard_nothing_back_rate",
    "scheduled_rate", "rescheduled_rate", "missed_rate", "follow_up_rate", "stay_in_touch_rate",
)


# A quote carries its round's number only when that round had at least this many answers
# people let organisers read. Organisers see who was paired with whom, so "Round 2: what I
# learned about your housing team" from a round of three pairs points to one of six people, and
# often, by what it says, to one. Ten answers come from at least five groups (a pair gives two),
# enough pairings that a quote can't be pinned on one of them by its round. Smaller rounds'
# quotes are pooled across rounds and shuffled without a number, and shown only once the pool
# holds as many as a round that would be named.
NAMED_FROM = 10


@dataclass(frozen=True)
class Learning:
    """What someone learned and shared, which they let organisers read. Deliberately carries
    no member, group or Slack identity: only the round it came from, and not even that when
    the round was too small (None: pooled with other small rounds' answers)."""

    round_number: int | None
    learned: str
    shared: str


def round_stats(session: Session, team_id: str, number: int | None = None) -> list[RoundStats]:
    """Every round of the workspace, oldest first (a trend), or just round `number` ([] if none)."""
    names = {f.name for f in fields(RoundStats)}
    return [RoundStats(**{k: v for k, v in row.items() if k in names})
            for row in stats_store.round_counts(session, team_id, number)]


def consented_learnings(session: Session, team_id: str, number: int | None = None, limit: int = 50) -> list[Learning]:
    """Up to `limit` answers whose writers let organisers read them: named rounds newest first,
    then the pool of smaller rounds' answers without their round.

    Only closed rounds with at least MIN_VOICES such answers: in a running round the timing
    says who just answered, and among two answers a quote points to one of two people. A round
    with fewer than NAMED_FROM goes into the pool (see there); asked for one round, a small
    round shows nothing, since a pool of one round would name it. Answers with neither text are
    skipped. The order is a hash of the text and the rounds' seeds: stable between calls, yet
    unrelated to who wrote what or when (database ids and insertion order never reach it).
    """
    if limit <= 0:
        return []
    counts = stats_store.consented_answer_counts(session, team_id, number, MIN_VOICES)
    named = [(n, seed) for n, seed, count in counts if count >= NAMED_FROM]
    small = [(n, seed, count) for n, seed, count in counts if count < NAMED_FROM]
    pooled = [(n, seed) for n, seed, _ in small] if number is None and sum(c for *_, c in small) >= NAMED_FROM else []
    # Named rounds newest first, only as many as the limit needs; the pool is read whole, so its
    # shuffle doesn't depend on the limit.
    wanted, room = [], limit
    for round_number, seed in named:
        if room <= 0:
            break
        wanted.append((round_number, seed))
        room -= next(c for n, _, c in counts if n == round_number)
    seeds = dict(wanted + pooled)
    by_round: dict[int, list[tuple[str, str]]] = {n: [] for n in seeds}
    for round_number, learned, shared in stats_store.consented_answers(session, team_id, list(seeds)):
        by_round[round_number].append((learned.strip(), shared.strip()))

    def shuffled(answers: list[tuple[str, str]], seed: object) -> list[tuple[str, str]]:
        return sorted(answers, key=lambda a: hashlib.sha256(f"{seed}\x00{a[0]}\x00{a[1]}".encode()).digest())

    out = [Learning(n, *answer) for n, seed in wanted for answer in shuffled(by_round[n], seed)]
    # One shuffle over the whole pool, keyed by all its rounds: a round joining it reorders it all.
    pool_seed = ":".join(str(seed) for _, seed in sorted(pooled))
    out += [Learning(None, *answer) for answer in shuffled([a for n, _ in pooled for a in by_round[n]], pool_seed)]
    return out[:limit]


def _record(stat: RoundStats) -> dict:
    """Counts and rates of one round as plain values (rates rounded to 4 places)."""
    record = asdict(stat)
    record["not_told"] = stat.not_told
    record["opened_at"] = stat.opened_at.isoformat()
    record.update({name: None if getattr(stat, name) is None else round(getattr(stat, name), 4) for name in RATES})
    if stat.stay_in_touch_rate is None:
        record["stay_in_touch"] = None  # the count would give away what the rate hides
    return {name: record[name] for name in CSV_COLUMNS}


CSV_COLUMNS = (*(f.name for f in fields(RoundStats)), "not_told", *RATES)


def to_csv(stats: list[RoundStats]) -> str:
    """CSV with a header row, one row per round; rates as fractions 0..1."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_record(s) for s in stats)
    return buffer.getvalue()


def to_json(stats: list[RoundStats]) -> str:
    """A JSON list, one object per round with every count and rate (fractions 0..1)."""
    return json.dumps([_record(s) for s in stats], indent=2)


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.0f}%"


# (heading, value) per column of the terminal table: counts beside the share they make.
_TABLE = (
    ("round", lambda s: str(s.number)),
    ("period", lambda s: s.period),
    ("state", lambda s: s.state),
    ("active", lambda s: str(s.members_active)),
    ("paused", lambda s: str(s.members_paused)),
    ("skipping", lambda s: str(s.members_skipping)),
    ("new", lambda s: str(s.members_new)),
    ("left", lambda s: str(s.members_left)),
    ("orgs", lambda s: str(s.organisations)),
    ("unmatched", lambda s: str(s.unmatched)),
    ("groups", lambda s: str(s.groups)),
    ("cross-org", lambda s: _percent(s.cross_organisation_rate)),
    ("met", lambda s: str(s.met)),
    ("met%", lambda s: _percent(s.met_rate)),
    ("sched", lambda s: str(s.scheduled)),
    ("sched%", lambda s: _percent(s.scheduled_rate)),
    ("by-sugg", lambda s: str(s.scheduled_by_suggestion)),
    ("by-form", lambda s: str(s.scheduled_by_form)),
    ("unsched", lambda s: str(s.not_scheduled)),
    ("resched", lambda s: str(s.rescheduled)),
    ("resched%", lambda s: _percent(s.rescheduled_rate)),
    ("missed", lambda s: str(s.missed)),
    ("missed%", lambda s: _percent(s.missed_rate)),
    # What we were told (met, didn't meet) and what we weren't (not told): a third of groups
    # not saying how it went is not a third of people failing to answer each other.
    ("didnt-meet", lambda s: str(s.didnt_meet)),
    ("didnt-meet%", lambda s: _percent(s.didnt_meet_rate)),
    ("heard-nothing", lambda s: str(s.heard_nothing_back)),
    ("not-told", lambda s: str(s.not_told)),
    ("not-told%", lambda s: _percent(s.not_told_rate)),
    ("answered%", lambda s: _percent(s.follow_up_rate)),
    ("in-touch%", lambda s: _percent(s.stay_in_touch_rate)),
)


def to_table(stats: list[RoundStats]) -> str:
    """Aligned plain text for a terminal: a heading row, then one row per round (text left, numbers right)."""
    rows = [[heading for heading, _ in _TABLE]] + [[value(s) for _, value in _TABLE] for s in stats]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_TABLE))]
    left_aligned = {"period", "state"}

    def line(row: list[str]) -> str:
        cells = (cell.ljust(w) if _TABLE[i][0] in left_aligned else cell.rjust(w)
                 for i, (cell, w) in enumerate(zip(row, widths)))
        return "  ".join(cells).rstrip()

    return "\n".join(line(row) for row in rows) + "\n"


def meeting_rate_sparkline(stats: list[RoundStats]) -> str:
    """Met rate per closed round as one block character each (▁ = 0%, █ = 100%, on a fixed
    scale so a steady rate draws a flat line), oldest first. A round still running is left
    out: its rate is still climbing, and would always draw a dip at the end."""
    top = len(SPARK_BLOCKS) - 1
    return "".join(SPARK_BLOCKS[round(min(max(s.met_rate, 0.0), 1.0) * top)]
                   for s in stats if s.state == RoundState.closed.value)
