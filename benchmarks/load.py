"""The portal under load on its production stack (issue 13): gunicorn, PostgreSQL, DEBUG off, the demo data.

    .venv/bin/python benchmarks/load.py [--clients 20] [--seconds 10] [--requests 2000] [--workers N]

Creates the database zz_bench_load on the server DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/),
migrates it and loads the demo (seed_demo, seed_demo_archive, seed_demo_reports, seed_demo_supervision), starts
gunicorn with deploy/gunicorn.conf.py on a free 127.0.0.1 port and signs in officer1, manager and bureau. Then, one
page at a time, 20 client threads request it for at most --seconds and --requests: a bare "hello" view on the same
server (served only when ZZ_BENCH_HELLO=1, see zzmetro/urls.py) before and after the pages, the public register, a
certificate check page, the officer's portal home and monthly form, the manager's dashboard and an admin changelist.
Prints requests per second, p50/p95/p99 and errors per page, and each page's p95 as a multiple of hello's. Stops
gunicorn and drops the database afterwards, also when interrupted. Never fails on the figures.
Target: no errors; every page's p95 ≤ 4 × hello's p95.

The busy pages are kept rendered until a row they read changes (zzmetro/pagecache.py): the figures are the steady
state, and "first ms" is the page's first visit alone, rendered in full.

Each page is driven on its own: hello's p95 under the same 20 clients is then the stack's floor (middleware, worker
queueing, these client threads sharing the CPU), and a page's ratio to it is that page's own cost. Hello mixed in
with the pages would queue behind them and make every ratio look close to 1.
"""

import argparse
import http.client
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DB_NAME = "zz_bench_load"
HOST = "127.0.0.1"
PASSWORD = "zzmetro-demo"
SEEDS = ["seed_demo", "seed_demo_archive", "seed_demo_reports", "seed_demo_supervision"]
TARGET_RATIO = 4.0
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"


@dataclass
class Page:
    label: str
    path: str
    account: str | None = None


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    wall: float = 0.0

    def quantile(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1]


# ---- the server -----------------------------------------------------------------------------------------------------


def server_url() -> str:
    parts = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("load.py needs PostgreSQL: set DATABASE_URL to a postgres:// URL naming the server.")
    return parts._replace(path=f"/{DB_NAME}", query="").geturl()


def admin_sql(url: str, statement: str, *, dbname: str = "postgres", fetch: bool = False):
    import psycopg2

    parts = urlparse(url)
    connection = psycopg2.connect(
        dbname=dbname,
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname,
        port=parts.port or 5432,
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
            return cursor.fetchall() if fetch else None
    finally:
        connection.close()


def child_env(url: str, work: Path) -> dict[str, str]:
    """Production settings (.env.example) minus what plain HTTP on 127.0.0.1 cannot have; the second factor off."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_MIGRATE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="zzmetro.settings",
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        HTTPS_ONLY="0",
        BEHIND_HTTPS_PROXY="0",
        ZZ_REQUIRE_2FA="0",
        ZZ_BENCH_HELLO="1",
        REDIS_URL="",
        CACHE_URL="locmemcache://",
        EMAIL_URL="",
        EMAIL_FILE_PATH=str(work / "mail"),
        MEDIA_ROOT=str(work / "media"),
        STATIC_ROOT=str(work / "static"),
        LOG_LEVEL="WARNING",
    )
    return env


def prepare_database(url: str, env: dict[str, str]) -> None:
    admin_sql(url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    admin_sql(url, f'CREATE DATABASE "{DB_NAME}"')
    # The seeds run as `make demo` runs them (DEBUG=1: the demo accounts keep their published password); the static
    # files are collected as production collects them (DEBUG off: hashed names, compressed).
    seed_env = {**env, "DEBUG": "1"}
    steps = [
        (["migrate", "-v0", "--noinput"], env),
        (["collectstatic", "-v0", "--noinput"], env),
        *(([s], seed_env) for s in SEEDS),
    ]
    for command, step_env in steps:
        started = time.perf_counter()
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *command], cwd=ROOT, env=step_env, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(command)} failed:\n{done.stderr[-3000:]}")
        print(f"  manage.py {command[0]:<22} {time.perf_counter() - started:5.1f} s", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    """gunicorn with the deployment's own config (deploy/gunicorn.conf.py), on our port; its log goes to `log`."""
    gunicorn = BIN / "gunicorn"
    if not gunicorn.exists():
        raise SystemExit(f"{gunicorn} not found: install requirements.txt into the venv first.")
    config = ["--config", str(CONFIG)] if CONFIG.exists() else []
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(gunicorn), *config, "--bind", f"{HOST}:{port}", "--workers", str(workers), "zzmetro.wsgi:application"],
            cwd=ROOT,
            env={**env, "LOG_LEVEL": "INFO"},
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited during start-up:\n{log.read_text()[-3000:]}")
        try:
            if get(port, "/bench/hello/")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop(process)
    raise SystemExit("gunicorn did not answer within 60 s.")


