"""The one time source can run ahead of the system clock, forward only, for everyone who reads it."""

from datetime import datetime, timedelta, timezone

import pytest
from freezegun import freeze_time

from storage import clock


@pytest.fixture(autouse=True)
def _real_time_afterwards():
    yield
    clock.reset()


def test_the_clock_reads_the_system_time_until_moved():
    before = datetime.now(timezone.utc)
    assert before <= clock.now() <= datetime.now(timezone.utc)
    assert clock.offset() == timedelta(0)


def test_moving_the_clock_moves_what_every_reader_sees_and_it_runs_on():
    from scheduler import rounds  # reads `now` by name, as every module does

    target = datetime(2031, 3, 3, 10, 0, tzinfo=timezone.utc)
    with freeze_time("2026-12-01 09:00:00", tick=False) as frozen:
        clock.move_to(target)
        assert clock.now() == target and rounds.now() == target
        frozen.tick(90)
        assert clock.now() == target + timedelta(seconds=90)  # a moved clock keeps running


def test_the_clock_never_moves_backwards():
    with freeze_time("2026-12-01 09:00:00"):
        clock.move_to(datetime(2027, 1, 4, 10, 0, tzinfo=timezone.utc))
        with pytest.raises(ValueError, match="only moves forward"):
            clock.move_to(datetime(2027, 1, 1, 10, 0, tzinfo=timezone.utc))
        assert clock.now() == datetime(2027, 1, 4, 10, 0, tzinfo=timezone.utc)
        with pytest.raises(ValueError, match="aware"):
            clock.move_to(datetime(2027, 2, 1, 10, 0))
