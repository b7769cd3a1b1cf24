"""The markdown report: the rows, the targets (met or missed, with the ratios), the
scaling curve, the worker-class trial, memory, seeding, EXPLAIN findings and profiles."""

from __future__ import annotations

SEED_TARGET = {"articles": 100_000, "comments": 1_000_000, "seconds": 300}


def _labels(facts: dict) -> dict[str, str]:
    return {
        "bare": "bare Django yardstick (`.values()` + JsonResponse, the same 20 articles)",
        "raw": "raw WSGI yardstick (a fixed JSON body of the same size)",
        "list": "article list, page 1",
        "list_category": f"article list, `?category={facts['category']}` (a root: descendants)",
        "list_search": f"article list, `?search={facts['search']}`",
        "detail_cold": "article detail, cold (another article each request)",
        "detail_cached": "article detail, cached (the same article)",
        "comments_first": f"comment list, first page ({facts['hot_listed']:,}-comment thread)",
        "comments_deep": (
            f"comment list, cursor page {facts['deep_page']} of {facts['hot_pages']} (same thread)"
        ),
        "comments_small": f"comment list, first page ({facts['small_approved']}-comment article)",
        "categories": "categories list",
        "comment_post": "comment POST, whole moderation pipeline (accepted/s)",
    }


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _rate(row: dict) -> float:
    return row["accepted"] / row["seconds"] if "accepted" in row else row["rps"]


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


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) — None when this run cannot judge it."""
    rows, probe = results["rows"], results["probe"]["endpoints"]
    bare, raw = max(rows["bare"]["rps"], 1e-9), max(rows["raw"]["rps"], 1e-9)
    out = []
    ratio = rows["list"]["rps"] / bare
    uncached = results["scaling"][-1]["rows"]["list"]["rps"]
    out.append(
        (
            "article list page 1 ≥ 0.8× bare-Django req/s",
            f"{ratio:.2f}× ({rows['list']['rps']:.0f} vs {bare:.0f} req/s; response cache "
            f"off: {uncached / bare:.2f}×, {uncached:.0f} req/s)",
            ratio >= 0.8,
        )
    )
    queries = probe["list"]["cold"]["queries"]
    out.append(("article list page 1 ≤ 4 SQL queries", f"{queries} (cold cache)", queries <= 4))
    p99 = rows["list"]["p99_ms"]
    conns = results["config"]["connections"]
    out.append(
        (f"article list page 1 p99 ≤ 50 ms at {conns} connections", f"{_ms(p99)} ms", p99 <= 50)
    )
    ratio = rows["detail_cached"]["rps"] / raw
    out.append(
        (
            "cached article detail ≥ 0.5× raw-WSGI req/s",
            f"{ratio:.2f}× ({rows['detail_cached']['rps']:.0f} vs {raw:.0f} req/s)",
            ratio >= 0.5,
        )
    )
    # Judged on the database path (response cache off): keyset pagination is the point.
    uncached = results["scaling"][-1]["rows"]
    first, deep = uncached["comments_first"]["p50_ms"], uncached["comments_deep"]["p50_ms"]
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
    post = rows["comment_post"]
    rate, lost = _rate(post), max(post["accepted"] - post["rows_counted"], 0)
    out.append(
        (
            "comment POST ≥ 300 accepted/s, none lost",
            f"{rate:.0f}/s; {post['accepted']:,} accepted (201/202), "
            f"{post['rows_counted']:,} rows stored, {lost} lost",
            rate >= 300 and lost == 0,
        )
    )
    columns = results["scaling"]
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


def render(results: dict) -> str:
    m, c = results["machine"], results["config"]
    facts = results["probe"]["facts"]
    labels = _labels(facts)
    smoke = results["mode"] == "smoke"
    lines = [
        f"# Benchmark results{' (smoke run: tiny data, targets not judged)' if smoke else ''}",
        "",
        f"`{'make bench-smoke' if smoke else 'make bench'}` on {results['date']}, commit "
        f"`{m['commit']}`; {results['wall_seconds'] // 60} min {results['wall_seconds'] % 60} s "
        "in all. What each row means: [bench/README.md](../README.md).",
        "",
        f"- Machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gb']} GB; Python {m['python']}, "
        f"Django {m['django']}, PostgreSQL {m['postgresql']}, Redis {m['redis']}. Load "
        f"average {m['load_before']:.1f} before the run, {m['load_average']:.1f} after "
        "(other work on the machine competes for its CPUs).",
        f"- Server: gunicorn {m['gunicorn']}, {c['workers']} workers, worker class "
        f"`{c['worker_class']}` (best of the trial below); production settings (DEBUG off), "
        "Redis cache; everything on this one machine.",
        f"- Load: {m['wrk']}, {c['wrk_threads']} threads, {c['connections']} connections, "
        f"{c['seconds']:g} s per row after a Redis flush and a warm-up; 127.0.0.1.",
        "- Response cache (the project's, `plumbing/response_cache/`): "
        + (
            "on: a repeated read runs no SQL (the SQL column's → 0)."
            if results["probe"]["endpoints"]["list"]["warm"]["queries"] == 0
            else "not answering repeated reads (the SQL column shows no → 0)."
        ),
        f"- Data: {results['probe']['rows']['articles']:,} articles "
        f"({facts['visible_articles']:,} visible), {results['probe']['rows']['comments']:,} "
        "comments.",
        "",
        "## Endpoints",
        "",
    ]
    rows, endpoints = results["rows"], results["probe"]["endpoints"]
    bare = max(rows["bare"]["rps"], 1e-9)
    table = []
    for name, row in rows.items():
        table.append(
            [
                labels[name],
                f"{_rate(row):,.0f}",
                _ms(row["p50_ms"]),
                _ms(row["p99_ms"]),
                _sql(endpoints.get(name)),
                f"{_rate(row) / bare:.2f}×",
                f"{sum(n for s, n in row['statuses'].items() if not 200 <= int(s) < 300):,}",
            ]
        )
    lines += _table(
        ["row", "req/s", "p50 ms", "p99 ms", "SQL/request", "× bare Django", "non-2xx"], table
    )
    post = rows["comment_post"]
    lines += [
        "",
        f"SQL/request: counted in-process on the same database, cold cache → warm cache. "
        f"Comment POST: {post['accepted']:,} accepted (201/202) in {post['seconds']:.1f} s, "
        f"{post['rows_counted']:,} rows counted afterwards (a request still in flight when "
        f"wrk stops is stored but not counted as answered); statuses "
        + ", ".join(f"{status}: {n:,}" for status, n in sorted(post["statuses"].items()))
        + ".",
        "",
        "## Targets",
        "",
    ]
    lines += _table(
        ["target", "measured", "met?"],
        [
            [name, figure, "–" if met is None or smoke else ("met" if met else "**missed**")]
            for name, figure, met in targets(results)
        ],
    )
    lines += [
        "",
        "## Scaling curve: the database path (response cache off; p50 ms, req/s in brackets)",
        "",
    ]
    columns = results["scaling"]
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
    lines += _table(header, table)
    lines += [
        "",
        f"{c['scale_seconds']:g} s per cell, `API_RESPONSE_CACHE=0`, so every request runs "
        "the queries (the cached rows above are flat by construction). Each column its own "
        "database, with a thread as long as the main one's and a 100-comment article: "
        + "; ".join(
            f"{col['articles']:,} articles: thread {col['facts']['hot_listed']:,} comments, "
            f"deep page {col['facts']['deep_page']}"
            for col in columns
        )
        + ".",
        "",
        "## Worker class trial",
        "",
    ]
    trial_rows = list(results["trials"][0]["rows"])
    lines += _table(
        ["worker class", *[f"{labels[n]} req/s" for n in trial_rows], "geometric mean"],
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
    lines += ["", f"{c['trial_seconds']:g} s per row. `gthread:N` = N threads per worker.", ""]
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
    lines += ["", "## Sequential scans on large tables (EXPLAIN of every query above)", ""]
    found = False
    for name, endpoint in endpoints.items():
        for scan in endpoint["seq_scans"]:
            found = True
            sql = " ".join(scan["sql"].split())[:160]
            lines.append(f"- {labels[name]}: `Seq Scan on {scan['table']}` in `{sql}…`")
    if not found:
        lines.append("None.")
    profiled = {n: r["profile"] for n, r in rows.items() if r.get("profile")}
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
