"""`make load FAULTS=1`: the load run while the servers under the site fail.

The site runs as in `make load` (gunicorn with deploy/gunicorn.conf.py, nginx from deploy/),
but on a PostgreSQL cluster and a redis-server of this run's own, under bench/work/faults/ on
ports 5433 and 6380: the run restarts and stops them, which it must never do to a machine's
shared servers. The cluster is kept between runs, so it is seeded once (bench/seed.py, with
BENCH_REPORTS reports: 2,000 unless said).

For 60 s, 64 readers (wrk) read through nginx while:
- at 10 s, PostgreSQL restarts (pg_ctl restart -m fast);
- at 25 s, Redis stops, and starts again (empty) 10 s later;
- at 45 s, one gunicorn worker is killed (SIGKILL); the master starts another.

What readers got is counted three ways: wrk's statuses through nginx; pages read through
nginx one at a time, which must keep coming (nginx hands out its last copy while the
application cannot answer); and pages and a PDF read straight from the application, each a
page or a 503 with Retry-After, never a 500 nor a connection left hanging past gunicorn's
timeout (a connection the killed worker held is cut off, and counted apart).

An editor saves a new title on a draft (made afresh for each run) through the admin's forms,
a second after the last. Each save is looked for on the draft's page, as its editor previews
it, just after, and in its history at the end: it lands whole (both) or is refused with a
message (the form's errors, or the 503 page asking to try again) and leaves no trace. A save
the editor was told was made but that is missing, or one found on the page and not in the
history (or the reverse), is a loss: the run exits 1, as it does on a 500 or a hung
connection.

Prints a table and writes the counts to bench/results/<date>-load-faults-postgresql.json.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load
import run as bench

SECONDS = 60
CONNECTIONS = 64
EDIT_EVERY = 1.0
PG_RESTART_AT = 10
REDIS_STOP_AT, REDIS_DOWN_FOR = 25, 10
WORKER_KILL_AT = 45
PG_PORT, REDIS_PORT = 5433, 6380
# Not the ports of `make bench` and `make load`, which another checkout may be running.
APP_PORT, PROXY_PORT = 8202, 8280
# gunicorn's timeout (deploy/gunicorn.conf.py): a reader still waiting after it is hung.
HUNG_AFTER = 30
# After a save whose answer was lost, how long before its page is read again.
UNKNOWN_SETTLES = 2.0
REPORTS = os.environ.get("BENCH_REPORTS", "2000")
FAULTS = bench.WORK / "faults"
DATABASE = "genocidewatch_faults"


def say(message):
    print(f"[faults] {message}", flush=True)


def postgresql_bin():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    if shutil.which("pg_ctl"):
        return Path(shutil.which("pg_ctl")).parent
    raise SystemExit("PostgreSQL's server programs (pg_ctl, initdb) are not installed")


def as_postgres(*command, check=True):
    """PostgreSQL refuses to run as root: then its programs run as the postgres user."""
    if os.geteuid() == 0:
        command = ("runuser", "-u", "postgres", "--", *command)
    return subprocess.run(command, check=check, capture_output=True, text=True)


class PostgreSQL:
    def __init__(self):
        self.bin = postgresql_bin()
        self.data = FAULTS / "pgdata"
        self.log = FAULTS / "postgresql.log"
        self.options = f"-p {PG_PORT} -k {FAULTS} -c listen_addresses=127.0.0.1"
        self.url = f"postgres://postgres@127.0.0.1:{PG_PORT}/{DATABASE}"

    def _own(self, path):
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def start(self):
        FAULTS.mkdir(parents=True, exist_ok=True)
        self._own(FAULTS)
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(exist_ok=True)
            self._own(self.data)
            say(f"a PostgreSQL cluster of this run's own in {self.data}")
            as_postgres(
                str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"
            )
        self.log.touch()
        self._own(self.log)
        status = as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "status", check=False)
        if status.returncode:  # not left running by an earlier run
            self._pg_ctl("start", "-l", str(self.log))
        created = as_postgres(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres",
            DATABASE, check=False,
        )  # fmt: skip
        if created.returncode and "already exists" not in created.stderr:
            raise SystemExit(created.stderr)

    def _pg_ctl(self, *args):
        as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-o", self.options, *args)

    def restart(self):
        # With its log named: the server must not hold this process's pipes open.
        self._pg_ctl("restart", "-m", "fast", "-l", str(self.log))

    def stop(self):
        self._pg_ctl("stop", "-m", "fast")


class Redis:
    def __init__(self):
        self.process = None
        self.url = f"redis://127.0.0.1:{REDIS_PORT}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(FAULTS)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"redis-server did not start on port {REDIS_PORT}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def get(port, path, headers=None, timeout=HUNG_AFTER):
    """(outcome, status): one request, its answer sorted into what a reader got."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
    except TimeoutError:
        return "hung: no answer within the timeout", None
    except ConnectionRefusedError:
        return "connection refused", None
    except (ConnectionError, http.client.HTTPException):
        return "cut off: the connection closed without an answer", None
    finally:
        connection.close()
    if response.status in (200, 206, 304):
        return "a page", body
    if response.status == 503:
        if response.getheader("Retry-After") and b"try again" in body:
            return "503 with Retry-After and a message", body
        return "503 without Retry-After or a message", body
    return f"status {response.status}", body


