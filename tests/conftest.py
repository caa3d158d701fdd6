"""Shared fixtures: a fresh database on SQLite and on PostgreSQL, and the spec-checked fake Slack."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from playground.slack import spec
from storage.db import make_engine
from tests.databases import schema_url, sqlite_commits_unsynced, sqlite_copy, sqlite_template

PG_BASE = os.environ.get("UNMENTOR_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SIGNING_SECRET = "8f742231b10e8888abcd99a1b2c385a5"
BOT_TOKEN = "xoxb-1111111111-2222222222-uNmEnToRtEsTtOkEn0123456"

_pg_checked: dict[str, object] = {}


def _quicker_freezegun() -> None:
    """At every freeze_time, freezegun rescans each loaded module whose names changed since it last
    looked, and to tell, it hashes dir() of every module: 1,800 modules in a run, 30 to 70 ms a
    freeze, and the suite freezes the clock over a thousand times. The number of a module's names
    tells the same (a name bound or dropped) for a thousandth of that.

    Even so, looking at each of 1,100 to 1,600 modules in turn took freezegun 1.6 ms or more a
    freeze (0.5 ms now), while only a hundred or so hold a clock to patch. So as a freeze starts,
    freezegun is shown just the modules it could act on: those whose names changed since it last
    looked (it looks again, as before) and those it knows hold a clock; it skips every other one
    anyway, finding nothing to patch. Undoing a freeze sees every module, as before. Only the test
    that a rescan is needed, and which modules are looked at, changes; what freezegun patches, and
    how, is its own."""
    import sys
    import types

    from freezegun import api

    hashed = getattr(api, "_get_module_attributes_hash", None)
    cache = getattr(api, "_GLOBAL_MODULES_CACHE", None)
    start = getattr(api._freeze_time, "start", None)
    if hashed is None or not isinstance(cache, dict) or getattr(api, "sys", None) is not sys or start is None:
        return  # a freezegun that works another way: leave it be

    def quick(module):
        names = getattr(module, "__dict__", None)
        return (id(module), len(names)) if isinstance(names, dict) else hashed(module)

    api._get_module_attributes_hash = quick

    # Modules freezegun found no clock in, by id: (the module, its number of names then).
    clockless: dict[int, tuple[object, int]] = {}

    def worth_a_look() -> dict:
        """sys.modules without the modules freezegun found no clock in, unchanged since."""
        kept = {}
        for name, module in list(sys.modules.items()):
            known = clockless.get(id(module))
            try:
                if known is not None and known[0] is module and known[1] == len(module.__dict__):
                    continue
            except Exception:  # no __dict__, say: freezegun decides what to do with it
                pass
            kept[name] = module
        return kept

    def learn(looked_at: dict) -> None:
        for module in looked_at.values():
            try:
                known = cache.get(module.__name__)
                if known is not None and not known[1] and known[0] == quick(module):
                    clockless[id(module)] = (module, len(module.__dict__))
            except Exception:
                pass

    class _Sys(types.ModuleType):
        """The sys module as freezegun's start sees it: the same, but for the modules listed."""

        def __init__(self, modules: dict):
            super().__init__("sys")
            self.modules = modules

        def __getattr__(self, name):
            return getattr(sys, name)

    def quicker_start(self):
        if api.freeze_factories:  # already frozen: freezegun touches no module
            return start(self)
        looked_at = worth_a_look()
        api.sys = _Sys(looked_at)
        try:
            factory = start(self)
        finally:
            api.sys = sys
        learn(looked_at)
        # What undoing the freeze compares with to find modules loaded meanwhile: all of them, as before.
        self.modules_at_start = set(sys.modules.keys())
        return factory

    api._freeze_time.start = quicker_start


_quicker_freezegun()


def pytest_collectstart(collector):
    """Under CI the generated payloads are the same on every run, so a red build means a change
    broke something, never that this run drew an unlucky example. Run anywhere else, hypothesis
    draws afresh and keeps what it finds in .hypothesis/, to try first next time.

    Set as collection starts, before any test module's @settings reads it, rather than as this
    file loads: importing hypothesis takes a second of CPU, which the pytest-xdist controller
    (it collects nothing) spent before starting its workers, and a run stopped at start spent too."""
    if not isinstance(collector, pytest.Session):
        return
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


