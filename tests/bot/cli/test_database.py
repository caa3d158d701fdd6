"""`unmentor db`: migrations that say one line, unless the operator asks for the detail."""

from __future__ import annotations

import re

from tests.botprocess import bot_env, run


def test_database_commands_print_one_line_and_the_libraries_only_with_verbose(tmp_path, empty_sqlite_url):
    sqlite_url = empty_sqlite_url
    env = bot_env(sqlite_url, "http://127.0.0.1:9/api/")
    quiet = run(["db", "upgrade"], env, str(tmp_path), timeout=60)
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert re.fullmatch(r"database schema at revision \d{4}\n", quiet.stdout)
    verbose = run(["-v", "db", "upgrade"], env, str(tmp_path), timeout=60)
    assert verbose.returncode == 0 and "alembic.runtime.migration" in verbose.stderr
