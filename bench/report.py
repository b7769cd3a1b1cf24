"""The markdown report: the headline ratios first (like for like, one run), then the
rows, the targets (met or missed), the scaling curve, the worker-class trial, memory,
seeding, EXPLAIN findings and profiles."""

from __future__ import annotations

import statistics

from bench import rows as bench_rows

SEED_TARGET = {"articles": 100_000, "comments": 1_000_000, "seconds": 300}
POST_TARGET = 300  # accepted comments per second, on PostgreSQL
CATEGORIES_P50_TARGET_MS = 5


def _labels(facts: dict) -> dict[str, str]:
    labels = {
        "raw": "raw WSGI yardstick (the cached detail's bytes, no framework)",
        "yard_bare_list": "bare-Django list (`.values()` + JsonResponse, the same 20 articles)",
        "yard_drf_list": "plain-DRF list (ModelSerializers, ListAPIView, PageNumberPagination)",
        "yard_bare_detail": "bare-Django detail (`.values()` + JsonResponse, another article each request)",
        "yard_drf_detail": "plain-DRF detail (ModelSerializer, RetrieveAPIView, another article each request)",
        "list": "article list, page 1",
        "list_category": f"article list, `?category={facts['category']}` (a root: descendants)",
        "list_search": f"article list, `?search={facts['search']}`",
        "detail_cold": "article detail, another article each request",
        "detail_cached": "article detail, the same article (a cache hit)",
        "comments_first": f"comment list, first page ({facts['hot_listed']:,}-comment thread)",
        "comments_deep": (
            f"comment list, cursor page {facts['deep_page']} of {facts['hot_pages']} (same thread)"
        ),
        "comments_small": f"comment list, first page ({facts['small_approved']}-comment article)",
        "categories": "categories list",
        "comment_post": "comment POST, whole moderation pipeline (accepted/s)",
    }
    for row in bench_rows.COLD_ROWS:
        labels.setdefault(row.name, labels[row.endpoint])
    return labels


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _rate(row: dict) -> float:
    return row["accepted"] / row["seconds"] if "accepted" in row else row["rps"]


def _rps(results: dict, name: str) -> float:
    return max(results["rows"][name]["rps"], 1e-9)


def _sql(endpoint: dict | None) -> str:
    if not endpoint:
        return "–"
    cold, warm = endpoint["cold"], endpoint["warm"]
    text = (
        str(cold["queries"])
        if cold["queries"] == warm["queries"]
        else (f"{cold['queries']} → {warm['queries']}")
    )
    if cold["transaction_statements"]:
        text += f" ({cold['transaction_statements']} savepoint)"
    return text


def _judged(met: bool | None, smoke: bool) -> str:
    return "–" if met is None or smoke else ("met" if met else "**missed**")


def _ratio(results: dict, name: str, over: str) -> tuple[float, str]:
    ratio = _rps(results, name) / _rps(results, over)
    return ratio, f"{ratio:.2f}× ({_rps(results, name):,.0f} vs {_rps(results, over):,.0f} req/s)"


def _paired(results: dict, name: str, over: str) -> tuple[float, str]:
    """A headline pair's ratio: the median of its alternating rounds (rows.PAIRS) when
    the run has them, with their range and the single 10 s rows beside it."""
    single, figure = _ratio(results, name, over)
    rounds = results.get("pairs", {}).get(f"{name}/{over}")
    if not rounds:
        return single, figure
    median = statistics.median(rounds)
    seconds = results.get("pair_seconds", 3)
    row_seconds = results["config"]["seconds"]
    return median, (
        f"{median:.2f}× (median of {len(rounds)} alternating {seconds:g} s rounds, "
        f"{min(rounds):.2f}–{max(rounds):.2f}; the {row_seconds:g} s rows: {figure})"
    )


def post_figures(results: dict) -> dict:
    """The comment POST row and its rounds together: accepted, stored, lost and 503s over
    all of them; the rate is the median of the rounds' (the 10 s row's without rounds)."""
    runs = [results["rows"]["comment_post"], *results.get("post_rounds", [])]
    rounds = [_rate(run) for run in results.get("post_rounds", [])]
    accepted = sum(run["accepted"] for run in runs)
    stored = sum(run["rows_counted"] for run in runs)
    return {
        "rate": statistics.median(rounds) if rounds else _rate(runs[0]),
        "rounds": rounds,
        "row_rate": _rate(runs[0]),
        "accepted": accepted,
        "stored": stored,
        "lost": sum(max(run["accepted"] - run["rows_counted"], 0) for run in runs),
        "unavailable": sum(run.get("unavailable", run["statuses"].get(503, 0)) for run in runs),
    }


