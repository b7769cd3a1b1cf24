"""`make bench` / `make bench-smoke`: seed, serve, load, report.

1. Data: a migrated template database, then one database per dataset created from it
   and seeded (bench/seed.py): the main one and the smaller ones of the scaling curve.
2. Probe (bench/probe.py): what each row requests, SQL queries per request, EXPLAIN.
3. gunicorn (2 workers) with each candidate worker class on a few rows; the best one
   serves everything else, the raw WSGI yardstick included.
4. The rows, each a wrk run bounded in time after a Redis flush; comment POSTs last,
   then the posted rows are counted; the workers' memory is read.
5. The scaling curve: the same reads on each dataset, the response cache off (so each
   request takes the database path: indexes, keyset pagination, counts).
6. The report: printed, and written to bench/results/latest.md (smoke.md in smoke mode).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import redis

from bench import env, load, report, seed
from bench.profile import Profiler
from bench.serve import Server

RESULTS = Path(__file__).resolve().parent / "results"
APP = "cms.wsgi:application"  # with DJANGO_SETTINGS_MODULE=bench.settings
RAW = "bench.raw_wsgi:application"
MAIN_ROWS = [
    "bare",
    "raw",
    "list",
    "list_category",
    "list_search",
    "detail_cold",
    "detail_cached",
    "comments_first",
    "comments_deep",
    "comments_small",
    "categories",
    "comment_post",  # last: it adds (pending) comments
]
TRIAL_ROWS = ["list", "detail_cached", "comments_first"]
SCALING_ROWS = ["list", "detail_cold", "comments_first", "comments_deep", "comments_small"]
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
    connections: int = 16
    threads: int = 2
    worker_classes: list[str] = field(default_factory=lambda: ["sync", "gthread:4"])
    reuse_data: bool = False
    profile: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return "bench_smoke" if self.smoke else "bench"

    @property
    def out(self) -> Path:
        return RESULTS / ("smoke.md" if self.smoke else "latest.md")

    def scale_sizes(self, articles: int) -> seed.Sizes:
        """A smaller dataset of the curve: one thread as long as the main one's, one
        100-comment article, and as many comments per article as the main dataset."""
        hot = self.sizes.hot_comments
        per_article = self.sizes.comments / max(self.sizes.articles, 1)
        comments = max(int(articles * per_article), hot + self.sizes.medium_comments + articles)
        return replace(self.sizes, articles=articles, comments=comments, hot_articles=1)


def scale_label(articles: int) -> str:
    return f"{articles // 1000}k" if articles >= 1000 and articles % 1000 == 0 else str(articles)


# --- data ----------------------------------------------------------------------------


def manage(database: str, *args: str) -> None:
    subprocess.run(
        [str(env.PYTHON), "manage.py", *args], env=env.child_env(database), cwd=env.ROOT, check=True
    )


def prepare_datasets(config: Config) -> dict[str, dict]:
    """{database: what seeding it reported}, the main dataset first."""
    wanted = {config.prefix: config.sizes}
    for articles in config.scales:
        wanted[f"{config.prefix}_{scale_label(articles)}"] = config.scale_sizes(articles)
    template = f"{config.prefix}_template"
    template_ready = False
    seeded = {}
    for database, sizes in wanted.items():
        marker = seed.database_marker(database)
        same = marker and marker.get("sizes") == json.loads(json.dumps(asdict(sizes)))
        if config.reuse_data and same:
            print(f"== {database}: reusing the data seeded {marker['seeded_at']}", flush=True)
            manage(database, "migrate", "--noinput", "-v0")
            seeded[database] = dict(marker, reused=True)
            continue
        if not template_ready:
            print(f"== {template}: migrating", flush=True)
            seed.recreate_database(template)
            manage(template, "migrate", "--noinput", "-v0")
            template_ready = True
        seed.recreate_database(database, template=template)
        command = [str(env.PYTHON), "-m", "bench.seed", database]
        command += [f"--articles={sizes.articles}", f"--comments={sizes.comments}"]
        command += [f"--hot-articles={sizes.hot_articles}", f"--hot-comments={sizes.hot_comments}"]
        done = subprocess.run(
            command, env=env.child_env(database), cwd=env.ROOT, stdout=subprocess.PIPE, check=True
        )
        seeded[database] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return seeded


def cache_env(response_cache: bool) -> dict[str, str]:
    # The project's switch for its public response cache (plumbing/response_cache/): off, every
    # read takes the database path the scaling curve is about.
    return {} if response_cache else {"API_RESPONSE_CACHE": "0"}


def run_probe(database: str, *, response_cache: bool = True) -> dict:
    out = env.VAR / f"probe-{database}{'' if response_cache else '-uncached'}.json"
    print(f"== {database}: probing (queries per request, EXPLAIN, targets)", flush=True)
    subprocess.run(
        [str(env.PYTHON), "-m", "bench.probe", database, f"--out={out}"],
        env=env.child_env(database, **cache_env(response_cache)),
        cwd=env.ROOT,
        check=True,
    )
    return json.loads(out.read_text())


def count_posted(database: str, token: str) -> int:
    """Comments stored by a POST run (their emails carry the run's token)."""
    with psycopg.connect(env.database_url(database)) as conn:
        row = conn.execute(
            # comments.Comment's table; the seeder and the app agree on it.
            "SELECT count(*) FROM comments_comment WHERE author_email LIKE %s",
            [f"bench-{token}-%"],
        ).fetchone()
    return row[0]


# --- load ----------------------------------------------------------------------------


class Bench:
    def __init__(self, config: Config):
        self.config = config
        self.redis = redis.Redis.from_url(env.REDIS_URL)
        self.problems: list[str] = []

    def app_server(self, database: str, worker_class: str, *, response_cache=True) -> Server:
        return Server(
            APP,
            env.child_env(database, **cache_env(response_cache)),
            worker_class=worker_class,
            log=env.VAR / f"gunicorn-{database}.log",
        )

    def measure(
        self, server: Server, probe: dict, name: str, seconds: float, *, profile: bool = False
    ) -> dict:
        """One row: flush the cache, warm it (cached rows), then wrk for `seconds`."""
        path = probe["paths"][name]
        mode, paths_file, token = "get", None, ""
        if name == "detail_cold":
            mode, paths_file = "paths", Path(probe["files"]["detail_cold"])
        elif name == "comment_post":
            mode, paths_file = "post", Path(probe["files"]["comment_post"])
            token = f"r{int(time.time() * 1000):x}"
        self.redis.flushdb()
        if mode == "get":
            for _ in range(4):
                status, _ = load.fetch(server.url(path))
            if status != 200:
                self.problems.append(f"{name}: GET {path} answered {status}")
        profiler = Profiler(server.worker_pids(), name, seconds) if profile else None
        measured = load.run_wrk(
            server.url(path if mode == "get" else "/"),
            seconds=seconds,
            connections=self.config.connections,
            threads=self.config.threads,
            mode=mode,
            paths_file=paths_file,
            token=token,
        )
        row = asdict(measured) | {"rps": measured.rps, "ok_rps": measured.ok_rps, "path": path}
        if profiler:
            row["profile"] = profiler.finish()
        if token:
            row["token"] = token
        self.check(name, measured)
        return row

    def check(self, name: str, measured: load.Measurement) -> None:
        answered = sum(measured.statuses.values())
        if not measured.requests or not answered:
            self.problems.append(f"{name}: no answers")
        elif measured.not_ok > MAX_NOT_OK_SHARE * answered:
            statuses = {s: n for s, n in measured.statuses.items() if not 200 <= s < 300}
            self.problems.append(f"{name}: {measured.not_ok} of {answered} not 2xx {statuses}")
        if measured.errors > MAX_NOT_OK_SHARE * max(measured.requests, 1):
            self.problems.append(f"{name}: socket errors {measured.socket_errors}")

    def warm(self, server: Server, probe: dict) -> None:
        """Every path once, then a short run on the list, discarded: caches and
        connections warm before anything counts."""
        for name, path in probe["paths"].items():
            if name != "comment_post":
                load.fetch(server.url(path))
        load.run_wrk(
            server.url(probe["paths"]["list"]),
            seconds=min(2, self.config.seconds),
            connections=self.config.connections,
            threads=self.config.threads,
        )

    def trial(self, database: str, probe: dict) -> list[dict]:
        """Each candidate worker class on a few rows; the geometric mean of req/s decides."""
        trials = []
        for worker_class in self.config.worker_classes:
            print(f"== trying gunicorn worker class {worker_class}", flush=True)
            with self.app_server(database, worker_class) as server:
                self.warm(server, probe)
                rows = {
                    name: self.measure(server, probe, name, self.config.trial_seconds)
                    for name in TRIAL_ROWS
                }
            score = math.exp(sum(math.log(max(r["rps"], 1e-9)) for r in rows.values()) / len(rows))
            trials.append({"worker_class": worker_class, "rows": rows, "score": score})
        return trials

    def main_rows(self, database: str, probe: dict, worker_class: str) -> tuple[dict, list]:
        rows = {}
        raw_env = env.child_env(database, BENCH_RAW_BODY=probe["raw_body"])
        raw_log = env.VAR / "gunicorn-raw.log"
        print(f"== raw WSGI yardstick ({worker_class})", flush=True)
        with Server(RAW, raw_env, worker_class=worker_class, ready_path="/", log=raw_log) as raw:
            probe = dict(probe, paths=dict(probe["paths"], raw="/"))
            rows["raw"] = self.measure(raw, probe, "raw", self.config.seconds)
        with self.app_server(database, worker_class) as server:
            self.warm(server, probe)
            for name in MAIN_ROWS:
                if name == "raw":
                    continue
                print(f"== {name}: {probe['paths'][name][:90]}", flush=True)
                profile = name in self.config.profile
                rows[name] = self.measure(server, probe, name, self.config.seconds, profile=profile)
            memory = server.worker_memory()
        post = rows["comment_post"]
        post["accepted"] = post["statuses"].get(201, 0) + post["statuses"].get(202, 0)
        post["rows_counted"] = count_posted(database, post["token"])
        # wrk stops with up to one request per connection in flight: those comments are
        # stored, their answers never counted. An accepted comment with no row is lost.
        extra = post["rows_counted"] - post["accepted"]
        if not 0 <= extra <= self.config.connections:
            self.problems.append(
                f"comment_post: {post['accepted']} accepted but {post['rows_counted']} rows stored"
            )
        return rows, memory

    def scaling_column(
        self, database: str, articles: int, worker_class: str, probe: dict | None = None
    ) -> dict:
        """The database path at one size: the response cache is off for these rows."""
        if probe is None:
            probe = run_probe(database, response_cache=False)
            self.check_probe(database, probe, response_cache=False)
        with self.app_server(database, worker_class, response_cache=False) as server:
            self.warm(server, probe)
            rows = {}
            for name in SCALING_ROWS:
                print(f"== {database}, response cache off: {name}", flush=True)
                rows[name] = self.measure(server, probe, name, self.config.scale_seconds)
        return {"database": database, "articles": articles, "facts": probe["facts"], "rows": rows}

    def check_probe(self, database: str, probe: dict, *, response_cache: bool = True) -> None:
        for name, result in probe["endpoints"].items():
            expected = (201, 202) if name == "comment_post" else (200,)
            for phase in ("cold", "warm"):
                if result[phase]["status"] not in expected:
                    self.problems.append(
                        f"{database} {name} ({phase}, in-process): {result[phase]['status']}"
                    )
        warm_queries = [r["warm"]["queries"] for r in probe["endpoints"].values()]
        if not response_cache and not any(warm_queries):
            self.problems.append(
                f"{database}: API_RESPONSE_CACHE=0 did not turn the response cache off"
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
    with psycopg.connect(env.database_url(database)) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    info = redis.Redis.from_url(env.REDIS_URL).info("server")
    gunicorn = first_line([str(env.ROOT / ".venv/bin/gunicorn"), "--version"])
    commit = first_line(["git", "-C", str(env.ROOT), "describe", "--always", "--dirty"])
    import django

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "redis": info.get("redis_version", "?"),
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
    require_services()
    (env.VAR / "static").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    bench = Bench(config)
    seeded = prepare_datasets(config)
    main_db = config.prefix
    probe = run_probe(main_db)
    bench.check_probe(main_db, probe)
    trials = bench.trial(main_db, probe)
    best = max(trials, key=lambda t: t["score"])["worker_class"]
    rows, memory = bench.main_rows(main_db, probe, best)
    columns = [
        bench.scaling_column(f"{config.prefix}_{scale_label(n)}", n, best) for n in config.scales
    ]
    columns.append(bench.scaling_column(main_db, config.sizes.articles, best, probe))
    results = {
        "mode": "smoke" if config.smoke else "full",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(main_db) | {"load_before": load_before},
        "config": {
            "seconds": config.seconds,
            "trial_seconds": config.trial_seconds,
            "scale_seconds": config.scale_seconds,
            "connections": config.connections,
            "wrk_threads": config.threads,
            "workers": 2,
            "worker_class": best,
        },
        "seed": seeded,
        "probe": {k: probe[k] for k in ("facts", "paths", "endpoints", "rows")},
        "trials": trials,
        "rows": rows,
        "memory": memory,
        "scaling": columns,
        "problems": bench.problems,
        "wall_seconds": round(time.monotonic() - started),
    }
    (env.VAR / f"results-{main_db}.json").write_text(json.dumps(results, indent=1))
    markdown = report.render(results)
    config.out.parent.mkdir(parents=True, exist_ok=True)
    config.out.write_text(markdown)
    print(markdown)
    print(f"Written to {config.out.relative_to(env.ROOT)}")
    if bench.problems:
        print("The harness found problems:\n  " + "\n  ".join(bench.problems), file=sys.stderr)
        return 1
    return 0


def parse_args(argv: list[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--smoke", action="store_true", help="tiny data, ~2 s per row: checks the harness works"
    )
    smoke = parser.parse_known_args(argv)[0].smoke
    defaults = (
        seed.Sizes(articles=1000, comments=6000, hot_articles=1, hot_comments=1200)
        if smoke
        else seed.Sizes()
    )
    seed.add_size_flags(parser, defaults)
    parser.add_argument(
        "--scales",
        default="200" if smoke else "1000,10000",
        help="article counts of the scaling curve's smaller datasets (comma-separated)",
    )
    parser.add_argument("--seconds", type=float, default=2 if smoke else 10, help="per row")
    parser.add_argument("--trial-seconds", type=float, default=1 if smoke else 5)
    parser.add_argument("--scale-seconds", type=float, default=1 if smoke else 10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
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
        help=f"rows to profile with py-spy during their run (comma-separated: {', '.join(MAIN_ROWS)})",
    )
    args = parser.parse_args(argv)
    return Config(
        smoke=smoke,
        sizes=seed.parse_sizes(args, defaults),
        scales=[int(n) for n in args.scales.split(",") if n.strip()],
        seconds=args.seconds,
        trial_seconds=args.trial_seconds,
        scale_seconds=args.scale_seconds,
        connections=args.connections,
        threads=args.wrk_threads,
        worker_classes=[w for w in args.worker_classes.split(",") if w],
        reuse_data=args.reuse_data,
        profile=[p for p in args.profile.split(",") if p],
    )


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(parse_args(argv)))
