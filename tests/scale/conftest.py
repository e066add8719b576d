"""Fixtures for the scale-out tests (issue 14): an app whose tasks go to a real Celery worker over
Redis, with its own queue and key prefixes in the test Redis database (MATCHMAKER_TEST_REDIS_URL,
default redis://127.0.0.1:6379/13), so runs never see each other's tasks or keys.

Without Redis these tests are skipped with the reason, except in CI (CI=true), where they fail."""
import os
import types

import pytest

from tests.conftest import ON_POSTGRES
from tests.hardening.conftest import dedicated_app
from tests.scale import processes


@pytest.fixture(scope="module")
def queue_setup(tmp_path_factory, _app):
    """Names, database and a running worker shared by the tests of a module (the worker starts once)."""
    processes.redis_or_skip()
    folder = tmp_path_factory.mktemp("queued")
    database = (os.environ["MATCHMAKER_TEST_DATABASE_URL"] if ON_POSTGRES
                else f"sqlite:///{folder / 'queued.sqlite'}")
    names = types.SimpleNamespace(
        database=database, redis=processes.REDIS_URL, queue=processes.unique("queue"),
        cache_prefix=processes.unique("cache") + ":", limit_prefix=processes.unique("limits"), folder=folder)
    names.config = dict(SQLALCHEMY_DATABASE_URI=database, REDIS_URL=names.redis, TASK_QUEUE=names.queue,
                        CACHE_KEY_PREFIX=names.cache_prefix, RATELIMIT_KEY_PREFIX=names.limit_prefix,
                        TASK_RESULT_EXPIRES=3600)
    names.env = processes.process_env(database, MATCHMAKER_REDIS_URL=names.redis, MATCHMAKER_TASK_QUEUE=names.queue,
                                      MATCHMAKER_CACHE_KEY_PREFIX=names.cache_prefix,
                                      MATCHMAKER_RATELIMIT_KEY_PREFIX=names.limit_prefix,
                                      MATCHMAKER_TASK_RESULT_EXPIRES=3600)
    try:
        yield names
    finally:
        # (task results expire on their own after TASK_RESULT_EXPIRES)
        processes.forget_keys([names.cache_prefix, names.limit_prefix, names.queue, "_kombu.binding." + names.queue,
                             "_kombu.binding_permanent." + names.queue])


@pytest.fixture(scope="module")
def worker(queue_setup):
    """A real Celery worker process on the module's queue and database."""
    with processes.celery_worker(queue_setup.env, queue_setup.folder / "worker.log") as proc:
        yield proc


@pytest.fixture
def queued_app(queue_setup, worker):
    """An app configured like a web server of a scaled-out install: tasks queued to the worker."""
    with dedicated_app(**queue_setup.config) as app:
        yield app