def stop(process: subprocess.Popen) -> None:
    """Graceful stop of the gunicorn master this script started (it stops its workers), then a hard one."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ---- the clients ----------------------------------------------------------------------------------------------------


def get(port: int, path: str, cookie: str = "") -> tuple[int, bytes, http.client.HTTPResponse]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read(), response
    finally:
        connection.close()


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.msg.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def login(port: int, username: str) -> str:
    """Sign in through the login form as a browser does; returns the Cookie header of the session."""
    status, body, response = get(port, "/accounts/login/")
    csrf = cookies_of(response).get("csrftoken")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not csrf or not token:
        raise SystemExit(f"login page answered {status} without a CSRF token")
    form = urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode(), "next": "/"}
    )
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Cookie": f"csrftoken={csrf}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{HOST}:{port}/accounts/login/",
            },
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    session = cookies_of(response).get("sessionid")
    if response.status != 302 or not session:
        raise SystemExit(f"login as {username} failed (HTTP {response.status})")
    return f"sessionid={session}; csrftoken={csrf}"


def drive(port: int, path: str, cookie: str, clients: int, seconds: float, limit: int) -> Result:
    """`clients` threads request `path` back to back until `seconds` pass or `limit` requests have started."""
    result, lock, tickets = Result(), threading.Lock(), itertools.count()
    deadline = time.perf_counter() + seconds

    def client():
        while time.perf_counter() < deadline and next(tickets) < limit:
            started = time.perf_counter()
            try:
                outcome = get(port, path, cookie)[0]
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
            elapsed = time.perf_counter() - started
            with lock:
                if outcome == 200:
                    result.latencies.append(elapsed)
                else:
                    result.errors[str(outcome)] += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    return result


# ---- the pages ------------------------------------------------------------------------------------------------------


def pages(url: str, port: int, sessions: dict[str, str]) -> list[Page]:
    number = admin_sql(
        url,
        "SELECT number FROM authorizations_certificate WHERE status = 'valid' ORDER BY id LIMIT 1",
        dbname=DB_NAME,
        fetch=True,
    )[0][0]
    return [
        Page("public register", "/register/"),
        Page("certificate check", f"/register/certificates/{number}/"),
        Page("officer portal home", "/portal/", "officer1"),
        Page("officer monthly form", monthly_form_path(port, sessions["officer1"]), "officer1"),
        Page("manager dashboard", "/dashboard/", "manager"),
        Page("admin changelist", "/admin/authorizations/station/", "bureau"),
    ]


def monthly_form_path(port: int, cookie: str) -> str:
    """The most recent month whose form officer1 can still fill in (a submitted month redirects to its report)."""
    import datetime as dt

    month, answers = dt.date.today().replace(day=1), []
    for _ in range(12):
        path = f"/portal/reporting/monthly/{month.year}/{month.month}/"
        status, _, response = get(port, path, cookie)
        if status == 200:
            return path
        answers.append(f"{path} → {status} {response.getheader('Location') or ''}")
        month = (month - dt.timedelta(days=1)).replace(day=1)
    raise SystemExit("officer1 has no open monthly form in the last 12 months:\n" + "\n".join(answers))


def report(rows: list[tuple[str, Result]], hello_p95: float, first: dict[str, float]) -> None:
    print(
        f"\n{'page':<22} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'p95/hello':>9} {'first ms':>8}"
    )
    for label, result in rows:
        ratio = result.quantile(95) / hello_p95
        print(
            f"{label:<22} {len(result.latencies) + sum(result.errors.values()):>8} {sum(result.errors.values()):>6} "
            f"{len(result.latencies) / result.wall:>7.1f} {result.quantile(50) * 1000:>7.1f} "
            f"{result.quantile(95) * 1000:>7.1f} {result.quantile(99) * 1000:>7.1f} {ratio:>8.1f}× "
            f"{first[label] * 1000:>8.1f}"
        )
    print("(first ms: one request alone before the run, when the page is rendered rather than kept)")
    errors = Counter()
    for _, result in rows:
        errors.update(result.errors)
    over = [
        label
        for label, result in rows
        if not label.startswith("hello") and result.quantile(95) > TARGET_RATIO * hello_p95
    ]
    print(
        f"\nerrors: {sum(errors.values())} {dict(errors) if errors else ''}(target 0) {'OK' if not errors else 'OVER'}"
    )
    print(
        f"p95 ≤ {TARGET_RATIO:g} × hello's ({hello_p95 * 1000:.1f} ms): "
        + ("OK for every page" if not over else f"OVER for {', '.join(over)}")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="upper bound per page")
    parser.add_argument("--requests", type=int, default=2000, help="upper bound per page")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn sync workers (as deployed)"
    )
    args = parser.parse_args()

    url = server_url()
    work = Path(tempfile.mkdtemp(prefix="zz_bench_load-"))
    env = child_env(url, work)
    process = None
    print(f"load: preparing {DB_NAME} (migrate and the demo data)", flush=True)
    try:
        prepare_database(url, env)
        port = free_port()
        process = start_gunicorn(env, port, args.workers, work / "gunicorn.log")
        sessions = {account: login(port, account) for account in ("officer1", "manager", "bureau")}
        hello = Page("hello", "/bench/hello/")
        targets = pages(url, port, sessions)
        print(
            f"load: gunicorn {args.workers} sync workers on {HOST}:{port}, DEBUG off, {args.clients} clients, "
            f"each page for ≤ {args.seconds:g} s and ≤ {args.requests} requests",
            flush=True,
        )
        rows, first = [], {}
        for label, page in [("hello (before)", hello), *((p.label, p) for p in targets), ("hello (after)", hello)]:
            cookie = sessions.get(page.account, "")
            started = time.perf_counter()
            get(port, page.path, cookie)  # the first visit: rendered, then kept (zzmetro/pagecache.py)
            first[label] = time.perf_counter() - started
            drive(port, page.path, cookie, args.workers, 10, args.workers * 3)  # every worker has loaded the page
            rows.append((label, drive(port, page.path, cookie, args.clients, args.seconds, args.requests)))
        hello_p95 = statistics.mean(result.quantile(95) for label, result in rows if label.startswith("hello"))
        report(rows, hello_p95, first)
    finally:
        if process is not None:
            stop(process)
        admin_sql(url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
