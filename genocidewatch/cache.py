"""The Redis cache backend, with one redis-py client per cache connection (Django keeps one per
thread) instead of one per call.

Django's backend builds a new `redis.Redis` object (and its command table) for every cache
operation, on top of the same connection pool. That cost more than the network round trip
for the small reads every page makes (the content version, the identity and menus, a stored
page).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _SharedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClient
