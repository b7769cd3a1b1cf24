"""`make bench` / `make bench-smoke` / `make bench-sqlite`: seed, serve, load, report.

1. Data: a migrated template database, then one database per dataset created from it
   and seeded (bench/seed.py): the main one and the smaller ones of the scaling curve.
   With --sqlite: a SQLite file per dataset, migrated and seeded (bench/seed_sqlite.py).
2. Probe (bench/probe.py): what each row requests, SQL queries per request, EXPLAIN.
3. gunicorn with each candidate worker class on a few rows; the best one serves
   everything else, the raw WSGI yardstick included.
4. The rows (bench/rows.py), each a wrk run bounded in time after a cache flush: the raw
   WSGI yardstick, then the project with its response cache on (comment POSTs last, then
   the posted rows are counted; the workers' memory is read), then the project with the
   response cache off next to the bare-Django and plain-DRF yardsticks.
5. The scaling curve: the same reads on each smaller dataset, the response cache off
   (so each request takes the database path: indexes, keyset pagination, counts); the
   main dataset's column is its cold rows.
6. The report: printed, and written to bench/results/ (latest.md, smoke.md, sqlite.md).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis

from bench import cpu, env, load, report, rows, seed
from bench.datasets import count_posted, prepare_datasets, scale_label
from bench.profile import Profiler
from bench.serve import Server

RESULTS = Path(__file__).resolve().parent / "results"
APP = "cms.wsgi:application"  # with DJANGO_SETTINGS_MODULE=bench.settings
RAW = "bench.raw_wsgi:application"
# A row is broken (not slow) when more than this share of its answers is not 2xx.
MAX_NOT_OK_SHARE = 0.01


@dataclass
class Config:
    smoke: bool
    sizes: seed.Sizes
    scales: list[int]
    seconds: float
    trial_seconds: float
    scale_seconds: float
    latency_seconds: float = 3  # each cold row again at one connection: no queueing
    warmup_seconds: float = 2  # the plain rows' warm-up run, discarded
    sqlite: bool = False
    connections: int = 16
    threads: int = 2
    workers: int = 2
    worker_classes: list[str] = field(default_factory=lambda: ["sync", "gthread:4"])
    reuse_data: bool = False
    profile: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return "bench" + ("_smoke" if self.smoke else "") + ("_sqlite" if self.sqlite else "")

    def database(self, prefix: str) -> str:
        return prefix + (env.SQLITE_SUFFIX if self.sqlite else "")

    @property
    def main_database(self) -> str:
        return self.database(self.prefix)

    @property
    def out(self) -> Path:
        name = "smoke" if self.smoke else "latest"
        if self.sqlite:
            name = "smoke-sqlite" if self.smoke else "sqlite"
        return RESULTS / f"{name}.md"

    @property
    def command(self) -> str:
        if self.sqlite:
            return "python -m bench --sqlite --smoke" if self.smoke else "make bench-sqlite"
        return "make bench-smoke" if self.smoke else "make bench"

    def scale_sizes(self, articles: int) -> seed.Sizes:
        """A smaller dataset of the curve: one thread as long as the main one's, one
        100-comment article, and as many comments per article as the main dataset."""
        hot = self.sizes.hot_comments
        per_article = self.sizes.comments / max(self.sizes.articles, 1)
        comments = max(int(articles * per_article), hot + self.sizes.medium_comments + articles)
        return replace(self.sizes, articles=articles, comments=comments, hot_articles=1)


# --- probe -------------------------------------------------------------------------


def cache_env(response_cache: bool) -> dict[str, str]:
    # The project's switch for its public response cache (plumbing/response_cache/): off, every
    # read takes the database path the cold rows and the scaling curve are about.
    return {} if response_cache else {"API_RESPONSE_CACHE": "0"}


def run_probe(database: str, workers: int, *, response_cache: bool = True) -> dict:
    out = env.VAR / f"probe-{database}{'' if response_cache else '-uncached'}.json"
    print(f"== {database}: probing (queries per request, EXPLAIN, targets)", flush=True)
    subprocess.run(
        [str(env.PYTHON), "-m", "bench.probe", database, f"--out={out}", f"--workers={workers}"],
        env=env.child_env(database, **cache_env(response_cache)),
        cwd=env.ROOT,
        check=True,
    )
    return json.loads(out.read_text())


# --- load ----------------------------------------------------------------------------


class Bench:
    def __init__(self, config: Config):
        self.config = config
        # The SQLite run's cache is the worker's local memory: nothing to flush from here.
        self.redis = None if config.sqlite else redis.Redis.from_url(env.REDIS_URL)
        self.problems: list[str] = []
        self.pairs: dict[str, list[float]] = {}  # rows.PAIRS' ratios, round by round
        self.post_rounds: list[dict] = []  # the comment POST row again, in short rounds

    def flush_cache(self) -> None:
        if self.redis is not None:
            self.redis.flushdb()

    def app_server(self, database: str, worker_class: str, *, response_cache=True) -> Server:
        return Server(
            APP,
            env.child_env(database, **cache_env(response_cache)),
            worker_class=worker_class,
            workers=self.config.workers,
            log=env.VAR / f"gunicorn-{database}.log",
        )

    def wrk(self, url: str, seconds: float, **options) -> load.Measurement:
        options.setdefault("connections", self.config.connections)
        options.setdefault("threads", self.config.threads)
        return load.run_wrk(url, seconds=seconds, **options)

    def target(self, server: Server, probe: dict, row: rows.Row) -> tuple[str, str, dict]:
        """(path, URL, wrk options) of a row on this server."""
        path = probe["paths"][row.endpoint]
        options = {"mode": row.mode}
        if row.mode in ("paths", "post"):
            options["paths_file"] = Path(probe["files"][row.endpoint])
        if row.mode == "post":
            options["token"] = f"r{int(time.time() * 1000):x}"
        return path, server.url(path if row.mode in ("get", "plain") else "/"), options

    def paired_rounds(self, server: Server, probe: dict) -> dict[str, list[float]]:
        """Each headline pair (rows.PAIRS) again, in alternating short runs: the ratio of
        each round, so that the report can judge by their median."""
        seconds = min(3.0, self.config.seconds)
        rounds = 2 if self.config.smoke else 5
        out = {}
        pairs = [(name, over, False) for name, over in rows.PAIRS]
        pairs += [(name, over, True) for name, over in rows.LATENCY_PAIRS]
        for name, over, by_latency in pairs:
            print(f"== paired rounds: {name} / {over}{' (p50)' if by_latency else ''}")
            ratios = []
            for _ in range(rounds):
                figures = []
                for row in (rows.ALL[name], rows.ALL[over]):
                    _, url, options = self.target(server, probe, row)
                    measured = self.wrk(url, seconds, **options)
                    self.check(f"{row.name} (paired round)", measured)
                    figures.append(measured.p50_ms if by_latency else measured.rps)
                ratios.append(figures[0] / figures[1] if figures[1] else 0.0)
            out[f"{'p50 ' if by_latency else ''}{name}/{over}"] = ratios
        return out

    def measure(
        self,
        server: Server,
        probe: dict,
        row: rows.Row,
        seconds: float,
        *,
        profile: bool = False,
        one_connection: bool = False,
    ) -> dict:
        """One row: flush the cache, warm it, then wrk for `seconds` (and, for the cold
        rows, again at one connection for the latency of a request that never queues)."""
        path, url, options = self.target(server, probe, row)
        self.flush_cache()
        if row.mode in ("get", "plain"):
            for _ in range(4):
                status, _ = load.fetch(url)
            if status != 200:
                self.problems.append(f"{row.name}: GET {path} answered {status}")
        if row.mode == "plain":
            # The plain rows (the cache hit and the raw WSGI yardstick) get the same warm-up.
            self.wrk(url, self.config.warmup_seconds, mode="plain")
        profiler = Profiler(server.worker_pids(), row.name, seconds) if profile else None
        meter = cpu.Meter(server.worker_pids())
        measured = self.wrk(url, seconds, **options)
        cpu_ms = meter.per_request(measured.requests)
        result = asdict(measured) | {
            "rps": measured.rps,
            "ok_rps": measured.ok_rps,
            "path": path,
            "kind": row.kind,
            "mode": row.mode,
            "cpu_ms": cpu_ms,
        }
        if profiler:
            result["profile"] = profiler.finish()
        if "token" in options:
            result["token"] = options["token"]
        # Comment POST's 503s are a target (none), judged in the report, not a harness fault.
        self.check(row.name, measured, allowed=(503,) if row.mode == "post" else ())
        if one_connection:
            single = self.wrk(url, self.config.latency_seconds, connections=1, threads=1, **options)
            self.check(f"{row.name} (one connection)", single)
            result["one_connection"] = {
                "p50_ms": single.p50_ms,
                "p99_ms": single.p99_ms,
                "rps": single.rps,
                "requests": single.requests,
            }
        return result

    def check(self, name: str, measured: load.Measurement, *, allowed=()) -> None:
        answered = sum(measured.statuses.values())
        not_ok = {
            s: n for s, n in measured.statuses.items() if not 200 <= s < 300 and s not in allowed
        }
        if not measured.requests or not answered:
            self.problems.append(f"{name}: no answers")
        elif sum(not_ok.values()) > MAX_NOT_OK_SHARE * answered:
            self.problems.append(f"{name}: {sum(not_ok.values())} of {answered} not 2xx {not_ok}")
        if measured.errors > MAX_NOT_OK_SHARE * max(measured.requests, 1):
            self.problems.append(f"{name}: socket errors {measured.socket_errors}")

    def warm(self, server: Server, probe: dict) -> None:
        """Every path once, then a short run on the list, discarded: caches and
        connections warm before anything counts."""
        for name, path in probe["paths"].items():
            if name != "comment_post":
                load.fetch(server.url(path))
        self.wrk(server.url(probe["paths"]["list"]), min(2, self.config.seconds))

    def trial(self, database: str, probe: dict) -> list[dict]:
        """Each candidate worker class on a few rows; the geometric mean of req/s decides."""
        trials = []
        for worker_class in self.config.worker_classes:
            print(f"== trying gunicorn worker class {worker_class}", flush=True)
            with self.app_server(database, worker_class) as server:
                self.warm(server, probe)
                measured = {
                    name: self.measure(server, probe, rows.ALL[name], self.config.trial_seconds)
                    for name in rows.TRIAL
                }
            score = math.exp(
                sum(math.log(max(r["rps"], 1e-9)) for r in measured.values()) / len(measured)
            )
            trials.append({"worker_class": worker_class, "rows": measured, "score": score})
        return trials

    def raw_row(self, database: str, probe: dict, worker_class: str) -> dict:
        raw_env = env.child_env(database, BENCH_RAW_BODY=probe["raw_body"])
        raw_log = env.VAR / "gunicorn-raw.log"
        print(f"== raw WSGI yardstick ({worker_class})", flush=True)
        with Server(
            RAW,
            raw_env,
            worker_class=worker_class,
            workers=self.config.workers,
            ready_path="/",
            log=raw_log,
        ) as raw:
            probe = dict(probe, paths=dict(probe["paths"], raw="/"))
            return self.measure(raw, probe, rows.RAW, self.config.seconds)

    def cached_rows(self, database: str, probe: dict, worker_class: str) -> tuple[dict, list]:
        """The project as in production, its response cache on."""
        measured = {"raw": self.raw_row(database, probe, worker_class)}
        with self.app_server(database, worker_class) as server:
            self.warm(server, probe)
            for row in rows.CACHED:
                print(f"== {row.name}: {probe['paths'][row.endpoint][:90]}", flush=True)
                profile = row.name in self.config.profile
                measured[row.name] = self.measure(
                    server, probe, row, self.config.seconds, profile=profile
                )
            self.post_rounds = self.comment_post_rounds(server, probe)
            memory = server.worker_memory()
        self.count_post(database, measured["comment_post"])
        for each in self.post_rounds:
            self.count_post(database, each)
        return measured, memory

    def comment_post_rounds(self, server: Server, probe: dict) -> list[dict]:
        """The comment POST row again in short rounds: one 10 s window of a shared
        machine moved it by half between runs, so the report judges by the median."""
        seconds = min(3.0, self.config.seconds)
        rounds = 2 if self.config.smoke else 5
        print(f"== comment POST rounds: {rounds} × {seconds:g} s", flush=True)
        row = rows.ALL["comment_post"]
        out = []
        for _ in range(rounds):
            _, url, options = self.target(server, probe, row)
            measured = self.wrk(url, seconds, **options)
            self.check("comment_post (round)", measured, allowed=(503,))
            out.append({**asdict(measured), "token": options["token"]})
        return out

    def count_post(self, database: str, post: dict) -> None:
        """Accepted (201/202), 503s and rows stored of a POST run, and whether any was lost."""
        post["accepted"] = post["statuses"].get(201, 0) + post["statuses"].get(202, 0)
        post["unavailable"] = post["statuses"].get(503, 0)
        post["rows_counted"] = count_posted(database, post["token"])
        # wrk stops with up to one request per connection in flight: those comments are
        # stored, their answers never counted. An accepted comment with no row is lost.
        extra = post["rows_counted"] - post["accepted"]
        if not 0 <= extra <= self.config.connections:
            self.problems.append(
                f"comment_post: {post['accepted']} accepted but {post['rows_counted']} rows stored"
            )

    def cold_rows(self, database: str, probe: dict, worker_class: str) -> dict:
        """The project with its response cache off, next to the yardsticks."""
        measured = {}
        with self.app_server(database, worker_class, response_cache=False) as server:
            self.warm(server, probe)
            for row in rows.COLD_ROWS:
                print(f"== {row.name}, response cache off: {probe['paths'][row.endpoint][:70]}")
                profile = row.name in self.config.profile
                measured[row.name] = self.measure(
                    server, probe, row, self.config.seconds, profile=profile, one_connection=True
                )
            self.pairs = self.paired_rounds(server, probe)
        return measured

    def scaling_column(self, database: str, articles: int, worker_class: str) -> dict:
        """The database path at one smaller size: the response cache is off."""
        probe = run_probe(database, self.config.workers, response_cache=False)
        self.check_probe(database, probe, response_cache=False)
        with self.app_server(database, worker_class, response_cache=False) as server:
            self.warm(server, probe)
            measured = {}
            for name, cold_name in rows.SCALING.items():
                print(f"== {database}, response cache off: {name}", flush=True)
                row = replace(rows.ALL[cold_name], name=f"{name} ({database})")
                measured[name] = self.measure(server, probe, row, self.config.scale_seconds)
        return {
            "database": database,
            "articles": articles,
            "facts": probe["facts"],
            "rows": measured,
        }

    def check_probe(self, database: str, probe: dict, *, response_cache: bool = True) -> None:
        for name, result in probe["endpoints"].items():
            expected = (201, 202) if name == "comment_post" else (200,)
            for phase in ("cold", "warm"):
                if result[phase]["status"] not in expected:
                    self.problems.append(
                        f"{database} {name} ({phase}, in-process): {result[phase]['status']}"
                    )
            # A read the response cache did not answer runs at least one query. The
            # yardsticks (not public API routes) never are; with the cache off, nothing is.
            never_cached = name.startswith("yard_") or not response_cache
            if name != "comment_post" and never_cached and not result["warm"]["queries"]:
                self.problems.append(
                    f"{database} {name}: the second request ran no SQL, a response cache "
                    "answered it" + ("" if response_cache else " (API_RESPONSE_CACHE=0)")
                )


def machine_facts(database: str) -> dict:
    def first_line(command: list[str]) -> str:
        try:
            return subprocess.run(
                command, capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            return "?"

    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    if env.is_sqlite(database):
        engine, cache = f"SQLite {sqlite3.sqlite_version}", "local memory (one worker process)"
    else:
        with psycopg.connect(env.database_url(database)) as conn:
            engine = "PostgreSQL " + conn.execute("SHOW server_version").fetchone()[0]
        info = redis.Redis.from_url(env.REDIS_URL).info("server")
        cache = f"Redis {info.get('redis_version', '?')}"
    gunicorn = first_line([str(env.ROOT / ".venv/bin/gunicorn"), "--version"])
    commit = first_line(["git", "-C", str(env.ROOT), "describe", "--always", "--dirty"])
    import django

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": engine,
        "cache": cache,
        "gunicorn": gunicorn.replace("gunicorn (version ", "").rstrip(")"),
        "wrk": load.wrk_version(),
        "commit": commit,
        "load_average": os.getloadavg()[0],
    }


def require_services() -> None:
    try:
        seed.maintenance_connection().close()
        redis.Redis.from_url(env.REDIS_URL, socket_connect_timeout=2).ping()
    except (psycopg.Error, redis.RedisError) as exc:
        raise SystemExit(
            f"The benchmark needs PostgreSQL ({env.PG_SERVER}) and Redis ({env.REDIS_URL}): {exc}"
        ) from None


def run(config: Config) -> int:
    load.require_wrk()
    if not config.sqlite:
        require_services()
    (env.VAR / "static").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    bench = Bench(config)
    seeded = prepare_datasets(config)
    main_db = config.main_database
    probe = run_probe(main_db, config.workers)
    bench.check_probe(main_db, probe)
    trials = bench.trial(main_db, probe)
    best = max(trials, key=lambda t: t["score"])["worker_class"]
    measured, memory = bench.cached_rows(main_db, probe, best)
    # The cold rows' own probe: their SQL per request with the response cache off (and
    # proof that it is off), and their paths.
    cold_probe = run_probe(main_db, config.workers, response_cache=False)
    bench.check_probe(main_db, cold_probe, response_cache=False)
    measured |= bench.cold_rows(main_db, cold_probe, best)
    columns = [
        bench.scaling_column(config.database(f"{config.prefix}_{scale_label(n)}"), n, best)
        for n in config.scales
    ]
    columns.append(
        {
            "database": main_db,
            "articles": config.sizes.articles,
            "facts": cold_probe["facts"],
            "rows": {name: measured[cold] for name, cold in rows.SCALING.items()},
        }
    )
    results = {
        "mode": "smoke" if config.smoke else "full",
        "command": config.command,
        "database": "sqlite" if config.sqlite else "postgresql",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(main_db) | {"load_before": load_before},
        "config": {
            "seconds": config.seconds,
            "trial_seconds": config.trial_seconds,
            "scale_seconds": config.scale_seconds,
            "latency_seconds": config.latency_seconds,
            "warmup_seconds": config.warmup_seconds,
            "connections": config.connections,
            "wrk_threads": config.threads,
            "workers": config.workers,
            "worker_class": best,
        },
        "seed": seeded,
        "probe": {k: probe[k] for k in ("facts", "paths", "endpoints", "rows")},
        "cold_probe": {k: cold_probe[k] for k in ("facts", "paths", "endpoints")},
        "trials": trials,
        "rows": measured,
        "pairs": bench.pairs,
        "post_rounds": bench.post_rounds,
        "pair_seconds": min(3.0, config.seconds),
        "memory": memory,
        "scaling": columns,
        "problems": bench.problems,
        "wall_seconds": round(time.monotonic() - started),
    }
    (env.VAR / f"results-{config.prefix}.json").write_text(json.dumps(results, indent=1))
    markdown = report.render(results)
    config.out.parent.mkdir(parents=True, exist_ok=True)
    config.out.write_text(markdown)
    print(markdown)
    print(f"Written to {config.out.relative_to(env.ROOT)}")
    if bench.problems:
        print("The harness found problems:\n  " + "\n  ".join(bench.problems), file=sys.stderr)
        return 1
    return 0


@dataclass(frozen=True)
class Preset:
    """The defaults of one kind of run: data sizes, scaling curve and seconds."""

    sizes: seed.Sizes
    scales: str  # the scaling curve's smaller datasets (articles, comma-separated)
    seconds: float  # per row
    trial_seconds: float  # per row of the worker-class trial
    scale_seconds: float  # per cell of the scaling curve
    latency_seconds: float  # per cold row's one-connection run


def _sizes(articles: int, comments: int, hot_comments: int) -> seed.Sizes:
    return seed.Sizes(
        articles=articles, comments=comments, hot_articles=1, hot_comments=hot_comments
    )


PRESETS = {
    # (smoke, sqlite)
    (False, False): Preset(
        seed.Sizes(), "1000,10000", seconds=10, trial_seconds=5, scale_seconds=10, latency_seconds=3
    ),
    (True, False): Preset(
        _sizes(1000, 6000, 1200),
        "200",
        seconds=2,
        trial_seconds=1,
        scale_seconds=1,
        latency_seconds=1,
    ),
    # A few minutes in all; no scaling curve by default (--scales adds one).
    (False, True): Preset(
        _sizes(5000, 50_000, 3000),
        "",
        seconds=8,
        trial_seconds=3,
        scale_seconds=5,
        latency_seconds=2,
    ),
    # Under a minute: for CI, next to the PostgreSQL smoke run.
    (True, True): Preset(
        _sizes(500, 3000, 600), "", seconds=1, trial_seconds=1, scale_seconds=1, latency_seconds=1
    ),
}


def _add_kind_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny data, a second or two per row: checks the harness",
    )
    parser.add_argument(
        "--sqlite",
        action="store_true",
        help="SQLite (a file in var/bench/) and the local-memory cache, one worker process: "
        "the embedded default (make bench-sqlite)",
    )


def parse_args(argv: list[str] | None) -> Config:
    # The kind of run decides the other flags' defaults: read it first (no --help yet).
    kind = argparse.ArgumentParser(add_help=False)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    for each in (kind, parser):
        _add_kind_flags(each)
    known = kind.parse_known_args(argv)[0]
    smoke, sqlite = known.smoke, known.sqlite
    preset = PRESETS[smoke, sqlite]
    seed.add_size_flags(parser, preset.sizes)
    parser.add_argument(
        "--scales",
        default=preset.scales,
        help="article counts of the scaling curve's smaller datasets (comma-separated)",
    )
    parser.add_argument("--seconds", type=float, default=preset.seconds, help="per row")
    parser.add_argument("--trial-seconds", type=float, default=preset.trial_seconds)
    parser.add_argument("--scale-seconds", type=float, default=preset.scale_seconds)
    parser.add_argument(
        "--latency-seconds",
        type=float,
        default=preset.latency_seconds,
        help="per cold row, the run at one connection (the latency of a request that never queues)",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--workers",
        type=int,
        default=1 if sqlite else 2,
        help="gunicorn worker processes (with the local-memory cache, more than one turns "
        "the response cache off: docs/deployment.md)",
    )
    parser.add_argument(
        "--worker-classes",
        default="sync,gthread:4",
        help="gunicorn worker classes to try (gthread:N = N threads per worker)",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep databases already seeded with the same sizes (migrations still run)",
    )
    parser.add_argument(
        "--profile",
        default="",
        help=f"rows to profile with py-spy during their run (comma-separated: {', '.join(rows.ALL)})",
    )
    args = parser.parse_args(argv)
    return Config(
        smoke=smoke,
        sqlite=sqlite,
        sizes=seed.parse_sizes(args, preset.sizes),
        scales=[int(n) for n in args.scales.split(",") if n.strip()],
        seconds=args.seconds,
        trial_seconds=args.trial_seconds,
        scale_seconds=args.scale_seconds,
        latency_seconds=args.latency_seconds,
        warmup_seconds=min(2, args.seconds),
        connections=args.connections,
        threads=args.wrk_threads,
        workers=args.workers,
        worker_classes=[w for w in args.worker_classes.split(",") if w],
        reuse_data=args.reuse_data,
        profile=[p for p in args.profile.split(",") if p],
    )


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(parse_args(argv)))