class Readers:
    """Readers one request at a time, each answer counted, with the time of the odd ones."""

    def __init__(self, port, paths, threads):
        self.port = port
        self.paths = paths
        self.counts = Counter()
        self.odd = []  # (seconds into the run, outcome, path)
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._read, args=(n,), daemon=True) for n in range(threads)
        ]

    def _read(self, offset):
        n = offset
        while not self.stop.is_set():
            path = self.paths[n % len(self.paths)]
            n += 1
            outcome, _ = get(self.port, path)
            self.counts[outcome] += 1
            if outcome != "a page":
                self.odd.append((round(time.time() - self.started, 1), outcome, path))
            time.sleep(0.02)

    def start(self, started):
        self.started = started
        for thread in self.threads:
            thread.start()

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join()


WRK_SCRIPT = """
local paths = {%s}
local n = 0
local threads = {}
counts = {}
function setup(thread) table.insert(threads, thread) end
request = function()
  n = n + 1
  return wrk.format(nil, paths[(n %% #paths) + 1])
end
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + count
    end
  end
  io.write("Statuses:")
  for status, count in pairs(total) do io.write(" " .. status .. "=" .. count) end
  io.write("\\n")
end
"""


def save(editor, report_id, title):
    """What the editor was told when saving a new title: (answer, detail)."""
    path = load.change_path(report_id)
    try:
        status, _, page = editor.request("GET", path)
        if status == 200:
            fields = load.form_fields(page, form_id="report_form")
            fields = [(k, v) for k, v in fields if k != "title"]
            fields += [("title", title), ("_continue", "1")]
            status, _, page = editor.request("POST", path, urllib.parse.urlencode(fields))
    except TimeoutError:
        return "hung", ""
    except (ConnectionError, http.client.HTTPException) as error:
        return "cut off", type(error).__name__
    if status == 302:
        return "saved", ""
    if status == 200 and 'class="errorlist' in page:
        return "refused with the form's message", load.form_errors(page)[0]
    if status == 503 and editor.last_headers.get("retry-after") and "try again" in page:
        return "refused with the 503 page", f"Retry-After: {editor.last_headers['retry-after']}"
    return f"answered {status}", ""


def on_the_page(editor, report_url, number, deadline=HUNG_AFTER):
    """Whether edit `number` is the title on the draft's page, as its editor sees it at its
    public address (again and again while the app cannot answer)."""
    until = time.time() + deadline
    while time.time() < until:
        try:
            status, _, page = editor.request("GET", report_url)
        except (OSError, http.client.HTTPException):
            status = None
        if status == 200:
            return load.edit_number(page) == number
        time.sleep(0.5)
    return None


def editor_run(editor, seeded, started, attempts):
    base = "Mali Country Report"
    number = 0
    while time.time() - started < SECONDS - 2:
        number += 1
        at = round(time.time() - started, 1)
        title = f"{base} load run edit {number}"
        answer, detail = save(editor, seeded["draft"]["report_id"], title)
        shown = on_the_page(editor, seeded["draft"]["report_url"], number)
        if not shown and answer in ("cut off", "hung"):
            # The editor lost the answer, not necessarily the save: a COMMIT the database had
            # already received is completed after its worker is killed, a moment later.
            time.sleep(UNKNOWN_SETTLES)
            shown = on_the_page(editor, seeded["draft"]["report_url"], number)
        attempts.append(
            {"edit": number, "at": at, "answer": answer, "detail": detail, "on_the_page": shown}
        )
        time.sleep(EDIT_EVERY)


