"""`make load`: 64 readers for 60 s through the proxy while an editor saves and publishes.

Readers (wrk, 64 connections) cycle over the report page, the filtered list, a search and a
PDF edition. Meanwhile an editor, through the admin's own forms, saves a new title on the
measured report every 3 s, and every third time also unpublishes and republishes a second
report. A checker reads the measured report all along, straight from the application and
through the proxy, and counts pages older than the last completed save: straight from the
application none may be; through the proxy none may be once two seconds have passed (the
s-maxage of 1 s, counted by nginx in whole seconds), except copies nginx marks as being
refreshed (X-Proxy-Cache: UPDATING), which are counted apart. At the end the database must
hold every save.

Uses bench/run.py's servers and seeded database (seeding it first if needed). Prints the
totals and writes them to bench/results/<date>-load-<database>-<size>.json.
"""

import contextlib
import html
import http.client
import json
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench

SECONDS = 60
CONNECTIONS = 64
EDIT_EVERY = 3.0
# The application's s-maxage is 1 s; nginx keeps time in whole seconds, so a copy it took at
# 10.0 s is still fresh at 11.99 s: through the proxy a page is at most 2 s old.
PROXY_MAX_AGE = 2.0


class AdminForm(HTMLParser):
    """The fields of the admin's change form, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.fields = []
        self._inside = False
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "report_form":
            self._inside = True
        if not self._inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea[0], html.unescape(self._textarea[1]).lstrip("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False


class Editor:
    def __init__(self, port, session_cookie):
        self.port = port
        self.cookies = dict([session_cookie.split("=", 1)])
        self.last_headers = {}

    def request(self, method, path, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        self.last_headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, response.getheader("Location"), content

    def form(self, path):
        status, _, page = self.request("GET", path)
        assert status == 200, (path, status)
        parser = AdminForm()
        parser.feed(page)
        return parser.fields

    def save(self, report_id, title, *, button=("_continue", "1")):
        path = f"/admin/reports/report/{report_id}/change/"
        fields = [(k, v) for k, v in self.form(path) if k != "title"]
        fields += [("title", title), button]
        status, location, page = self.request("POST", path, urllib.parse.urlencode(fields))
        if status != 302:
            errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
            raise RuntimeError(f"save refused ({status}): {errors[:3]}")
        return location

    def step(self, report_id, step):
        """Confirm a workflow step on its own page, as the editor's second click does."""
        path = f"/admin/reports/report/{report_id}/workflow/{step}/"
        status, _, page = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{step} page answered {status}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, _ = self.request(
            "POST",
            path,
            # The reason is read only when the step changes a country's level or stages.
            urllib.parse.urlencode({"csrfmiddlewaretoken": token, "reason": "Load run."}),
        )
        if status != 302:
            raise RuntimeError(f"{step} refused ({status})")


def edit_number(page):
    found = re.search(r"load run edit (\d+)", page)
    return int(found.group(1)) if found else 0


def main():
    bench.ensure_tools()
    bench.ensure_ports_free()
    bench.WORK.mkdir(parents=True, exist_ok=True)
    env = bench.base_env()
    subprocess.run(
        ["redis-cli", "-u", bench.redis_url(), "flushdb"], check=True, capture_output=True
    )
    bench.manage(env, "migrate", "--no-input", "--verbosity", "0")
    bench.manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    seeded = bench.seed(env)
    app = bench.start_app(env, bench.CACHED, FILES_VIA_PROXY_PREFIX="/_files/", BEHIND_PROXY="1")
    nginx = None
    try:
        bench.wait_for(f"http://127.0.0.1:{bench.CACHED}/healthz")
        nginx = bench.start_nginx("nginx-proxy", bench.proxy_config(env))
        bench.wait_for(f"http://127.0.0.1:{bench.PROXY}/healthz")
        outcome = load_run(seeded, env)
    finally:
        if nginx:
            bench.stop_nginx(nginx)
        bench.os.killpg(app.pid, bench.signal.SIGTERM)
        app.wait(timeout=30)
    text = json.dumps(outcome, indent=2)
    print(text)
    database = "postgresql" if env["DATABASE_URL"].startswith("postgres") else "sqlite"
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
    size = bench.size_label(seeded["seeded"])
    (bench.RESULTS / f"{stamp}-load-{database}-{size}.json").write_text(text + "\n")
    return 0 if outcome["passed"] else 1


