"""The site's own servers, started for a test as production runs them (gunicorn, nginx).

Shared by the tests that need a real process: the retraction tests behind nginx, and the
tests of a site whose database or cache is away.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 30


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(**settings):
    """The environment `make serve` gives the site (DEBUG off, no HTTPS redirect on this
    loopback address), with `settings` added; nothing of the test run's own Django."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(DEBUG="0", SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0", **settings)
    return env


def gunicorn_command():
    """The site under gunicorn with the shipped settings (run from ROOT)."""
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    return [gunicorn, "-c", "deploy/gunicorn.conf.py", "genocidewatch.wsgi"]


def wait_until_answering(port, process, log):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server stopped at start-up:\n{log.read_text()}")
        with suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        time.sleep(0.05)
    pytest.fail(f"Nothing answered on port {port} within {STARTUP_SECONDS} s:\n{log.read_text()}")


@contextmanager
def serving(command, port, log, **options):
    """Run a server process (its output to `log`) until the block ends; its address."""
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our gunicorn, or the system's nginx
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **options
        )
    try:
        wait_until_answering(port, process, log)
        yield f"127.0.0.1:{port}"
    finally:
        stop(process)


def stop(process):
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