def judge(attempt, in_history):
    """One save, as the editor lived it: landed whole, refused, or lost."""
    on_page, in_hist = attempt["on_the_page"], attempt["edit"] in in_history
    answer = attempt["answer"]
    if on_page and in_hist:
        return "landed whole" if answer == "saved" else "landed whole, though the answer was not"
    if on_page or in_hist:
        return "half-written (on the page or in the history, not both)"
    if answer == "saved":
        return "lost (the editor was told it was saved)"
    if answer.startswith("refused"):
        return "refused with a message"
    if answer == "cut off":
        return "cut off by the killed worker, nothing saved"
    return f"refused without a message ({answer})"


def faults_schedule(postgresql, redis, app, started, log):
    def at(second):
        time.sleep(max(0.0, started + second - time.time()))

    at(PG_RESTART_AT)
    began = time.time()
    postgresql.restart()
    log.append(
        {"fault": "PostgreSQL restart (pg_ctl restart -m fast)", "at": round(began - started, 1),
         "seconds": round(time.time() - began, 1)}
    )  # fmt: skip
    at(REDIS_STOP_AT)
    began = time.time()
    redis.stop()
    at(REDIS_STOP_AT + REDIS_DOWN_FOR)
    redis.start()
    log.append(
        {"fault": "Redis stopped, then started empty", "at": round(began - started, 1),
         "seconds": round(time.time() - began, 1)}
    )  # fmt: skip
    at(WORKER_KILL_AT)
    victim = bench.worker_pids(app)[0]
    os.kill(victim, signal.SIGKILL)
    log.append({"fault": f"gunicorn worker {victim} killed (SIGKILL)", "at": WORKER_KILL_AT})


