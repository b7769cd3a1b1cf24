"""The read benchmark through the cluster's Varnish and through one app node directly
(`make cluster` must be up; issue #20, docs/deployment.md "Numbers from the cluster"):

    .venv/bin/python -m bench.cluster_reads [--front URL] [--node URL] [--redis URL]
                                            [--seconds 5] [--rounds 3]

The same paths (article list, article detail, categories, a comment thread), the same
wrk (2 threads, 16 connections, no Lua script, `--latency`), alternating rounds, one
run. Through Varnish a repeated read is a Varnish hit (the app is not asked); through the
node it is the app's own response cache (a Redis hit). Both are cache hits: the ratio
says what the shared cache in front buys over the app's own; the cold path (response
cache off) is `make bench`'s to measure.

Then Redis memory per cached answer: the used memory before and after N distinct
article details are read through the node (each stored once by the response cache).
Writes bench/results/cluster.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench import load

RESULTS = Path(__file__).with_name("results") / "cluster.md"


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.loads(answer.read())


def _redis_used_memory(redis_url: str) -> int:
    host_port, _, db = redis_url.removeprefix("redis://").partition("/")
    host, _, port = host_port.partition(":")
    done = subprocess.run(
        ["redis-cli", "-h", host, "-p", port or "6379", "-n", db or "0", "INFO", "memory"],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stdout.splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":", 1)[1])
    raise RuntimeError(f"no used_memory in {done.stdout!r}")


def _paths(front: str) -> dict[str, str]:
    articles = _get_json(f"{front}/api/v1/articles/?page_size=50")["results"]
    busiest = max(articles, key=lambda a: a["comment_count"])
    return {
        "article list (20)": "/api/v1/articles/",
        "article detail": f"/api/v1/articles/{articles[0]['slug']}/",
        "categories": "/api/v1/categories/",
        "comment thread": f"/api/v1/articles/{busiest['slug']}/comments/",
    }


def _measure(url: str, seconds: float) -> load.Measurement:
    return load.run_wrk(url, seconds=seconds, connections=16, threads=2, mode="plain")


def _growth(redis_url: str, urls: list[str]) -> float:
    """Bytes of Redis memory per URL read once (each answer stored once)."""
    before = _redis_used_memory(redis_url)
    for url in urls:
        with urllib.request.urlopen(url, timeout=30) as answer:
            answer.read()
    return (_redis_used_memory(redis_url) - before) / max(len(urls), 1)


def _memory_per_answer(node: str, redis_url: str, count: int) -> dict[str, tuple[int, float]]:
    """{kind: (answers read, bytes of Redis memory per stored answer)} for article
    details and list pages of 20 (each read once, so each stored once)."""
    slugs: list[str] = []
    page = 1
    while len(slugs) < count:
        found = _get_json(f"{node}/api/v1/articles/?page_size=100&page={page}&ordering=title")
        slugs += [a["slug"] for a in found["results"]]
        if not found["next"]:
            break
        page += 1
    details = [f"{node}/api/v1/articles/{slug}/" for slug in slugs[:count]]
    pages = [f"{node}/api/v1/articles/?page={n}" for n in range(2, 2 + max(len(details) // 20, 1))]
    return {
        "article detail": (len(details), _growth(redis_url, details)),
        "article list page (20)": (len(pages), _growth(redis_url, pages)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--front", default="http://127.0.0.1:8100", help="Varnish")
    parser.add_argument("--node", default="http://127.0.0.1:8101", help="one app node")
    parser.add_argument("--redis", default="redis://127.0.0.1:6380/0", help="the cluster's")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--details", type=int, default=300, help="for the memory figure")
    parser.add_argument(
        "--memory-node",
        help="measure Redis memory per answer through this node instead (a larger dataset)",
    )
    parser.add_argument("--memory-redis", help="that node's Redis")
    args = parser.parse_args(argv)
    load.require_wrk()

    paths = _paths(args.front)
    rows = []
    for label, path in paths.items():
        for base in (args.front, args.node):  # warm both: the first read stores the answer
            urllib.request.urlopen(base + path, timeout=30).read()
        runs: dict[str, list[load.Measurement]] = {"front": [], "node": []}
        for _ in range(args.rounds):
            runs["front"].append(_measure(args.front + path, args.seconds))
            runs["node"].append(_measure(args.node + path, args.seconds))
        medians = {
            side: (
                statistics.median(m.rps for m in measured),
                statistics.median(m.p50_ms for m in measured),
                statistics.median(m.p99_ms for m in measured),
                sum(m.not_ok + m.errors for m in measured),
            )
            for side, measured in runs.items()
        }
        rows.append((label, path, medians))
        print(label, medians, flush=True)

    memory_node = args.memory_node or args.node
    memory = _memory_per_answer(memory_node, args.memory_redis or args.redis, args.details)
    print(f"Redis memory per stored answer: {memory}", flush=True)

    lines = [
        "# Reads through Varnish and through one app node (`python -m bench.cluster_reads`)",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
        f"wrk 2 threads, 16 connections, no script, {args.rounds} alternating rounds of "
        f"{args.seconds:g} s per side, medians. Both sides are cache hits: Varnish's own "
        "(the app is not asked) against the app's response cache (one Redis round trip).",
        "",
        "| read | path | Varnish req/s | node req/s | Varnish ÷ node | p50 Varnish / node "
        "| p99 Varnish / node | non-2xx or errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, path, m in rows:
        front, node = m["front"], m["node"]
        lines.append(
            f"| {label} | `{path}` | {front[0]:,.0f} | {node[0]:,.0f} | "
            f"{front[0] / max(node[0], 1e-9):.2f}× | {front[1]:.2f} / {node[1]:.2f} ms | "
            f"{front[2]:.2f} / {node[2]:.2f} ms | {front[3] + node[3]} |"
        )
    lines += [
        "",
        f"Redis memory per stored answer (the response cache's entry), from `used_memory` "
        f"before and after each answer was read once through {memory_node}:",
        "",
        "| answer | read | bytes each |",
        "|---|---:|---:|",
        *(f"| {kind} | {n} | {each:,.0f} |" for kind, (n, each) in memory.items()),
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"{time.monotonic() - started:.0f} s")
