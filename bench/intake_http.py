"""Benchmark: villagers' requests (点单) over HTTP, against ``zhenxing serve``, on PostgreSQL.

    .venv/bin/python bench/intake_http.py [DATABASE_URL] [--threads 16] [--seconds 10]
    .venv/bin/python bench/intake_http.py --smoke   # 1 worker, 2 threads, 2 x 1.5 s of load

The database (the argument, else ``BENCH_DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/bench_intake``) must be a scratch one: its name must contain
``bench``. It is created when missing and migrated; the demo county is built in it when it has no
regions (and kept for the next run). What earlier runs sent is deleted and the tables vacuumed (else
the per-address count walks every earlier run's dead index entries). The script then starts
``zhenxing serve`` (gunicorn, ``--workers`` x ``--server-threads``, by default serve's 3 x 4,
whitenoise; ``--no-worker`` and ``SCHEDULER_INTERVAL=0`` so that nothing else runs) on a free
loopback port with ``DJANGO_SETTINGS_MODULE=bench_settings`` (``bench/`` on ``PYTHONPATH``): the
application's settings and URLs plus ``/bench/bare/`` (``bench/bare_urls.py``), a bare view behind
the same middleware that inserts one row into a bench-only table. The intake limits are the
deployment's (``ORDERS_INTAKE_PER_IP_PER_HOUR``, ``ORDERS_INTAKE_PER_PHONE_PER_DAY``): as villagers'
phones do, the requests come from many addresses (each connection binds its own loopback address,
127.1.x.y, and a client opens a new one from a new address every ``--per-address`` requests,
fewer than the hourly limit) and phones (a new one each request). The database connections are
the deployment's (``DB_CONN_MAX_AGE``, default 60 s, with ``DB_CONN_HEALTH_CHECKS``) unless
``--conn-max-age`` says otherwise (0: a new connection per request).

Each of N client threads keeps an HTTP/1.1 keep-alive connection (a small socket client), fetches
the form of the demo village once (``GET /s/<id>/``: the CSRF cookie and token) and then POSTs the
form (``csrfmiddlewaretoken, category, description, name, phone``) as fast as it can: a new villager
each time (no cookie but the CSRF one is sent back). After a warm-up, ~``--seconds`` of intake, then as long
of the bare view. Every intake answer must be a redirect to the tracking page (``/t/<code>/``), and
the number of orders must have grown by exactly the number of those; the bare view's rows likewise.

Prints requests/s of both and their ratio (goals of the issue: >= 300 requests/s, ratio >= 0.5).
The client threads share the machine with the server: on a small machine they take part of its CPU.
Nothing here asserts on time.

``--smoke``: one gunicorn worker of 2 threads, 2 client threads, 0.5 s of warm-up and 1.5 s of each
phase, and a county of one village (not the demo county) in the database
``bench_smoke_intake_http`` (or the argument, whose name must contain ``bench_smoke``), created and
dropped by the run. The server is stopped on the way out however the run ends (SIGTERM included).
"""

from __future__ import annotations

