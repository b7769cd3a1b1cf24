"""The benchmark's rows: what each one requests, how wrk requests it, on which server,
and which yardstick it is compared with like for like.

Three servers take part, one after the other, in every run:

- the raw WSGI yardstick (bench/raw_wsgi.py), its own gunicorn;
- the project with its response cache on, as in production (`CACHED`): a repeated read
  is a cache hit;
- the project with the response cache off (`API_RESPONSE_CACHE=0`, `COLD`): every
  request runs its queries, as the bare-Django and plain-DRF yardsticks always do (their
  /bench/ paths are not public API routes, so the response cache never sees them).

A headline ratio divides two rows of the same kind served the same way: a cold row by
a yardstick on the cold server, the cache hit by the raw WSGI yardstick (both in wrk's
`plain` mode, bench/load.py). A cache hit is never divided by an uncached yardstick.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a row measures.
YARDSTICK = "yardstick"  # never cached: the yardsticks
HIT = "cache hit"  # response cache on, the same request again and again
MISS = "cache miss"  # response cache on, another article each request (stored, rarely hit)
COLD = "cold"  # response cache off
WRITE = "write"


@dataclass(frozen=True)
class Row:
    name: str
    endpoint: str  # the probe's name of what it requests (bench/probe.py)
    kind: str
    mode: str = "get"  # bench/load.py: get, paths (a file of paths), post, plain (no script)
    yardstick: str | None = None  # the like-for-like row its req/s is divided by


RAW = Row("raw", "raw", YARDSTICK, "plain")
CACHED = [
    # First, right after the raw yardstick it is compared with.
    Row("detail_cached", "detail_cached", HIT, "plain", yardstick="raw"),
    Row("list", "list", HIT),
    Row("list_category", "list_category", HIT),
    Row("list_search", "list_search", HIT),
    Row("detail_cold", "detail_cold", MISS, "paths"),
    Row("comments_first", "comments_first", HIT),
    Row("comments_deep", "comments_deep", HIT),
    Row("comments_small", "comments_small", HIT),
    Row("categories", "categories", HIT),
    Row("comment_post", "comment_post", WRITE, "post"),  # last: it adds (pending) comments
]
# Rows compared with each other run next to each other (less drift between them).
COLD_ROWS = [
    Row("yard_bare_list", "yard_bare_list", YARDSTICK),
    Row("yard_drf_list", "yard_drf_list", YARDSTICK, yardstick="yard_bare_list"),
    Row("cold_list", "list", COLD, yardstick="yard_bare_list"),
    Row("cold_list_category", "list_category", COLD, yardstick="yard_bare_list"),
    Row("cold_list_search", "list_search", COLD),
    Row("cold_detail", "detail_cold", COLD, "paths", yardstick="yard_bare_detail"),
    Row("yard_bare_detail", "yard_bare_detail", YARDSTICK, "paths"),
    Row("yard_drf_detail", "yard_drf_detail", YARDSTICK, "paths", yardstick="yard_bare_detail"),
    Row("cold_categories", "categories", COLD),
    Row("cold_comments_first", "comments_first", COLD),
    Row("cold_comments_deep", "comments_deep", COLD),
    Row("cold_comments_small", "comments_small", COLD),
]
ALL = {row.name: row for row in [RAW, *CACHED, *COLD_ROWS]}
# The worker-class trial's rows, on the cached server.
TRIAL = ["list", "detail_cached", "comments_first"]
# The scaling curve: its rows on the smaller datasets (response cache off), and the main
# dataset's cold row that gives the curve's last column.
SCALING = {
    "list": "cold_list",
    "list_search": "cold_list_search",
    "detail_cold": "cold_detail",
    "categories": "cold_categories",
    "comments_first": "cold_comments_first",
    "comments_deep": "cold_comments_deep",
    "comments_small": "cold_comments_small",
}

# The headline pairs, measured again in alternating short runs (A, B, A, B, ...) on the
# same server after the rows above: one 10 s window of a shared machine can move a ratio
# by a tenth, so the headlines are judged by the median of the rounds' ratios.
PAIRS = (
    ("cold_list", "yard_bare_list"),
    ("cold_list", "yard_drf_list"),
    ("cold_detail", "yard_bare_detail"),
)
# Pairs judged by latency (p50 over p50) in the same alternating rounds: the search
# against the plain list (issue #19), whose single 10 s rows moved the ratio from 1.70×
# to 2.41× between two runs of the same commit.
LATENCY_PAIRS = (("cold_list_search", "cold_list"),)
