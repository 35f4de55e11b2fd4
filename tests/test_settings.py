"""Start-up behaviour of the settings, checked in a fresh interpreter each time."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="genocidewatch.settings")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_with_nothing_set_it_runs_in_development_mode_on_sqlite():
    result = start()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True django.db.backends.sqlite3"


def test_with_debug_off_it_refuses_to_start_without_secret_key_and_hosts():
    result = start(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY, ALLOWED_HOSTS" in result.stderr


def test_with_debug_off_it_refuses_to_start_without_allowed_hosts():
    result = start(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_with_debug_off_and_its_secrets_set_it_starts():
    result = start(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="reports.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False")


def test_database_url_switches_to_postgresql():
    result = start(DATABASE_URL="postgres://postgres@127.0.0.1:5432/genocidewatch")
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


def test_postgresql_connections_run_without_jit_compilation():
    result = start(DATABASE_URL="postgres://postgres@127.0.0.1:5432/genocidewatch")
    assert result.returncode == 0, result.stderr
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            "print(settings.DATABASES['default']['OPTIONS'])",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "genocidewatch.settings",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/genocidewatch",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert "-c jit=off" in shown.stdout


def test_a_redis_cache_url_gives_a_cache_that_keeps_one_client_for_every_call():
    """Django's backend builds a client for every call; ours keeps one, on the same pool,
    and still reads and writes (against the Redis server the page-cache tests use)."""
    import socket

    import pytest

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("Redis is not answering on 127.0.0.1:6379 (REQUIRE_REDIS is set)")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.cache import cache;"
            "cache.set('settings-test', [1, 2]); assert cache.get('settings-test') == [1, 2];"
            "cache.delete('settings-test');"
            "assert cache._cache.get_client() is cache._cache.get_client(write=True);"
            "from django.core.cache import caches; print(type(caches['default']).__name__)",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "genocidewatch.settings",
            "CACHE_URL": "redis://127.0.0.1:6379/9",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "SharedClientRedisCache"


def setting(expression, **env):
    """`expression` over the settings, in a fresh interpreter with `env` added."""
    return subprocess.run(  # noqa: S603 - our own interpreter and settings
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print({expression})",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "genocidewatch.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_kept_database_connections_are_checked_before_use_and_connecting_has_a_limit():
    database = "settings.DATABASES['default']"
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/genocidewatch"}
    kept = setting(f"{database}['CONN_HEALTH_CHECKS']", CONN_MAX_AGE="600", **env)
    assert kept == "True"
    assert setting(f"{database}['OPTIONS']['connect_timeout']", **env) == "5"


def test_a_redis_cache_that_goes_quiet_is_given_up_on():
    options = setting("settings.CACHES['default']['OPTIONS']", CACHE_URL="redis://127.0.0.1:6379/1")
    assert options == "{'socket_connect_timeout': 2, 'socket_timeout': 5}"