import argparse
import html
import http.client
import itertools
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from scratch_db import (  # bench/ is the script's folder
    add_smoke_option,
    apply_smoke,
    database_url,
    ensure_database,
    run,
    tables_referencing,
)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_intake"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TRACKING_RE = re.compile(r"^/t/[A-Z0-9]{8}/$")
DESCRIPTIONS = (
    "村东头路灯坏了三盏，晚上出行不便",
    "门口排水沟堵了，污水漫到路上",
    "想了解今年种粮补贴的发放标准",
    "老人的高龄补贴这几个月没有到账",
    "和邻居因宅基地边界有争执，希望村里调解",
)
NAMES = ("王秀英", "李建国", "张桂兰", "刘志强", "陈玉梅", "杨振华")

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("database_url", nargs="?", default=None)
parser.add_argument("--threads", type=int, default=16, help="client threads (connections)")
parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured phase")
parser.add_argument("--warmup", type=float, default=2.0, help="warm-up before each phase")
parser.add_argument(
    "--per-address",
    type=int,
    default=10,
    help="requests sent from one client address before the next connection uses a new one",
)
parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (serve --workers)")
parser.add_argument(
    "--server-threads", type=int, default=4, help="threads per gunicorn worker (serve --threads)"
)
parser.add_argument(
    "--conn-max-age",
    type=int,
    default=None,
    help="DB_CONN_MAX_AGE for the server (default: the deployment's, 60)",
)
add_smoke_option(parser)
args = parser.parse_args()
apply_smoke(parser, args, threads=2, seconds=1.5, warmup=0.5, workers=1, server_threads=2)
URL = database_url(args, os.environ, DEFAULT_URL, "intake_http")
ensure_database(URL, smoke=args.smoke)
tmp = tempfile.TemporaryDirectory(prefix="zhenxing-bench-")
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench_settings",
    "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT / "src")]),
    "DATABASE_URL": URL,
    "ZHENXING_VAR": tmp.name,
    "SCHEDULER_INTERVAL": "0",
    "LOG_LEVEL": "WARNING",
}
if args.conn_max_age is not None:
    ENV["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
if args.smoke:
    ENV["BENCH_SMOKE"] = "1"  # bench_settings: static files uncompressed
os.environ.update(ENV)
sys.path[:0] = [str(BENCH), str(ROOT / "src")]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from zhenxing.demo.build import DEMO_VILLAGE, TOWNSHIP_A, build_demo_county  # noqa: E402
from zhenxing.orders.models import Category, Order  # noqa: E402
from zhenxing.regions.models import VILLAGE_LEVELS, Level, Region  # noqa: E402

# The server's environment is this process's: so are its database settings.
CONN_MAX_AGE = connection.settings_dict["CONN_MAX_AGE"]
HEALTH_CHECKS = connection.settings_dict["CONN_HEALTH_CHECKS"]


def build_one_village() -> None:
    """The smoke run's county: a township and its village (the intake needs no more)."""
    county = Region.objects.add_root({"name": "基准测试县（点单）", "level": Level.COUNTY})
    township = Region.objects.add_child(county, {"name": TOWNSHIP_A, "level": Level.TOWNSHIP})
    Region.objects.add_child(township, {"name": DEMO_VILLAGE, "level": Level.VILLAGE})
    print("built a county of one village")


def prepare() -> tuple[int, int]:
    """Migrate, build the demo county when absent, make the bare view's table; (village, category)."""
    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        if args.smoke:
            build_one_village()
        else:
            started = time.perf_counter()
            result = build_demo_county()
            print(
                f"built the demo county in {time.perf_counter() - started:.1f} s: {result.counts}"
            )
    township = Region.objects.filter(level=Level.TOWNSHIP, name=TOWNSHIP_A).first()
    village = (
        Region.objects.filter(
            level__in=VILLAGE_LEVELS, name=DEMO_VILLAGE, path__startswith=township.path
        ).first()
        if township
        else Region.objects.filter(level__in=VILLAGE_LEVELS).order_by("path").first()
    )
    category = Category.objects.filter(active=True).order_by("sort", "pk").first()
    # What earlier runs sent (all from 127.x.y.z; the demo's orders have other addresses) goes,
    # so that every address of this run starts with nothing sent; the ORM's delete follows every
    # relation to orders (events, notices, photos, meeting items, 走访诉求 …).
    Order.objects.filter(client_ip__startswith="127.").delete()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE django_session")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_bare"
            " (id bigserial PRIMARY KEY, at timestamptz NOT NULL, body text NOT NULL)"
        )
        cursor.execute("TRUNCATE bench_bare")
        # The rows just deleted would stay in the indexes until autovacuum comes by: the intake's
        # per-address count would walk every earlier run's dead entries.
        for table in (Order._meta.db_table, *tables_referencing(Order), "django_session"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return village.pk, category.pk


def bare_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_bare")
        return cursor.fetchone()[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ADDRESSES = itertools.count(1)
ADDRESS_LOCK = threading.Lock()


def next_address() -> str:
    """A loopback address not used before in this run: 127.1.0.1, 127.1.0.2, …"""
    with ADDRESS_LOCK:
        n = next(ADDRESSES)
    return f"127.{1 + n // 65536}.{n // 256 % 256}.{n % 256}"


class Client:
    """One browser-like HTTP/1.1 keep-alive connection that keeps the CSRF cookie only.

    A few lines over a socket rather than ``http.client``, whose header parsing would take much of
    the machine's CPU from the server at these rates: requests are written as bytes, and of the
    answer only the status line, ``Location``, ``Set-Cookie: csrftoken`` and ``Content-Length`` are
    read (gunicorn always sends a length or closes)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.csrf_cookie = ""
        self.sent = 0  # requests sent from the current address

    def _connect(self) -> socket.socket:
        if self.sock is not None and self.sent >= args.per_address:
            self.close()
        if self.sock is None:
            self.sock = socket.create_connection(
                ("127.0.0.1", self.port), timeout=60, source_address=(next_address(), 0)
            )
            self.sent = 0
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        return self.sock

    def _read_until(self, sock: socket.socket, marker: bytes) -> int:
        while (end := self.buffer.find(marker)) < 0:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self.buffer += chunk
        return end

    def request(self, method: str, path: str, body: str | None = None):
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if self.csrf_cookie:
            head.append(f"Cookie: csrftoken={self.csrf_cookie}")
        data = (body or "").encode()
        if body is not None:
            head += ["Content-Type: application/x-www-form-urlencoded"]
            head.append(f"Content-Length: {len(data)}")
        try:
            reused = self.sock is not None and self.sent < args.per_address
            sock = self._connect()
            self.sent += 1
            message = ("\r\n".join(head) + "\r\n\r\n").encode() + data
            try:
                sock.sendall(message)
                end = self._read_until(sock, b"\r\n\r\n")
            except OSError:
                # A kept-alive connection the server closed while it sat idle (gunicorn's
                # keep-alive is 2 s; a client can wait longer while the others set up): it
                # closed before reading this request, and gave no answer. Send it again on a
                # new connection, as browsers do; any other failure counts.
                if not reused or self.buffer:
                    raise
                self.close()
                sock = self._connect()
                self.sent += 1
                sock.sendall(message)
                end = self._read_until(sock, b"\r\n\r\n")
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            self.buffer = self.buffer[end + 4 :]
            status = int(lines[0].split(" ", 2)[1])
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.lower()
                if name == "set-cookie":
                    cookie, _, cookie_value = value.strip().split(";", 1)[0].partition("=")
                    if cookie == "csrftoken":
                        self.csrf_cookie = cookie_value
                else:
                    headers[name] = value.strip()
            length = int(headers.get("content-length", "0"))
            while len(self.buffer) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the server closed the connection")
                self.buffer += chunk
            content, self.buffer = self.buffer[:length], self.buffer[length:]
            if headers.get("connection", "").lower() == "close":
                self.close()
        except (OSError, ValueError, IndexError):
            self.close()  # reconnect for the next request; this one counts as failed
            raise
        return status, headers.get("location", ""), content

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class Phase:
    """Counts of one phase: successes, failures (with a few samples) and latencies."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = 0
        self.samples: list[str] = []
        self.latencies: list[float] = []
        self.cpu_before: tuple = ()
        self.cpu: dict[str, float] = {}

    def add(self, ok: bool, latency: float, sample: str = "") -> None:
        with self.lock:
            if ok:
                self.ok += 1
                self.latencies.append(latency)
            else:
                self.failed += 1
                if len(self.samples) < 5:
                    self.samples.append(sample)


def worker(
    client: Client, token: str, path: str, expect: re.Pattern, stop: float, phase: Phase, n: int
) -> None:
    rng = random.Random(n)
    while time.perf_counter() < stop:
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "category": CATEGORY,
                "description": rng.choice(DESCRIPTIONS),
                "name": rng.choice(NAMES),
                "phone": f"13{rng.randrange(10**9):09d}",
            }
        )
        started = time.perf_counter()
        try:
            status, location, data = client.request("POST", path, body)
        except (OSError, ValueError, IndexError) as error:
            phase.add(False, 0.0, repr(error))
            continue
        ok = status == 302 and bool(expect.match(location))
        phase.add(ok, time.perf_counter() - started, f"{status} {location} {data[:200]!r}")