def faults_run(seeded, env, postgresql, redis, app):
    report_url = seeded["report_url"]
    pages = [
        report_url,
        f"/reports/?country={seeded['country_slug']}&stage=5",
        "/reports/?q=militias",
        "/",
    ]
    script = bench.WORK / "faults.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{u}"' for u in [*pages, seeded["small_file"]]))
    for path in [*pages, seeded["small_file"]]:  # nginx holds a copy of every page
        bench.fetch(f"http://127.0.0.1:{PROXY_PORT}{path}")
    through_proxy = Readers(PROXY_PORT, pages, threads=2)
    from_app = Readers(APP_PORT, [*pages, seeded["small_file"]], threads=4)
    editor = load.Editor(APP_PORT, f"{seeded['session_cookie']}={seeded['session']}")
    attempts, log = [], []
    started = time.time()
    readers = subprocess.Popen(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", f"{HUNG_AFTER}s",
         "-s", str(script), f"http://127.0.0.1:{PROXY_PORT}"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    through_proxy.start(started)
    from_app.start(started)
    faults = threading.Thread(
        target=faults_schedule, args=(postgresql, redis, app, started, log), daemon=True
    )
    faults.start()
    try:
        editor_run(editor, seeded, started, attempts)
        out = readers.communicate()[0]
        faults.join()
    finally:
        through_proxy.finish()
        from_app.finish()

    in_history = set(
        json.loads(
            subprocess.run(
                [bench.PY, "bench/seed.py", "--edits", str(seeded["draft"]["report_id"])],
                cwd=bench.ROOT, env=env, check=True, capture_output=True, text=True,
            ).stdout
        )
    )  # fmt: skip
    for attempt in attempts:
        attempt["verdict"] = judge(attempt, in_history)
    landed = [a["edit"] for a in attempts if a["verdict"].startswith("landed")]
    final = on_the_page(editor, seeded["draft"]["report_url"], max(landed, default=0))
    statuses = dict(
        (int(s), int(n)) for s, n in re.findall(r"(\d+)=(\d+)", re.search(r"Statuses:(.*)", out)[1])
    )
    socket_errors = re.search(r"Socket errors: (.*)", out)
    editors = Counter(a["verdict"] for a in attempts)
    outcome = {
        "reports": seeded["reports"],
        "faults": log,
        "readers_through_nginx_wrk": {
            "connections": CONNECTIONS,
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "statuses": statuses,
            "socket_errors": socket_errors.group(1) if socket_errors else "none",
        },
        "pages_through_nginx": dict(through_proxy.counts),
        "readers_straight_from_the_app": dict(from_app.counts),
        "odd_answers_straight_from_the_app": from_app.odd,
        "odd_answers_through_nginx": through_proxy.odd,
        "saves": dict(editors),
        "save_attempts": attempts,
        "last_landed_save_on_the_page_at_the_end": final,
    }
    app_answers = from_app.counts
    outcome["passed"] = (
        set(through_proxy.counts) == {"a page"}
        and not any(k.startswith(("status 5", "hung", "503 without")) for k in app_answers)
        and not any(v.startswith(("lost", "half-written", "refused without")) for v in editors)
        and final is True
    )
    return outcome


def table(outcome):
    lines = [f"Faults during {SECONDS} s of {CONNECTIONS} readers ({outcome['reports']:,} reports)"]
    for fault in outcome["faults"]:
        took = f", {fault['seconds']} s" if "seconds" in fault else ""
        lines.append(f"  at {fault['at']:>4} s: {fault['fault']}{took}")
    wrk = outcome["readers_through_nginx_wrk"]
    lines.append(
        f"wrk through nginx: {wrk['requests']:,} requests ({wrk['requests_per_second']:,.0f}/s), "
        f"statuses {wrk['statuses']}, socket errors: {wrk['socket_errors']}"
    )
    for title, counts in (
        ("pages through nginx, one at a time", outcome["pages_through_nginx"]),
        ("pages and a PDF straight from the app", outcome["readers_straight_from_the_app"]),
        ("an editor's saves", outcome["saves"]),
    ):
        lines.append(f"{title}:")
        for what, n in sorted(counts.items(), key=lambda item: -item[1]):
            lines.append(f"  {n:>7,}  {what}")
    lines.append("passed" if outcome["passed"] else "FAILED")
    return "\n".join(lines)


def main():
    bench.ensure_tools()
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is not installed (Debian: redis-server)")
    bench.CACHED, bench.PROXY = APP_PORT, PROXY_PORT  # read by bench.proxy_config
    postgresql, redis = PostgreSQL(), Redis()
    postgresql.start()
    redis.start()
    app = nginx = None
    try:
        os.environ.update(DATABASE_URL=postgresql.url, BENCH_CACHE_URL=redis.url)
        env = {**bench.base_env(), "BENCH_REPORTS": REPORTS}
        bench.manage(env, "migrate", "--no-input", "--verbosity", "0")
        bench.manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        say("seeding (once per cluster)")
        seeded = json.loads(
            subprocess.run(
                [bench.PY, "bench/seed.py"],
                cwd=bench.ROOT, env=env, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]
        )  # fmt: skip
        seeded["draft"] = json.loads(
            subprocess.run(
                [bench.PY, "bench/seed.py", "--draft"],
                cwd=bench.ROOT, env=env, check=True, capture_output=True, text=True,
            ).stdout
        )  # fmt: skip
        app = bench.start_app(env, APP_PORT, FILES_VIA_PROXY_PREFIX="/_files/", BEHIND_PROXY="1")
        bench.wait_for(f"http://127.0.0.1:{APP_PORT}/healthz")
        nginx = bench.start_nginx("nginx-proxy", bench.proxy_config(env))
        bench.wait_for(f"http://127.0.0.1:{PROXY_PORT}/healthz")
        say(f"{SECONDS} s of load; faults at {PG_RESTART_AT}, {REDIS_STOP_AT}, {WORKER_KILL_AT} s")
        outcome = faults_run(seeded, env, postgresql, redis, app)
    finally:
        if nginx:
            bench.stop_nginx(nginx)
        if app:
            os.killpg(app.pid, signal.SIGTERM)
            app.wait(timeout=30)
        redis.stop()
        postgresql.stop()
    print(table(outcome))
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    path = bench.RESULTS / f"{datetime.now(UTC):%Y-%m-%d-%H%M}-load-faults-postgresql.json"
    path.write_text(json.dumps(outcome, indent=2) + "\n")
    say(f"written to {path.relative_to(bench.ROOT)}")
    return 0 if outcome["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
