"""Redis as the shared store of rate limits and caches, and the in-process defaults without it
(issue 14, item 4). The cross-process proofs with real servers are in test_two_servers.py."""
import pytest
import sqlalchemy as sa

from matchmaker import create_app
from matchmaker.infra import cache, queue
from matchmaker.infra.config import TestConfig
from matchmaker.infra.extensions import db
from matchmaker.models import Offer
from matchmaker.services import offers
from matchmaker.services.matching import partners
from matchmaker.services.support.errors import Invalid, ServiceUnavailable
from tests.hardening.conftest import dedicated_app
from tests.scale import processes
from tests.services.world import actor, build_world


@pytest.fixture
def names():
    processes.redis_or_skip()
    prefix, limits = processes.unique("cache") + ":", processes.unique("limits")
    yield prefix, limits
    processes.forget_keys([prefix, limits])


@pytest.fixture
def live_limiter():
    """The limiter is one object per process and remembers a storage it found dead (its fallback
    switch, a private flag): start and end each limiter test with the storage taken as alive."""
    from matchmaker.infra.extensions import limiter

    limiter._storage_dead = False
    yield limiter
    limiter._storage_dead = False


def _config(**overrides):
    return type("Config", (TestConfig,), overrides)


# --- without Redis: everything in this process ---------------------------------------------------