TICK = os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (all cores, from /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / TICK, sum(fields) / TICK


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants (the server: serve + gunicorn)."""
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            values = stat.rsplit(")", 1)[1].split()
            total += (int(values[11]) + int(values[12])) / TICK
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


SERVER_PID = 0
DB_NAME = urlsplit(URL).path.lstrip("/")


def backends_cpu() -> dict[int, float]:
    """CPU seconds so far of the PostgreSQL backends connected to the bench database, by pid (a
    backend's title reads ``postgres: user database host(port) state``). Backends that end during
    a phase are not seen: with a new connection per request most of PostgreSQL's work is missed."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres: ") or f" {DB_NAME} " not in title:
                continue
            values = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            out[int(entry.name)] = (int(values[11]) + int(values[12])) / TICK
        except (OSError, ValueError):
            continue
    return out


def run_phase(
    clients: list[tuple[Client, str]], path: str, expect: re.Pattern, seconds: float
) -> tuple[Phase, float]:
    phase = Phase()
    phase.cpu_before = (
        machine_busy(),
        time.process_time(),
        tree_cpu(SERVER_PID),
        backends_cpu(),
    )
    started = time.perf_counter()
    stop = started + seconds
    threads = [
        threading.Thread(target=worker, args=(c, token, path, expect, stop, phase, i), daemon=True)
        for i, (c, token) in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (busy0, total0), client0, server0, pg0 = phase.cpu_before
    (busy1, total1), client1, server1 = machine_busy(), time.process_time(), tree_cpu(SERVER_PID)
    pg = sum(cpu - pg0.get(pid, 0.0) for pid, cpu in backends_cpu().items())
    phase.cpu = {
        "machine": (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0,
        "client": client1 - client0,
        "server": server1 - server0,
        "postgres": pg,
        "rest": (busy1 - busy0) - (client1 - client0) - (server1 - server0) - pg,
    }
    return phase, time.perf_counter() - started


def report(label: str, phase: Phase, seconds: float) -> float:
    rate = phase.ok / seconds
    lat = sorted(phase.latencies) or [0.0]
    p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
    print(
        f"{label:<34} {rate:8.1f} requests/s  ({phase.ok:,} in {seconds:.1f} s; "
        f"failed {phase.failed}; latency median {1000 * statistics.median(lat):.0f} ms, "
        f"p95 {1000 * p95:.0f} ms)"
    )
    cpu = {k: v if k == "machine" else 1000 * v / max(1, phase.ok) for k, v in phase.cpu.items()}
    print(
        f"    CPU per request: gunicorn {cpu['server']:.1f} ms, PostgreSQL backends seen "
        f"{cpu['postgres']:.1f} ms, this client {cpu['client']:.1f} ms, everything else on the "
        f"machine {cpu['rest']:.1f} ms (machine {100 * cpu['machine']:.0f} % busy, "
        f"{os.cpu_count()} cores)"
    )
    if phase.ok and cpu["postgres"] > 0:
        own = cpu["server"] + cpu["postgres"]
        print(
            f"    -> gunicorn + backends {own:.1f} ms a request: at most "
            f"{1000 * (os.cpu_count() or 1) / own:,.0f} requests/s on these cores if nothing else "
            f"ran (client and connection set-up not counted)"
        )
    for sample in phase.samples:
        print(f"    failed: {sample}")
    return rate


def wait_ready(port: int, path: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped (code {server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"the server did not answer within 120 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen, port: int) -> None:
    """SIGTERM to serve, which stops its gunicorn; then anything of its process group that is
    still there is killed."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    try:
        os.killpg(server.pid, signal.SIGKILL)
        print(f"killed what was left of the server's process group {server.pid}")
    except ProcessLookupError:
        pass  # serve stopped every child itself
    print(
        f"server (process group {server.pid}) on port {port} stopped "
        f"(serve exited with {server.returncode})"
    )


def main() -> None:
    global CATEGORY
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    village, CATEGORY = prepare()
    form = f"/s/{village}/"
    connection.close()  # the server's workers open their own

    port = free_port()
    log = Path(tmp.name) / "serve.log"
    command = [str(ROOT / ".venv" / "bin" / "zhenxing"), "serve", "--addr", f"127.0.0.1:{port}"]
    command += ["--workers", str(args.workers), "--threads", str(args.server_threads)]
    command += ["--no-worker"]
    global SERVER_PID
    with log.open("w") as out:
        # In a process group of its own: whatever of it is left at the end can be found.
        server = subprocess.Popen(
            command, env=ENV, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    SERVER_PID = server.pid
    try:
        wait_ready(port, form, server, log)
        print(
            f"zhenxing serve on 127.0.0.1:{port} ({args.workers} workers x {args.server_threads} "
            f"threads, DB_CONN_MAX_AGE={CONN_MAX_AGE}, CONN_HEALTH_CHECKS={HEALTH_CHECKS}); "
            f"{args.threads} client threads; form {form}"
        )
        clients = []
        for _ in range(args.threads):
            client = Client(port)
            status, _, page = client.request("GET", form)
            match = TOKEN_RE.search(page.decode())
            if status != 200 or not match or not client.csrf_cookie:
                sys.exit(f"GET {form}: {status}, no CSRF token or cookie")
            clients.append((client, html.unescape(match.group(1))))

        orders_before, bare_before = Order.objects.count(), bare_rows()
        intake_warm, _ = run_phase(clients, form, TRACKING_RE, args.warmup)
        intake, intake_seconds = run_phase(clients, form, TRACKING_RE, args.seconds)
        orders_after = Order.objects.count()
        bare_re = re.compile(r"^/bench/bare/done/$")
        bare_warm, _ = run_phase(clients, "/bench/bare/", bare_re, args.warmup)
        bare, bare_seconds = run_phase(clients, "/bench/bare/", bare_re, args.seconds)
        bare_after = bare_rows()
        for client, _token in clients:
            client.close()
    finally:
        stop_server(server, port)

    intake_rate = report("intake POST /s/<village>/", intake, intake_seconds)
    bare_rate = report("bare view POST /bench/bare/ (1 insert)", bare, bare_seconds)
    ratio = intake_rate / bare_rate if bare_rate else 0.0
    print(f"ratio intake / bare: {ratio:.2f}")
    intake_ok = intake_warm.ok + intake.ok
    bare_ok = bare_warm.ok + bare.ok
    grown = orders_after - orders_before
    print(
        f"every intake answer a redirect to /t/<code>/: "
        f"{intake_warm.failed + intake.failed == 0} ({intake_ok:,} redirects, "
        f"{intake_warm.failed + intake.failed} other answers or errors)"
    )
    print(
        f"orders grew by {grown:,} = the redirects: {grown == intake_ok}; "
        f"bench_bare grew by {bare_after - bare_before:,} = its redirects: "
        f"{bare_after - bare_before == bare_ok}"
    )
    print(
        f"goals: >= 300 requests/s: {'met' if intake_rate >= 300 else 'NOT met'}; "
        f"ratio >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}"
    )


CATEGORY = 0

if __name__ == "__main__":
    # SIGTERM (a test's timeout, a CI runner) ends the run through the ``finally`` clauses: the
    # server is stopped and a smoke run's database dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    run(main, args=args, url=URL, tmp=tmp)
