"""What production runs with: the gunicorn settings, the nginx configuration, the log format."""

import json
import logging
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from genocidewatch.logs import JsonFormatter

from . import factories

ROOT = Path(__file__).resolve().parent.parent


def test_gunicorn_uses_threaded_workers_with_request_limits(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKER_CLASS", raising=False)
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread"
    assert config["workers"] == os.cpu_count() + 1
    assert config["threads"] >= 4
    assert config["limit_request_line"] <= 8190
    assert config["limit_request_fields"] <= 100
    assert config["accesslog"] == "-"


def render_nginx_conf(tmp_path, **values):
    env = {**os.environ, "RUN_DIR": str(tmp_path), **values}
    return subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "deploy" / "render-nginx-conf")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_nginx_configuration_is_filled_in_and_keeps_nginx_variables(tmp_path):
    conf = render_nginx_conf(tmp_path, LISTEN="127.0.0.1:8899", MEDIA_ROOT="/srv/media")
    assert not re.search(r"\$\{[A-Z_]+\}", conf)
    assert "listen 127.0.0.1:8899;" in conf
    assert "alias /srv/media/;" in conf
    assert "proxy_set_header X-Real-IP $remote_addr;" in conf
    assert "client_max_body_size 160m;" in conf
    # Staff never get, nor leave behind, a shared copy.
    assert "proxy_cache_bypass $cookie_sessionid $cookie_messages;" in conf
    assert "proxy_no_cache $cookie_sessionid $cookie_messages;" in conf
    # Stored files are sent by nginx itself (X-Accel-Redirect), never kept as pages: their
    # readers must not queue behind the page cache's lock.
    assert "proxy_cache_bypass $stored_file;" in conf
    assert "proxy_no_cache $stored_file;" in conf
    stored_files = re.search(r"map \$uri \$stored_file \{(.*?)\}\n", conf, re.S).group(1)
    for address in ("/data/assessments.csv", "/reports/mali-2023/files/7/mali-2023.pdf"):
        assert any(
            re.match(pattern, address) for pattern in re.findall(r'"~(.*)" 1;', stored_files)
        ), address
    assert not any(
        re.match(pattern, "/data/") for pattern in re.findall(r'"~(.*)" 1;', stored_files)
    )


@pytest.mark.nginx
def test_nginx_accepts_the_configuration(tmp_path, nginx_binary):
    path = tmp_path / "nginx.conf"
    path.write_text(render_nginx_conf(tmp_path))
    result = subprocess.run(  # noqa: S603 - the system's nginx, checking our file
        [nginx_binary, "-t", "-c", str(path), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_nginx_keeps_no_copy_past_the_applications_second(tmp_path):
    """A retracted report must leave nginx within the bound the README gives: no expired
    copy is sent while a fresher one is fetched, only while the application is down."""
    conf = "\n".join(
        line
        for line in render_nginx_conf(tmp_path).splitlines()
        if not line.strip().startswith("#")
    )
    assert "proxy_cache_revalidate on;" in conf
    assert "proxy_cache_lock on;" in conf
    assert "proxy_cache_use_stale error timeout http_500 http_502 http_503 http_504;" in conf
    assert "updating" not in conf
    assert "proxy_cache_background_update" not in conf
    assert "proxy_cache_valid" not in conf  # the application's headers alone decide
    assert "proxy_ignore_headers" not in conf


def test_the_request_size_limit_matches_the_proxys(settings):
    conf = (ROOT / "deploy" / "nginx.conf.template").read_text()
    assert settings.REQUEST_MAX_BYTES == 160 * 1000 * 1000
    assert "client_max_body_size 160m;" in conf


def json_log_lines(caplog):
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


@pytest.mark.django_db
def test_a_failing_request_is_logged_as_one_json_line_without_the_form(client, caplog, monkeypatch):
    from alerts import views

    def broken(*args, **kwargs):
        raise RuntimeError("the mail server went away")

    monkeypatch.setattr(views.subscriptions, "request_subscription", broken)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(
            "/subscribe/",
            {"email": "reader@example.org", "what": "all", "password": "hunter2-secret"},
        )
    assert response.status_code == 500
    (entry,) = [e for e in json_log_lines(caplog) if e["logger"] == "django.request"]
    assert entry["level"] == "ERROR"
    assert entry["method"] == "POST" and entry["path"] == "/subscribe/"
    assert entry["status"] == 500
    assert "the mail server went away" in entry["error"]
    assert "hunter2-secret" not in json.dumps(entry)
    assert "reader@example.org" not in json.dumps(entry)


@pytest.mark.django_db
def test_failed_sign_ins_log_no_password(client, caplog, editor):
    with caplog.at_level(logging.DEBUG):
        client.post("/admin/login/", {"username": "editor", "password": "wrong-secret-42"})
    assert caplog.records
    assert "wrong-secret-42" not in "\n".join(json.dumps(e) for e in json_log_lines(caplog))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "behind_proxy, recorded",
    [(True, "198.51.100.23"), (False, "203.0.113.5")],
    ids=["behind the proxy: its header", "without it: the header is ignored"],
)
def test_the_client_address_comes_from_the_proxy_only_behind_one(
    client, settings, behind_proxy, recorded
):
    from audit.models import AuditEvent

    settings.BEHIND_PROXY = behind_proxy
    client.post(
        "/admin/login/",
        {"username": "nobody", "password": "x"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_REAL_IP="198.51.100.23",
    )
    assert AuditEvent.objects.get(action="login_failed").ip_address == recorded


@pytest.mark.django_db
def test_a_head_request_gets_the_headers_of_the_stored_page(client):
    report = factories.published_report()
    length = len(client.get(report.get_absolute_url()).content)
    response = client.head(report.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert response["Content-Length"] == str(length)
    assert response.content == b""