def headlines(results: dict) -> list[tuple[str, str, str, str, bool | None]]:
    """(ratio, how its rows were served, measured, target, met?): issue #15's targets,
    each a quotient of two rows served the same way in this run."""
    out = []
    ratio, figure = _paired(results, "cold_list", "yard_drf_list")
    out.append(("article list ÷ plain-DRF list", "both cold", figure, "≥ 1.0×", ratio >= 1.0))
    ratio, figure = _paired(results, "cold_list", "yard_bare_list")
    out.append(("article list ÷ bare-Django list", "both cold", figure, "≥ 0.8×", ratio >= 0.8))
    ratio, figure = _paired(results, "cold_detail", "yard_bare_detail")
    out.append(
        (
            "article detail ÷ bare-Django detail",
            "both cold, the same articles in the same order",
            figure,
            "≥ 0.8×",
            ratio >= 0.8,
        )
    )
    ratio, figure = _ratio(results, "cold_detail", "yard_drf_detail")
    out.append(
        (
            "article detail ÷ plain-DRF detail",
            "both cold, the same articles in the same order",
            figure,
            "(for reference)",
            None,
        )
    )
    categories = results["rows"]["cold_categories"]
    single = categories["one_connection"]["p50_ms"]
    conns = results["config"]["connections"]
    out.append(
        (
            "categories list, p50 per request",
            "cold, one connection (no queueing)",
            f"{_ms(single)} ms (at {conns} connections: p50 {_ms(categories['p50_ms'])} ms, "
            f"{categories['rps']:,.0f} req/s)",
            f"≤ {CATEGORIES_P50_TARGET_MS} ms",
            single <= CATEGORIES_P50_TARGET_MS,
        )
    )
    post = post_figures(results)
    measured_as = (
        f"median of {len(post['rounds'])} 3 s rounds, {min(post['rounds']):,.0f}–"
        f"{max(post['rounds']):,.0f}; the 10 s row: {post['row_rate']:,.0f}/s; "
        if post["rounds"]
        else ""
    )
    figure = (
        f"{post['rate']:,.0f}/s ({measured_as}{post['unavailable']:,} answered 503, "
        f"{post['lost']} lost; {post['accepted']:,} accepted, {post['stored']:,} rows stored)"
    )
    if results["database"] == "sqlite":
        target = "no 503, none lost (SQLite)"
        met = post["unavailable"] == 0 and post["lost"] == 0
    else:
        target = f"≥ {POST_TARGET}/s, no 503, none lost"
        met = post["rate"] >= POST_TARGET and post["unavailable"] == 0 and post["lost"] == 0
    out.append(("comment POST accepted/s", "writes", figure, target, met))
    ratio, figure = _ratio(results, "detail_cached", "raw")
    out.append(
        (
            "cached detail ÷ raw WSGI",
            "cache hit vs fixed body; both plain wrk (no Lua), same warm-up",
            figure,
            "≥ 0.5×",
            ratio >= 0.5,
        )
    )
    return out


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) — None when this run cannot judge it."""
    rows, probe = results["rows"], results["probe"]["endpoints"]
    out = []
    ratio, figure = _paired(results, "cold_list", "yard_bare_list")
    out.append(("article list page 1 ≥ 0.8× bare-Django req/s (both cold)", figure, ratio >= 0.8))
    queries = probe["list"]["cold"]["queries"]
    out.append(("article list page 1 ≤ 4 SQL queries", f"{queries} (cold cache)", queries <= 4))
    p99 = rows["list"]["p99_ms"]
    conns = results["config"]["connections"]
    out.append(
        (
            f"article list page 1 p99 ≤ 50 ms at {conns} connections (as served, cache on)",
            f"{_ms(p99)} ms (cold: {_ms(rows['cold_list']['p99_ms'])} ms)",
            p99 <= 50,
        )
    )
    ratio, figure = _ratio(results, "detail_cached", "raw")
    out.append(
        ("cached article detail ≥ 0.5× raw-WSGI req/s (both plain wrk)", figure, ratio >= 0.5)
    )
    # Judged on the database path (response cache off): keyset pagination is the point.
    first, deep = rows["cold_comments_first"]["p50_ms"], rows["cold_comments_deep"]["p50_ms"]
    spread = max(first, deep) / max(min(first, deep), 1e-9)
    served = rows["comments_deep"]["p50_ms"] / max(rows["comments_first"]["p50_ms"], 1e-9)
    out.append(
        (
            "comment list first and deep cursor page p50 within 1.2× (response cache off)",
            f"{spread:.2f}× (first {_ms(first)} ms, deep {_ms(deep)} ms; "
            f"as served, cache on: deep ÷ first {served:.2f}×)",
            spread <= 1.2,
        )
    )
    post = post_figures(results)
    sqlite = results["database"] == "sqlite"
    out.append(
        (
            f"comment POST ≥ {POST_TARGET} accepted/s, none lost"
            + (" (a PostgreSQL target)" if sqlite else ""),
            f"{post['rate']:.0f}/s; {post['accepted']:,} accepted (201/202), "
            f"{post['stored']:,} rows stored, {post['lost']} lost, {post['unavailable']} 503",
            None if sqlite else post["rate"] >= POST_TARGET and post["lost"] == 0,
        )
    )
    columns = results["scaling"]
    if len(columns) > 1:
        small, large = columns[0], columns[-1]
        growth = large["rows"]["list"]["p50_ms"] / max(small["rows"]["list"]["p50_ms"], 1e-9)
        out.append(
            (
                f"article list p50 at {large['articles']:,} articles ≤ 1.5× at "
                f"{small['articles']:,} (response cache off)",
                f"{growth:.2f}× ({_ms(large['rows']['list']['p50_ms'])} vs "
                f"{_ms(small['rows']['list']['p50_ms'])} ms)",
                growth <= 1.5,
            )
        )
    if len(columns) > 1 and "list_search" in columns[-1]["rows"]:
        large = columns[-1]
        search, plain = large["rows"]["list_search"]["p50_ms"], large["rows"]["list"]["p50_ms"]
        ratio = search / max(plain, 1e-9)
        figure = f"{ratio:.2f}× ({_ms(search)} vs {_ms(plain)} ms)"
        met = ratio <= 1.5
        # Also measured in alternating rounds (rows.LATENCY_PAIRS): met only when their
        # median and the single rows both are. On this 2-core machine the rounds ranged
        # from 1.00× to 2.28× in one run; one figure alone is not enough to claim it.
        rounds = results.get("pairs", {}).get("p50 cold_list_search/cold_list")
        if rounds:
            median = statistics.median(rounds)
            met = met and median <= 1.5
            figure = (
                f"{median:.2f}× (median of {len(rounds)} alternating "
                f"{results.get('pair_seconds', 3):g} s rounds, {min(rounds):.2f}–"
                f"{max(rounds):.2f}); the single rows: {figure}"
            )
        out.append(
            (
                f"article search p50 at {large['articles']:,} articles ≤ 1.5× the plain list "
                "(response cache off; issue #19): the median of rounds and the single rows",
                figure,
                met,
            )
        )
    if len(columns) > 1 and all("full_scans" in col["facts"] for col in columns):
        scanned = {
            f"{col['articles']:,}": sorted(
                {t for ts in col["facts"]["full_scans"].values() for t in ts}
            )
            for col in columns
        }
        figure = "; ".join(f"{size}: {', '.join(t) or 'none'}" for size, t in scanned.items())
        out.append(
            (
                "article list and search: no large table read whole in EXPLAIN, at any size "
                "(issue #19)",
                figure,
                not any(scanned.values()),
            )
        )
    memory = results["memory"]
    if memory:
        rss = max(w["rss_mb"] for w in memory)
        peak = max(w["peak_mb"] for w in memory)
        out.append(
            (
                "worker RSS ≤ 150 MB after the run",
                f"{rss:.0f} MB (peak during the run {peak:.0f} MB)",
                rss <= 150,
            )
        )
    main = results["seed"][results["scaling"][-1]["database"]]
    sizes = main["sizes"]
    big_enough = (
        sizes["articles"] >= SEED_TARGET["articles"]
        and sizes["comments"] >= SEED_TARGET["comments"]
    )
    if main.get("reused"):
        figure = f"{main['seconds']:.0f} s (recorded when seeded; data reused this run)"
    else:
        figure = f"{main['seconds']:.0f} s"
    out.append(
        (
            "seeding 100k articles + 1M comments < 5 min",
            figure + ("" if big_enough else f" for {sizes['articles']:,} + {sizes['comments']:,}"),
            main["seconds"] < SEED_TARGET["seconds"] if big_enough else None,
        )
    )
    return out


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _endpoint_rows(results: dict, names: list[str], labels: dict, endpoints: dict) -> list:
    table = []
    for name in names:
        row = results["rows"][name]
        spec = bench_rows.ALL[name]
        yardstick = spec.yardstick
        versus = f"{_rate(row) / _rps(results, yardstick):.2f}× {yardstick}" if yardstick else "–"
        single = row.get("one_connection")
        not_ok = sum(n for s, n in row["statuses"].items() if not 200 <= int(s) < 300)
        table.append(
            [
                f"`{name}`: {labels[name]}",
                row["kind"] + (" (plain wrk)" if row["mode"] == "plain" else ""),
                f"{_rate(row):,.0f}",
                _ms(row["p50_ms"]),
                _ms(row["p99_ms"]),
                _ms(single["p50_ms"]) if single else "–",
                _sql(endpoints.get(spec.endpoint)),
                versus,
                f"{not_ok:,}",
            ]
        )
    return table


ENDPOINT_HEADER = [
    "row",
    "served as",
    "req/s",
    "p50 ms",
    "p99 ms",
    "p50 ms, 1 connection",
    "SQL/request",
    "÷ like-for-like yardstick",
    "non-2xx",
]


def render(results: dict) -> str:
    m, c = results["machine"], results["config"]
    facts = results["probe"]["facts"]
    labels = _labels(facts)
    smoke = results["mode"] == "smoke"
    sqlite = results["database"] == "sqlite"
    title = "Benchmark results" + (", SQLite" if sqlite else "")
    lines = [
        f"# {title}{' (smoke run: tiny data, targets not judged)' if smoke else ''}",
        "",
        f"`{results['command']}` on {results['date']}, commit `{m['commit']}`; "
        f"{results['wall_seconds'] // 60} min {results['wall_seconds'] % 60} s in all. What "
        "each row means and how the headlines are judged: [bench/README.md](../README.md).",
        "",
        "## Headline ratios (like-for-like, one run)",
        "",
    ]
    lines += _table(
        ["ratio", "rows served as", "measured", "target", "met?"],
        [
            [name, served, figure, target, _judged(met, smoke)]
            for name, served, figure, target, met in headlines(results)
        ],
    )
    lines += [
        "",
        "Cold: the project with its response cache off (`API_RESPONSE_CACHE=0`), every "
        "request runs its queries, next to the yardsticks on the same server (their /bench/ "
        "paths are never cached). Cache hit: the response cache on, the same request again. "
        "A cache hit is only ever divided by the raw WSGI yardstick. The cold pairs (list "
        "and detail against their yardsticks) are also run in alternating short rounds after "
        "the rows (A, B, A, B, ...), and judged by the median of the rounds' ratios: one 10 s "
        "window of a shared machine can move a ratio by a tenth.",
        "",
        f"- Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gb']} GB; Python {m['python']}, "
        f"Django {m['django']}, {m['database']}, cache: {m['cache']}. Load average "
        f"{m['load_before']:.1f} before the run, {m['load_average']:.1f} after (other work on "
        "the machine competes for its CPUs).",
        f"- Server: gunicorn {m['gunicorn']}, {c['workers']} worker"
        f"{'s' if c['workers'] != 1 else ''}, worker class `{c['worker_class']}` (best of the "
        "trial below); production settings (DEBUG off); everything on this one machine.",
        f"- Load: {m['wrk']}, {c['wrk_threads']} threads, {c['connections']} connections, "
        f"{c['seconds']:g} s per row after a cache flush and a warm-up; 127.0.0.1. Cold rows "
        f"again for {c['latency_seconds']:g} s at one connection.",
        "- Response cache (the project's, `plumbing/response_cache/`), cache-on server: "
        + (
            "a repeated read runs no SQL (the SQL column's → 0)."
            if results["probe"]["endpoints"]["list"]["warm"]["queries"] == 0
            else "**not answering repeated reads** (the SQL column shows no → 0)."
        ),
        f"- Data: {results['probe']['rows']['articles']:,} articles "
        f"({facts['visible_articles']:,} visible), {results['probe']['rows']['comments']:,} "
        "comments.",
        "",
        "## Endpoints",
        "",
        "### The project as in production (response cache on), and the raw WSGI yardstick",
        "",
    ]
    measured = results["rows"]
    cached = ["raw"] + [r.name for r in bench_rows.CACHED if r.name in measured]
    lines += _table(
        ENDPOINT_HEADER, _endpoint_rows(results, cached, labels, results["probe"]["endpoints"])
    )
    lines += [
        "",
        "### Response cache off (cold), next to the bare-Django and plain-DRF yardsticks",
        "",
    ]
    cold = [r.name for r in bench_rows.COLD_ROWS if r.name in measured]
    lines += _table(
        ENDPOINT_HEADER,
        _endpoint_rows(results, cold, labels, results["cold_probe"]["endpoints"]),
    )
    post = measured["comment_post"]
    lines += [
        "",
        "SQL/request: counted in-process on the same database, first request → second "
        "(cache-on rows: cold cache → warm; cold rows: with the response cache off, what "
        "remains cached is the list's stored total). p50 at 1 connection: the time a "
        "request takes when it never waits for a worker. The cache miss row asks for "
        "another article each request; once the run wraps around the list of articles "
        "(small datasets) its requests are hits. Comment POST: "
        f"{post['accepted']:,} accepted (201/202) in {post['seconds']:.1f} s, "
        f"{post['rows_counted']:,} rows counted afterwards (a request still in flight when "
        "wrk stops is stored but not counted as answered); statuses "
        + ", ".join(f"{status}: {n:,}" for status, n in sorted(post["statuses"].items()))
        + ".",
        "",
    ]
    lines += _cpu_section(results, labels)
    lines += [
        "## Targets (issue #5)",
        "",
    ]
    lines += _table(
        ["target", "measured", "met?"],
        [[name, figure, _judged(met, smoke)] for name, figure, met in targets(results)],
    )
    columns = results["scaling"]
    if len(columns) > 1:
        lines += _scaling(columns, c)
    lines += ["", "## Worker class trial", ""]
    trial_rows = list(results["trials"][0]["rows"])
    lines += _table(
        ["worker class", *[f"`{n}` req/s" for n in trial_rows], "geometric mean"],
        [
            [
                f"`{t['worker_class']}`"
                + (" (chosen)" if t["worker_class"] == c["worker_class"] else ""),
                *[f"{t['rows'][n]['rps']:,.0f}" for n in trial_rows],
                f"{t['score']:,.0f}",
            ]
            for t in results["trials"]
        ],
    )
    lines += [
        "",
        f"{c['trial_seconds']:g} s per row, {c['workers']} worker"
        f"{'s' if c['workers'] != 1 else ''}. `gthread:N` = N threads per worker.",
        "",
    ]
    lines += ["## Worker memory after the run", ""]
    lines += _table(
        ["worker", "peak RSS (VmHWM) MB", "RSS now (VmRSS) MB"],
        [[str(w["pid"]), f"{w['peak_mb']:.0f}", f"{w['rss_mb']:.0f}"] for w in results["memory"]],
    )
    lines += ["", "## Seeding", ""]
    lines += _table(
        ["database", "articles", "comments", "seconds", "where the time went (s)"],
        [
            [
                f"`{db}`",
                f"{s['sizes']['articles']:,}",
                f"{s['comments']:,}",
                f"{s['seconds']:.1f}" + (" (reused)" if s.get("reused") else ""),
                ", ".join(f"{k} {v:g}" for k, v in s["timings"].items()),
            ]
            for db, s in results["seed"].items()
        ],
    )
    scan = "`SCAN` (no index)" if sqlite else "`Seq Scan`"
    lines += ["", f"## Full scans of large tables: {scan} in the EXPLAIN of every query above", ""]
    found = False
    for probe in ("probe", "cold_probe"):
        for name, endpoint in results[probe]["endpoints"].items():
            for scan in endpoint["seq_scans"]:
                found = True
                sql = " ".join(scan["sql"].split())[:160]
                label = labels.get(name, name)
                lines.append(
                    f"- {label} ({probe.replace('_', ' ')}): `{scan['table']}` in `{sql}…`"
                )
    if not found:
        lines.append("None.")
    profiled = {n: r["profile"] for n, r in measured.items() if r.get("profile")}
    for name, profile in profiled.items():
        lines += ["", f"## Profile: {labels[name]} (py-spy)", ""]
        if "error" in profile:
            lines.append(profile["error"])
            continue
        lines.append(f"{profile['samples']:,} samples; self time, then inclusive:")
        lines.append("")
        lines += _table(
            ["self", "function"], [[f"{s:.1%}", f"`{f}`"] for f, s in profile["self"][:10]]
        )
        lines.append("")
        lines += _table(
            ["inclusive", "function"], [[f"{s:.1%}", f"`{f}`"] for f, s in profile["inclusive"]]
        )
    if results["problems"]:
        lines += ["", "## Problems found by the harness", ""]
        lines += [f"- {p}" for p in results["problems"]]
    return "\n".join(lines) + "\n"


CPU_ROWS = (
    "comment_post",
    "cold_list",
    "cold_list_search",
    "yard_bare_list",
    "yard_drf_list",
    "cold_detail",
)
CPU_GROUPS = ("app", "PostgreSQL", "Redis", "wrk", "other", "machine")


def _cpu_section(results: dict, labels: dict) -> list[str]:
    """CPU milliseconds per request by process group (bench/cpu.py), for the rows whose
    rate the machine's cores bound."""
    measured = results["rows"]
    names = [n for n in CPU_ROWS if measured.get(n, {}).get("cpu_ms")]
    if not names:
        return []
    lines = ["## Where the CPU went (ms of CPU per request, by process)", ""]
    lines += _table(
        ["row", *CPU_GROUPS[:-1], "machine in all", "the cores allow (req/s)", "measured"],
        [
            [
                f"`{n}`",
                *[f"{measured[n]['cpu_ms'][g]:.2f}" for g in CPU_GROUPS],
                f"{measured[n]['cpu_ms']['ceiling_per_s']:,.0f}",
                f"{_rate(measured[n]):,.0f}",
            ]
            for n in names
        ],
    )
    return lines + [
        "",
        "User + system time read from /proc before and after each row's wrk run (and "
        "every half second between, so a process that ends mid-row, such as a database "
        "connection closed after its maximum age, keeps its time), divided "
        "by the requests answered: the app's gunicorn workers, every PostgreSQL and Redis "
        "process, wrk (the harness's waited-for children), and the rest of the machine "
        "(the kernel's network stack, other processes). The cores allow: the machine's CPU "
        "count ÷ the machine's CPU per request, the rate at which every core would be busy "
        "with this row alone.",
        "",
    ]


