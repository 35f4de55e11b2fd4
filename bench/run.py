"""`make bench`: the site under load on this machine, measured with wrk on loopback.

Seeds 10,000 reports (bench/seed.py; PostgreSQL when DATABASE_URL is set, else an SQLite
file under bench/work/), then serves them with `make serve`'s settings:

- app "uncached": gunicorn (deploy/gunicorn.conf.py) with stored pages off, streaming files;
- app "cached": the same with stored pages in Redis and files handed to the proxy;
- proxy: nginx with deploy/nginx.conf.template in front of "cached";
- static limit: nginx serving a saved copy of the report page as a plain file.

Every page measurement runs ROUNDS times, interleaved with the others, and the table gives
the mean requests/s and the worst p50 and p99. Writes bench/results/<date>.md and prints it.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

# BENCH_PORT_BASE moves all four ports (8101, 8102, 8180 and 8181 by default): two checkouts
# on one machine can then run `make bench` or `make load` at the same time.
PORT_BASE = int(os.environ.get("BENCH_PORT_BASE", 8100))
UNCACHED, CACHED, PROXY, STATIC = PORT_BASE + 1, PORT_BASE + 2, PORT_BASE + 80, PORT_BASE + 81
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
SECONDS = int(os.environ.get("BENCH_SECONDS", 5))
CONNECTIONS = 32
SLOW_RATE = "1M"  # curl's --limit-rate: 1 MiB/s
# The read API's first page of public reports (20, newest first), as a client polls it.
API_LIST = "/api/v1/reports/"


def say(message):
    print(f"[bench] {message}", flush=True)


def ensure_tools():
    missing = [tool for tool in ("wrk", "nginx", "curl") if not shutil.which(tool)]
    if missing:
        say(f"installing {' '.join(missing)} from Debian")
        packages = ["nginx" if t == "nginx" else t for t in missing]
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *packages],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


def redis_url():
    return os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/2")


def base_env():
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        MEDIA_ROOT=str(WORK / "media"),
        STATIC_ROOT=str(WORK / "static"),
        CACHE_URL=redis_url(),
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESS_LOG="",
        # The benchmark's staff session has no phone to give a code from.
        REQUIRE_2FA="0",
    )
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
    return env


def manage(env, *args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start_app(env, port, **extra):
    app_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", **extra}
    return subprocess.Popen(
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "genocidewatch.wsgi"],
        cwd=ROOT,
        env=app_env,
        stdout=subprocess.DEVNULL,
        stderr=open(WORK / f"gunicorn-{port}.log", "w"),
        start_new_session=True,
    )


def start_nginx(name, config):
    run_dir = WORK / name
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "nginx.conf"
    path.write_text(config)
    subprocess.run(["nginx", "-t", "-q", "-c", str(path), "-p", str(run_dir)], check=True)
    subprocess.run(["nginx", "-c", str(path), "-p", str(run_dir)], check=True)
    return run_dir / "nginx.pid"


def proxy_config(env):
    render_env = {
        **env,
        "RUN_DIR": str(WORK / "nginx-proxy"),
        "STATIC_ROOT": env["STATIC_ROOT"],
        "MEDIA_ROOT": env["MEDIA_ROOT"],
        "APP_ADDRESS": f"127.0.0.1:{CACHED}",
        "LISTEN": f"127.0.0.1:{PROXY}",
        "FILES_PREFIX": "/_files/",
        "ACCESS_LOG": "off",
    }
    return subprocess.run(
        [PY, "deploy/render-nginx-conf"],
        cwd=ROOT,
        env=render_env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def static_config(root):
    run_dir = WORK / "nginx-static"
    return f"""worker_processes auto;
pid {run_dir}/nginx.pid;
error_log {run_dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {run_dir}/client-body;
    proxy_temp_path {run_dir}/proxy;
    fastcgi_temp_path {run_dir}/fastcgi;
    uwsgi_temp_path {run_dir}/uwsgi;
    scgi_temp_path {run_dir}/scgi;
    server {{
        listen 127.0.0.1:{STATIC};
        default_type text/html;
        root {root};
    }}
}}
"""


def stop_nginx(pid_file):
    with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
        os.kill(int(pid_file.read_text()), signal.SIGQUIT)


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), dict(response.headers)


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url, *, connections=CONNECTIONS, seconds=SECONDS, headers=()):
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def latency(percent):
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(found.group(1)) * UNITS[found.group(2)] if found else float("nan")

    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency(50),
        "p99": latency(99),
        "errors": errors,
        "transfer": f"{transfer.group(1)} {transfer.group(2)}/s" if transfer else "",
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def worker_pids(master):
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_seconds(pids):
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def settle(apps, *, idle_cpu=0.02, interval=0.5, seconds=120):
    """Wait until the apps' workers are idle. wrk stops at its deadline, but the requests it
    left in flight are still worked on: without this, a slow page's leftovers (an uncached
    search at 32 connections runs for many seconds after its wrk) are measured as the
    next page's latency."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        pids = [pid for app in apps for pid in worker_pids(app)]
        before = cpu_seconds(pids)
        time.sleep(interval)
        if cpu_seconds(pids) - before < idle_cpu:
            return
    say(f"the apps were still busy after {seconds} s; measuring anyway")