def test_without_redis_limits_cache_and_tasks_stay_in_the_process(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(cache.shared_cache(), cache.MemoryCache) and not cache.shared_cache().shared
    assert not queue.enabled()


def test_starting_the_app_does_not_import_celery():
    """Celery costs about 0.3 s to import: only a process that runs or sends a task pays it."""
    import subprocess
    import sys

    from matchmaker import ROOT

    code = "import sys; from matchmaker import create_app; create_app(); print('celery' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], env=processes.process_env("sqlite://"), cwd=str(ROOT),
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr[-2000:]


def test_the_memory_cache_keeps_values_for_their_time_and_counts():
    store = cache.MemoryCache("p:")
    store.set("a", "x", ttl=60)
    store.set("gone", b"y", ttl=-1)
    assert store.get("a") == b"x" and store.get("gone") is None and store.get("never") is None
    assert store.counter("g") == 0 and [store.incr("g"), store.incr("g")] == [1, 2] and store.counter("g") == 2
    store.delete("a")
    assert store.get("a") is None
    assert store.add("claim", "1", ttl=60) is True and store.add("claim", "2", ttl=60) is False
    assert store.get("claim") == b"1"


def test_a_task_run_in_process_gives_back_its_value_or_its_domain_error(app):
    assert queue.value_of({"value": {"run_id": 3}}) == {"run_id": 3}
    with pytest.raises(Invalid) as caught:
        queue.value_of(queue.error_outcome(Invalid("bad as_of", {"as_of": ["too late"]})))
    assert caught.value.errors == {"as_of": ["too late"]}
    with pytest.raises(ServiceUnavailable):  # a name that is no domain error is not trusted
        queue.value_of({"error": "SystemExit", "message": "x"})
    job = queue.submit(queue.WEEKLY_REPORT)
    assert not job.queued and queue.value_of(job.value)["written"] is True


def test_the_rate_limit_store_follows_redis_url():
    assert create_app(_config(REDIS_URL="redis://example.invalid:6379/2")).config["RATELIMIT_STORAGE_URI"] == \
        "redis://example.invalid:6379/2"
    explicit = create_app(_config(REDIS_URL="redis://a:6379", RATELIMIT_STORAGE_URI="memcached://b:11211"))
    assert explicit.config["RATELIMIT_STORAGE_URI"] == "memcached://b:11211"
    with_redis = create_app(_config(REDIS_URL="redis://a:6379"))
    assert with_redis.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert queue.celery_app(with_redis).conf.broker_url == "redis://a:6379"


def test_with_redis_unreachable_the_sign_in_limit_falls_back_to_memory_not_to_none(_app, live_limiter):
    with dedicated_app(REDIS_URL="redis://127.0.0.1:1/0", RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute") as app:
        client = app.test_client()
        codes = [client.post("/api/v1/auth/tokens", json={"email": f"x{i}@example.cn", "password": "wrong"}).status_code
                 for i in range(4)]
        assert codes == [401, 401, 429, 429]


# --- with Redis ------------------------------------------------------------------------------------

def test_two_redis_caches_with_one_prefix_see_the_same_values_and_generations(names):
    prefix, _ = names
    one = cache.RedisCache(cache.redis_client(processes.REDIS_URL), prefix)
    two = cache.RedisCache(cache.redis_client(processes.REDIS_URL), prefix)
    stranger = cache.RedisCache(cache.redis_client(processes.REDIS_URL), prefix + "other:")
    one.set("k", "v", ttl=30)
    assert two.get("k") == b"v" and stranger.get("k") is None
    before = two.counter("generation:postings")
    one.incr("generation:postings")
    assert two.counter("generation:postings") == before + 1
    assert stranger.counter("generation:postings") == 0
    assert one.add("claim", "1", ttl=30) is True and two.add("claim", "2", ttl=30) is False


def test_an_unreachable_redis_is_a_miss_not_an_error():
    down = cache.RedisCache(cache.redis_client("redis://127.0.0.1:1/0"), "x:")
    down.set("k", "v", ttl=5)
    assert down.get("k") is None and down.incr("g") is None and down.counter("g") is None


def test_a_committed_posting_change_advances_the_shared_generation_a_rolled_back_one_does_not(names):
    prefix, limits = names
    with dedicated_app(REDIS_URL=processes.REDIS_URL, CACHE_KEY_PREFIX=prefix, RATELIMIT_KEY_PREFIX=limits):
        world = build_world()
        other_server = cache.RedisCache(cache.redis_client(processes.REDIS_URL), prefix)  # another process's view
        seen = other_server.counter("generation:" + partners.GENERATION)
        offer = db.session.get(Offer, world.offers["own"])
        offer.unit_price = 123.0
        db.session.flush()
        db.session.rollback()
        assert other_server.counter("generation:" + partners.GENERATION) == seen
        offers.update_offer(actor(world, "firm_own"), world.offers["own"], {"unit_price": 99.0})
        assert other_server.counter("generation:" + partners.GENERATION) > seen
        seen = other_server.counter("generation:" + partners.GENERATION)
        db.session.execute(sa.update(Offer).where(Offer.id == world.offers["own"]).values(unit_price=98.0))
        db.session.commit()  # a bulk statement (as data-package imports write) counts too
        assert other_server.counter("generation:" + partners.GENERATION) > seen


def test_failed_sign_ins_are_counted_in_redis(names, live_limiter):
    import redis
    from limits.storage import RedisStorage

    from matchmaker.infra.extensions import limiter

    prefix, limits = names
    with dedicated_app(REDIS_URL=processes.REDIS_URL, CACHE_KEY_PREFIX=prefix, RATELIMIT_KEY_PREFIX=limits,
                       RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute") as app:
        assert isinstance(limiter.storage, RedisStorage)
        client = app.test_client()
        codes = [client.post("/api/v1/auth/tokens", json={"email": f"x{i}@example.cn", "password": "wrong"}).status_code
                 for i in range(3)]
        assert codes == [401, 401, 429]
        # (the limiter is one object per process: its key prefix is the first app's, so look for the scope)
        keys = list(redis.Redis.from_url(processes.REDIS_URL).scan_iter(match="*sign-in-address*"))
        assert keys, "no sign-in counter in Redis"


def test_a_request_waiting_for_a_queue_nobody_serves_gets_503(names):
    prefix, limits = names
    from matchmaker.services.auth import issue_token

    with dedicated_app(REDIS_URL=processes.REDIS_URL, CACHE_KEY_PREFIX=prefix, RATELIMIT_KEY_PREFIX=limits,
                       TASK_QUEUE=processes.unique("nobody"), TASK_WAIT_SECONDS=1) as app:
        world = build_world()
        token = issue_token(actor(world, "province_staff"))
        resp = app.test_client().post("/api/v1/match-runs", headers={"Authorization": f"Bearer {token}",
                                                                      "Accept-Language": "en"})
        assert resp.status_code == 503 and "worker" in resp.get_json()["message"]  # (in the asked language)