def _search_scaling(columns: list[dict]) -> list[list[str]]:
    """The search's rows under the curve (issue #19): its p50 ÷ the plain list's at each
    size, how many articles it found (its count: the SEARCH_RANK_WINDOW at most), and the
    large tables the EXPLAIN of the list's and the search's queries read whole."""
    if "list_search" not in columns[0]["rows"]:
        return []
    ratios = [
        col["rows"]["list_search"]["p50_ms"] / max(col["rows"]["list"]["p50_ms"], 1e-9)
        for col in columns
    ]
    rows = [["search p50 ÷ plain list p50", *[f"{r:.2f}×" for r in ratios], ""]]
    if all("full_scans" in col["facts"] for col in columns):
        found = [f"{col['facts']['search_found']:,}" for col in columns]
        rows.append([f"search: articles found (`{columns[-1]['facts']['search']}`)", *found, ""])
        rows.append(["EXPLAIN: large tables read whole (list; search)", *map(_scans, columns), ""])
    return rows


def _scans(column: dict) -> str:
    scans = column["facts"]["full_scans"]
    if not any(scans.values()):
        return "none"
    return "; ".join(", ".join(f"`{t}`" for t in scans[name]) or "none" for name in scans)


def _scaling(columns: list[dict], c: dict) -> list[str]:
    lines = [
        "",
        "## Scaling curve: the database path (response cache off; p50 ms, req/s in brackets)",
        "",
    ]
    header = ["row"] + [f"{col['articles']:,} articles" for col in columns]
    header.append(f"{columns[-1]['articles']:,} ÷ {columns[0]['articles']:,}")
    table = []
    for name in columns[0]["rows"]:
        label = _labels(columns[-1]["facts"])[name]
        cells = [
            f"{_ms(col['rows'][name]['p50_ms'])} ({col['rows'][name]['rps']:,.0f})"
            for col in columns
        ]
        growth = columns[-1]["rows"][name]["p50_ms"] / max(columns[0]["rows"][name]["p50_ms"], 1e-9)
        table.append([label, *cells, f"{growth:.2f}×"])
    table += _search_scaling(columns)
    lines += _table(header, table)
    lines += [
        "",
        f"{c['scale_seconds']:g} s per cell (the last column: the cold rows above, "
        f"{c['seconds']:g} s each), `API_RESPONSE_CACHE=0`, so every request runs the "
        "queries (the cached rows are flat by construction). Each column its own database, "
        "with a thread as long as the main one's and a 100-comment article: "
        + "; ".join(
            f"{col['articles']:,} articles: thread {col['facts']['hot_listed']:,} comments, "
            f"deep page {col['facts']['deep_page']}"
            for col in columns
        )
        + ".",
    ]
    return lines