def load_run(seeded, env):
    report_url = seeded["report_url"]
    editor = Editor(bench.CACHED, f"{seeded['session_cookie']}={seeded['session']}")
    report_id, other_id = seeded["report_id"], seeded["other_report_id"]
    urls = [
        report_url,
        f"/reports/?country={seeded['country_slug']}&stage=5",
        "/reports/?q=militias",
        seeded["small_file"],
    ]
    script = bench.WORK / "load.lua"
    script.write_text(
        "local paths = {" + ", ".join(f'"{u}"' for u in urls) + "}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  return wrk.format(nil, paths[(n % #paths) + 1])\n"
        "end\n"
    )
    readers = subprocess.Popen(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{bench.PROXY}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    saves = []  # (completed at, edit number)
    failures = []
    stale = {"direct": 0, "proxy": 0}
    checked = {"direct": 0, "proxy": 0}
    marked_stale = {"direct": 0, "proxy": 0}
    stop = threading.Event()

    def check(port, label, allowance):
        while not stop.is_set():
            started = time.time()
            done = [n for at, n in saves if at <= started - allowance]
            expected = max(done, default=0)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", report_url)
            response = connection.getresponse()
            page = response.read().decode()
            connection.close()
            checked[label] += 1
            # nginx marks the copy it hands out while fetching a newer one (UPDATING): that
            # response says it is not fresh, and is counted apart.
            if response.getheader("X-Proxy-Cache") in ("UPDATING", "STALE"):
                marked_stale[label] += 1
            elif response.status != 200 or edit_number(page) < expected:
                stale[label] += 1
            time.sleep(0.02)

    checkers = [
        threading.Thread(target=check, args=(bench.CACHED, "direct", 0.0)),
        threading.Thread(target=check, args=(bench.PROXY, "proxy", PROXY_MAX_AGE)),
    ]
    for thread in checkers:
        thread.start()
    # The second report starts published, whatever an earlier run left it as.
    with contextlib.suppress(RuntimeError):  # already published: no such step offered
        editor.step(other_id, "publish")
    base_title = "Mali Country Report"
    started = time.time()
    number = 0
    publishes = 0
    while time.time() - started < SECONDS - EDIT_EVERY:
        number += 1
        try:
            editor.save(report_id, f"{base_title} load run edit {number}")
            saves.append((time.time(), number))
            if number % 3 == 0:
                # "Save and publish now" saves, then asks for the confirming click.
                editor.step(other_id, "unpublish")
                editor.save(
                    other_id,
                    f"Second report, load run edit {number}",
                    button=("_workflow", "publish"),
                )
                editor.step(other_id, "publish")
                publishes += 1
        except Exception as error:  # a refused or failed save is the finding, not a crash
            failures.append(f"edit {number}: {error}")
        time.sleep(EDIT_EVERY)
    out = readers.communicate()[0]
    stop.set()
    for thread in checkers:
        thread.join()

    final = bench.fetch(f"http://127.0.0.1:{bench.CACHED}{report_url}")[0].decode()
    in_history = json.loads(
        subprocess.run(
            [bench.PY, "bench/seed.py", "--edits", str(report_id)],
            cwd=bench.ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    acknowledged = [n for _, n in saves]
    lost = sorted(set(acknowledged) - set(in_history))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    outcome = {
        "reader_requests": requests,
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "reader_non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "none",
        "saves": len(saves),
        "publishes": publishes,
        "failed_saves": failures,
        "last_save_on_the_page": edit_number(final),
        "saves_in_history": len(set(acknowledged) & set(in_history)),
        "lost_saves": lost,
        "freshness_checks": checked,
        "stale_pages": stale,
        "marked_not_fresh_by_the_proxy": marked_stale,
    }
    outcome["passed"] = (
        outcome["reader_non_2xx"] == 0
        and not failures
        and not lost
        and edit_number(final) == number
        and stale == {"direct": 0, "proxy": 0}
    )
    return outcome


if __name__ == "__main__":
    sys.exit(main())
