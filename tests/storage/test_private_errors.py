"""A database error that reaches the log names no member and quotes nothing they wrote."""

import logging

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import session_scope
from storage.models import Member

log = logging.getLogger("unmentor.test")


def test_a_failed_statement_in_the_log_carries_no_slack_id_or_member_text(engine, caplog):
    words = "I would love to talk about leaving academia"
    with session_scope(engine) as session:
        session.add(Member(team_id="T1", slack_user_id="U0PRIVATE1", talk_about=words))
    with caplog.at_level(logging.ERROR):
        with pytest.raises(IntegrityError):
            try:
                with session_scope(engine) as session:
                    session.add(Member(team_id="T1", slack_user_id="U0PRIVATE1", talk_about=words))
            except IntegrityError:
                # As the listeners and the round clock log what goes wrong.
                log.exception("could not save the member")
                raise
    assert "could not save the member" in caplog.text
    assert "IntegrityError" in caplog.text
    assert "U0PRIVATE1" not in caplog.text
    assert words not in caplog.text
