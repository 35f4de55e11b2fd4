"""`make load`: 64 readers for 60 s through the proxy while an editor changes and publishes.

Readers (wrk, 64 connections) cycle over the report page, the filtered list, a search and a
PDF edition. Meanwhile an editor, through the admin's own forms, begins giving the measured
report a new title every 3 s (at once, when the last took longer), as the admin requires of a
published report: propose changes, save the title in the working copy, publish the changes
with a note for readers. Every third time the editor also unpublishes a second report, saves
it and publishes it again. A save counts as completed once its changes are published.

A checker reads the measured report all along, straight from the application and through the
proxy, and counts pages older than the last completed save: straight from the application
none may be; through the proxy none may be once two seconds have passed (the s-maxage of 1 s,
counted by nginx in whole seconds), except copies nginx marks as being refreshed
(X-Proxy-Cache: UPDATING), which are counted apart. At the end the report's history must hold
every save.

Uses bench/run.py's servers and seeded database (seeding it first if needed; BENCH_PORT_OFFSET
moves its ports). Prints the totals and writes them to
bench/results/<date>-load-<database>-<size>.json.
"""

import contextlib
import html
import http.client
import json
import re
import statistics
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
# What the editor writes for readers under the report when publishing changes, and why, when
# a step changes the country's assessment. Neither says "load run edit": a page is dated by
# the edit number in its title alone.
CHANGES_NOTE = "Retitled during a load test of the site."
REASON = "Load run."


class PageForms(HTMLParser):
    """Every form on a page: its attributes and the fields a browser would submit."""

    def __init__(self):
        super().__init__()
        self.forms = []  # [(attributes, [(name, value)])]
        self._fields = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = []
            self.forms.append((attrs, self._fields))
        if self._fields is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self._fields.append((self._textarea[0], html.unescape(self._textarea[1]).lstrip("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._fields = None


def form_fields(page, *, form_id=None, action=None):
    """The fields of the page's form with this id and this action ("": the form posts to
    the page itself, as a workflow step's does), whichever of the two is given."""
    parser = PageForms()
    parser.feed(page)
    for attrs, fields in parser.forms:
        if form_id is not None and attrs.get("id") != form_id:
            continue
        if action is not None and attrs.get("action", "") != action:
            continue
        return fields
    raise RuntimeError(f"no form (id {form_id!r}, action {action!r}) on the page")


def form_errors(page):
    """What a form answered with its errors says, tags removed."""
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    return [re.sub(r"<[^>]+>", " ", error).strip() for error in found]


def change_path(report_id):
    return f"/admin/reports/report/{report_id}/change/"


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

    def page(self, path):
        status, _, page = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        return page

    def submit(self, path, fields):
        """Post a form; where the admin sends the editor next, or what it refused."""
        status, location, page = self.request("POST", path, urllib.parse.urlencode(fields))
        if status != 302:
            raise RuntimeError(f"{path} refused ({status}): {form_errors(page)[:3]}")
        return urllib.parse.urlsplit(location).path

    def save(self, report_id, title, *, button=("_continue", "1")):
        """Save a new title through the report's change form, pressing `button`."""
        path = change_path(report_id)
        fields = form_fields(self.page(path), form_id="report_form")
        fields = [(k, v) for k, v in fields if k != "title"]
        return self.submit(path, [*fields, ("title", title), button])

    def step(self, report_id, step, **answers):
        """Confirm a workflow step on its own page, as the editor's second click does,
        giving what the page asks for (a note, a reason) from `answers`. Returns the time it
        was taken: when the admin answered the confirming click."""
        path = f"/admin/reports/report/{report_id}/workflow/{step}/"
        fields = form_fields(self.page(path), action="")
        location = self.submit(path, [(name, answers.get(name, value)) for name, value in fields])
        taken_at = time.time()
        # A step the form accepted but the workflow refused (a check that failed, the report
        # changed meanwhile) sends the editor back to the report with the reason as an error.
        refused = re.findall(r'<li class="error">(.*?)</li>', self.page(location), re.S)
        if refused:
            raise RuntimeError(f"{step} refused: {html.unescape(refused[0])}")
        return taken_at

    def propose_changes(self, report_id):
        """The id of the published report's working copy: the one already open, or one
        started with "Propose changes"."""
        page = self.page(change_path(report_id))
        opened = re.search(r'href="/admin/reports/report/(\d+)/change/">Open the pending', page)
        if opened:
            return int(opened.group(1))
        action = f"/admin/reports/report/{report_id}/changes/"
        location = self.submit(action, form_fields(page, action=action))
        return int(re.fullmatch(r"/admin/reports/report/(\d+)/change/", location).group(1))

    def publish_title(self, report_id, title):
        """Give a published report a new title as an editor must (its row is never edited
        in place): propose changes, save the title in the copy with "Save and publish the
        changes", and publish them with a note for readers. Returns when they were published."""
        copy_id = self.propose_changes(report_id)
        self.save(copy_id, title, button=("_workflow", "publish_changes"))
        return self.step(copy_id, "publish_changes", note=CHANGES_NOTE, reason=REASON)


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
        editor.step(other_id, "publish", reason=REASON)
    base_title = "Mali Country Report"
    # Numbered on from the last edit an earlier run published, so that each edit of this run
    # is new to the report's history.
    number = first = edit_number(
        bench.fetch(f"http://127.0.0.1:{bench.CACHED}{report_url}")[0].decode()
    )
    started = time.time()
    publishes = 0
    took = []  # seconds from the first click of a change to its publication
    while time.time() - started < SECONDS - EDIT_EVERY:
        number += 1
        began = time.time()
        try:
            published_at = editor.publish_title(report_id, f"{base_title} load run edit {number}")
            saves.append((published_at, number))
            took.append(published_at - began)
            if (number - first) % 3 == 0:
                # "Save and publish now" saves, then asks for the confirming click.
                editor.step(other_id, "unpublish")
                editor.save(
                    other_id,
                    f"Second report, load run edit {number}",
                    button=("_workflow", "publish"),
                )
                editor.step(other_id, "publish", reason=REASON)
                publishes += 1
        except Exception as error:  # a refused or failed save is the finding, not a crash
            failures.append(f"edit {number}: {error}")
        # One change begun every EDIT_EVERY seconds, or at once when the last took longer.
        time.sleep(max(0.0, began + EDIT_EVERY - time.time()))
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
        "seconds_to_publish_a_change": {
            "median": round(statistics.median(took), 2) if took else None,
            "max": round(max(took), 2) if took else None,
        },
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
