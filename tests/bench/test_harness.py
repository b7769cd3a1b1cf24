"""The benchmark harness reads wrk's plain report and SQLite's query plans right."""

import pytest

from bench.load import UNKNOWN_ERROR_STATUS, parse_plain
from bench.probe import full_scans

WRK_REPORT = """Running 10s test @ http://127.0.0.1:4000/api/v1/articles/x/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.24ms    1.43ms   1.20s    79.27%
    Req/Sec     2.46k   105.81     2.60k    65.00%
  Latency Distribution
     50%  829.00us
     75%    2.76ms
     90%    4.20ms
     99%   12.57ms
  49200 requests in 10.00s, 190.91MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 12
Requests/sec:   4919.50
Transfer/sec:     19.09MB
"""


def test_plain_wrk_report_becomes_a_measurement():
    measured = parse_plain(WRK_REPORT)

    assert measured.requests == 49200
    assert round(measured.rps, 2) == 4919.50
    assert [measured.p50_ms, measured.p90_ms, measured.p99_ms] == pytest.approx([0.829, 4.2, 12.57])
    assert measured.max_ms == 1200
    assert measured.statuses == {200: 49188, UNKNOWN_ERROR_STATUS: 12}
    assert measured.not_ok == 12
    assert measured.socket_errors == {"read": 2, "timeout": 3}


def test_a_clean_plain_report_has_no_errors():
    clean = "\n".join(
        line for line in WRK_REPORT.splitlines() if not line.strip().startswith(("Socket", "Non"))
    )

    measured = parse_plain(clean)

    assert measured.statuses == {200: 49200} and measured.socket_errors == {}


def test_sqlite_scans_are_named_by_the_table_of_their_own_subquery():
    sql = (
        'SELECT "articles_category"."id", (SELECT SUM(U0."n") FROM "articles_category" U0 '
        'WHERE U0."tree_path" LIKE "x"), (SELECT COUNT(U0."id") FROM "articles_article" U0 '
        'INNER JOIN "articles_category" U1 ON (U0."category_id" = U1."id")) '
        'FROM "articles_category"'
    )
    plan = [
        "SCAN articles_category USING INDEX articles_category_tree_path",
        "CORRELATED SCALAR SUBQUERY 1",
        "SCAN U0",
        "CORRELATED SCALAR SUBQUERY 2",
        "SCAN U0",
        "SEARCH U1 USING INTEGER PRIMARY KEY (rowid=?)",
    ]

    assert full_scans(sql, plan) == ["articles_category", "articles_article"]


def test_postgresql_sequential_scans_are_found():
    plan = ["Limit  (cost=0.29..1.2 rows=20)", "  ->  Seq Scan on comments_comment u0"]

    assert full_scans("SELECT 1", plan) == ["comments_comment"]