def _one_sql_cache_per_backend() -> None:
    """A running bot has one engine, so it turns each statement into SQL once. The suite makes an
    engine per test (each test's own database), and SQLAlchemy keys its cache of compiled SQL by
    the engine's dialect object, so every test compiled every statement again: a fifth of the CPU
    of a database test. Here the engines of one backend share one cache, and two dialects of one
    kind (same driver, paramstyle and server version) count as the same key. The SQL sent is the
    same (tables are unqualified: a PostgreSQL test's schema comes from its search_path)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine, default
    from sqlalchemy.util import LRUCache

    def same_kind(self, other):
        return self is other or (type(self) is type(other) and self.paramstyle == other.paramstyle
                                 and self.server_version_info == other.server_version_info)

    default.DefaultDialect.__eq__ = same_kind
    default.DefaultDialect.__hash__ = lambda self: hash(type(self))
    caches: dict[type, LRUCache] = {}

    @event.listens_for(Engine, "engine_connect")
    def _shared(connection):
        engine = connection.engine
        if engine._compiled_cache is not None:
            engine._compiled_cache = caches.setdefault(type(engine.dialect), LRUCache(5000))


_one_sql_cache_per_backend()
sqlite_commits_unsynced()


# Every spec file a test reads, besides the stand-in's own (spec.STAND_IN_FILES).
TEST_SPEC_FILES = (
    "manifest/manifest.schema.json", "manifest/manifest.schema.1.0.0.json", "manifest/manifest.schema.2.0.0.json",
    "manifest/examples/v1/manifest.valid.json", "manifest/examples/v1/manifest.invalid.json",
    "payloads/bolt-python/slash_command.form-urlencoded.txt", "payloads/bolt-python/block_actions.json",
    "payloads/bolt-python/view_submission.json",
    *(f"block-kit/examples/view_home_{n:03d}.json" for n in range(1, 7)),
    *(f"block-kit/examples/view_modal_{n:03d}.json" for n in range(1, 11)),
)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist starts its workers
def pytest_sessionstart(session):
    """A missing spec file stops the run at once, naming it, instead of failing every test slowly."""
    try:
        spec.require(*spec.STAND_IN_FILES, *TEST_SPEC_FILES)
    except spec.SpecMissing as error:
        pytest.exit(str(error), returncode=4)


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook has tried
def pytest_collection_modifyitems(config, items):
    """Keeps each xdist_group on one worker. pytest-xdist 3.8 names a test's group by writing
    `item._nodeid`, which pytest 9.2's structured node ids no longer read (pytest-xdist#1386):
    the groups were spread over both workers, each then starting the module's playground and
    Chromium. Does nothing where xdist's own suffix took (older pytest, or a fixed xdist)."""
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId  # pytest 9.2 on; before it, xdist's own suffix works
    except ImportError:
        return

    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix) and isinstance(getattr(item, "_id", None), NodeId):
            item._id = NodeId.parse(item.nodeid + suffix)


def _postgres_available() -> str | None:
    """None when PostgreSQL answers, else why not."""
    if "reason" not in _pg_checked:
        try:
            engine = create_engine(PG_BASE)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            _pg_checked["reason"] = None
        except Exception as error:
            _pg_checked["reason"] = f"PostgreSQL at {PG_BASE} is not reachable: {error.__class__.__name__}"
    return _pg_checked["reason"]


def _need_postgres() -> None:
    reason = _postgres_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run every test on PostgreSQL too)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def _postgres_schemas():
    from tests.databases import PostgresSchemas

    schemas = PostgresSchemas(PG_BASE)
    yield schemas
    schemas.dispose()


def _postgres_schema(request, migrated: bool = True):
    _need_postgres()
    schemas = request.getfixturevalue("_postgres_schemas")
    # Each test gets its own schema: parallel and repeated runs never see each other's rows.
    schema = schemas.migrated() if migrated else schemas.create()
    yield schema_url(PG_BASE, schema)
    schemas.drop_later(schema)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    return sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def sqlite_url(tmp_path, _sqlite_template) -> str:
    """A SQLite database at the newest schema (a copy of one migrated once per run)."""
    return sqlite_copy(_sqlite_template, tmp_path)


@pytest.fixture
def postgresql_url(request):
    """A PostgreSQL schema of its own at the newest schema."""
    yield from _postgres_schema(request)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """A fresh database at the newest schema: every storage and end-to-end test runs on both."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def empty_sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def empty_postgresql_url(request):
    yield from _postgres_schema(request, migrated=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request) -> str:
    """A database with nothing in it yet, for tests of the migrations themselves."""
    return request.getfixturevalue(f"empty_{request.param}_url")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(request, tmp_path_factory):
    """One database for a whole module (tests keep apart by using their own workspace)."""
    if request.param == "sqlite":
        yield sqlite_copy(request.getfixturevalue("_sqlite_template"), tmp_path_factory.mktemp("db"))
    else:
        yield from _postgres_schema(request)


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url):
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def _check_spec(fake) -> None:
    assert fake.violations == [], "calls that break Slack's spec:\n" + "\n".join(fake.violations)


@pytest.fixture
def fake_slack():
    """The fake Slack Web API; a test fails if any call broke Slack's spec."""
    from playground.slack import FakeSlack

    fake = FakeSlack(require_action_ids=True)
    fake.start()
    yield fake
    fake.stop()
    _check_spec(fake)


@pytest.fixture(scope="module")
def module_fake_slack():
    from playground.slack import FakeSlack

    fake = FakeSlack(require_action_ids=True)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def slack(module_fake_slack):
    """The module's fake Slack, emptied for this test and checked against the spec after it."""
    module_fake_slack.reset()
    yield module_fake_slack
    _check_spec(module_fake_slack)