def reset_peak_memory(pids):
    for pid in pids:
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_memory_mb(pids):
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
    return max(peaks)


def combine(runs):
    return {
        "rps": statistics.mean(r["rps"] for r in runs),
        "p50": max(r["p50"] for r in runs),
        "p99": max(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "transfer": runs[-1]["transfer"],
    }


def slow_download(url, target):
    return subprocess.Popen(
        ["curl", "-s", "--limit-rate", SLOW_RATE, "-o", str(target), "-w", "%{http_code}", url],
        stdout=subprocess.PIPE,
        text=True,
    )


def main():
    ensure_tools()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = base_env()
    subprocess.run(["redis-cli", "-u", redis_url(), "flushdb"], check=True, capture_output=True)

    say(f"database: {env['DATABASE_URL'].split('@')[-1]}")
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    say("seeding 10,000 reports (once per database)")
    started = time.time()
    seeded = json.loads(
        subprocess.run(
            [PY, "bench/seed.py"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    say(
        f"{seeded['reports']} public reports, {seeded['countries']} countries "
        f"({time.time() - started:.0f} s)"
    )

    apps = [
        start_app(env, UNCACHED, PAGE_CACHE_SECONDS="0"),
        start_app(env, CACHED, FILES_VIA_PROXY_PREFIX="/_files/", BEHIND_PROXY="1"),
    ]
    nginx_pids = []
    try:
        for port in (UNCACHED, CACHED):
            wait_for(f"http://127.0.0.1:{port}/healthz")
        nginx_pids.append(start_nginx("nginx-proxy", proxy_config(env)))
        report = seeded["report_url"]
        page, _ = fetch(f"http://127.0.0.1:{UNCACHED}{report}")
        static_root = WORK / "static-copy"
        static_root.mkdir(exist_ok=True)
        (static_root / "report.html").write_bytes(page)
        nginx_pids.append(start_nginx("nginx-static", static_config(static_root)))
        wait_for(f"http://127.0.0.1:{PROXY}/healthz")
        wait_for(f"http://127.0.0.1:{STATIC}/report.html")

        country = seeded["country_slug"]
        staff_cookie = f"Cookie: {seeded['session_cookie']}={seeded['session']}"
        pages = {
            "static limit: nginx, saved copy of the report page": (
                f"http://127.0.0.1:{STATIC}/report.html",
                {},
            ),
            "report page, through the proxy cache": (f"http://127.0.0.1:{PROXY}{report}", {}),
            "report page, app-cached (gunicorn + Redis)": (
                f"http://127.0.0.1:{CACHED}{report}",
                {},
            ),
            "report page, uncached": (f"http://127.0.0.1:{UNCACHED}{report}", {}),
            "/reports/ with filters, uncached": (
                f"http://127.0.0.1:{UNCACHED}/reports/?country={country}&stage=5&alert=emergency",
                {},
            ),
            "API report list, app-cached (gunicorn + Redis)": (
                f"http://127.0.0.1:{CACHED}{API_LIST}",
                {},
            ),
            "API report list, uncached": (f"http://127.0.0.1:{UNCACHED}{API_LIST}", {}),
            # A country's name: found in about one report in sixty, as a reader's search is.
            "search, uncached": (
                f"http://127.0.0.1:{UNCACHED}/reports/?q={seeded['country_name'].split()[0]}",
                {},
            ),
            # A bulk download (1.6 MB): built once per content version and saved in storage
            # (opendata/data.py), then sent by nginx once the app allows it, as PDFs are.
            "bulk download /data/assessments.csv, through the proxy": (
                f"http://127.0.0.1:{PROXY}/data/assessments.csv",
                {},
            ),
            "bulk download /data/assessments.csv, streamed by the app": (
                f"http://127.0.0.1:{UNCACHED}/data/assessments.csv",
                {},
            ),
            "admin report list (staff, 4 connections)": (
                f"http://127.0.0.1:{UNCACHED}/admin/reports/report/",
                {"connections": 4, "headers": [staff_cookie]},
            ),
        }
        for url, options in pages.values():  # warm every path once
            fetch(url, dict(h.split(": ", 1) for h in options.get("headers", [])))
        say(f"{len(pages)} pages × {ROUNDS} rounds × {SECONDS} s, {CONNECTIONS} connections")
        runs = {name: [] for name in pages}
        for round_number in range(ROUNDS):
            for name, (url, options) in pages.items():
                settle(apps)
                runs[name].append(wrk(url, **options))
            say(f"round {round_number + 1} done")
        results = {name: combine(r) for name, r in runs.items()}

        # Downloads straight from a streaming worker: throughput and the workers' peak memory.
        workers = worker_pids(apps[0])
        downloads = {}
        for megabytes in (5, 200):
            url = f"http://127.0.0.1:{UNCACHED}{seeded['files'][str(megabytes)]}"
            reset_peak_memory(workers)
            before = peak_memory_mb(workers)
            result = wrk(url, connections=2, seconds=SECONDS)
            result["memory"] = (before, peak_memory_mb(workers))
            result["throughput"] = result["rps"] * megabytes
            downloads[megabytes] = result
            say(f"{megabytes} MB download: {result['throughput']:.0f} MB/s")

        # Two slow readers of the 50 MB edition, at each server, while pages are requested.
        file_50 = seeded["files"]["50"]
        readers = []
        for port, label in ((UNCACHED, "direct"), (PROXY, "proxy")):
            for n in range(2):
                target = WORK / f"slow-{label}-{n}.pdf"
                readers.append(
                    (label, target, slow_download(f"http://127.0.0.1:{port}{file_50}", target))
                )
        time.sleep(2)
        during = {
            "report page, uncached, during 4 slow downloads": wrk(
                f"http://127.0.0.1:{UNCACHED}{report}", seconds=10
            ),
            "report page, through the proxy, during 4 slow downloads": wrk(
                f"http://127.0.0.1:{PROXY}{report}", seconds=10
            ),
        }
        say("waiting for the slow readers to finish (about 50 s)")
        expected_size = None
        slow = []
        for label, target, process in readers:
            status = process.communicate()[0]
            size = target.stat().st_size if target.exists() else 0
            expected_size = expected_size or int(
                fetch(f"http://127.0.0.1:{UNCACHED}{file_50}", {"Range": "bytes=0-0"})[1][
                    "Content-Range"
                ].split("/")[1]
            )
            slow.append((label, status, size, size == expected_size))
            target.unlink(missing_ok=True)
        results.update(during)
    finally:
        for pid_file in nginx_pids:
            stop_nginx(pid_file)
        for app in apps:
            os.killpg(app.pid, signal.SIGTERM)
        for app in apps:
            app.wait(timeout=30)

    report_table(env, seeded, results, downloads, slow)


def report_table(env, seeded, results, downloads, slow):
    limit = results["static limit: nginx, saved copy of the report page"]["rps"]
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    cores = os.cpu_count()
    lines = [
        f"# Benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{seeded['reports']:,} public reports, {seeded['countries']} countries, {database}, "
        f"{cores} cores; wrk on loopback, {CONNECTIONS} connections unless said, "
        f"{ROUNDS} interleaved rounds of {SECONDS} s (mean requests/s, worst p50/p99).",
        "",
        "| what | requests/s | p50 ms | p99 ms | errors | × static limit |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} "
            f"| {r['rps'] / limit:.3f} |"
        )
    lines += [
        "",
        "| download (streamed by a worker, 2 connections) | MB/s "
        "| worker peak memory before → after | errors |",
        "| --- | ---: | ---: | ---: |",
    ]
    for megabytes, r in downloads.items():
        before, after = r["memory"]
        lines.append(
            f"| {megabytes} MB PDF | {r['throughput']:,.0f} | {before:.1f} MB → {after:.1f} MB "
            f"| {r['errors']} |"
        )
    lines += [
        "",
        "| slow reader (1 MiB/s, 50 MB PDF) | HTTP status | bytes received | complete |",
        "| --- | ---: | ---: | --- |",
    ]
    for label, status, size, complete in slow:
        lines.append(f"| {label} | {status} | {size:,} | {'yes' if complete else 'NO'} |")
    app_cached = results["report page, app-cached (gunicorn + Redis)"]
    cached = app_cached["rps"]
    uncached = results["report page, uncached"]["rps"]
    proxy = results["report page, through the proxy cache"]
    lines += [
        "",
        "Targets: proxy cache ≥ 0.8 × static limit: "
        f"{proxy['rps'] / limit:.2f}; app-cached ≥ 5 × uncached: {cached / uncached:.1f} ×; "
        f"uncached ≥ 270/s: {uncached:,.0f}/s; cached p99 < 25 ms: proxy "
        f"{proxy['p99']:.1f} ms, app {app_cached['p99']:.1f} ms; "
        f"errors: {sum(r['errors'] for r in results.values())}.",
        "",
    ]
    text = "\n".join(lines)
    path = RESULTS / f"{datetime.now(UTC):%Y-%m-%d-%H%M}-{database.lower()}.md"
    path.write_text(text)
    print(text)
    say(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
