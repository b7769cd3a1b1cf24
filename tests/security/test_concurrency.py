"""Concurrent readers and moderators against a live server on PostgreSQL.

These tests use pytest-django's `live_server`: a real threaded HTTP server in this
process, each request in its own thread with its own database connection, on a
transactional test database (rows written here are committed and seen by the server).
That is what makes the transactions really overlap: F() increments, row locks taken by
the moderation service, and the flood gate meeting twenty simultaneous posts.

Decision (docs): they run on CI's PostgreSQL leg only. SQLite serializes every writer
on one file lock, so the races these tests look for cannot happen there, and a
threaded server on SQLite mostly measures lock waits.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from articles.models import Article
from comments.api.public.throttles import CommentPostThrottle
from comments.models import Comment
from tests.comments.helpers import set_policy
from tests.factories import ArticleFactory, StaffUserFactory
from tests.security.helpers import Answer, fetch

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=(
            "concurrency tests run on the PostgreSQL leg only (DATABASE_URL=postgres://...): "
            "SQLite serializes writers, so these races cannot happen there"
        ),
    ),
]

REQUEST_TIMEOUT = 15  # seconds, for every HTTP request
POSTS = 200
WORKERS = 32
KNOWN_AUTHORS = 70  # every third post comes from one of them: approved at once (201)
THREAD_PARENTS = 4  # every fifth post replies to one of these approved comments
FLOOD_ATTEMPTS = 20
RAISED_RATES = {
    "comment_post": "100000/minute",
    "comment_flag": "100000/minute",
    "comment_edit": "100000/minute",
    "privacy_request": "100000/minute",
}


http = partial(fetch, timeout=REQUEST_TIMEOUT)


@pytest.fixture
def live_settings(settings, monkeypatch):
    """One proxy in front (so each simulated client brings its IP in X-Forwarded-For) and
    throttle rates high enough that only the moderation pipeline refuses anything."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RAISED_RATES}
    # DRF binds SimpleRateThrottle.THROTTLE_RATES at import time; the settings override
    # alone would not reach the throttle classes.
    monkeypatch.setattr(CommentPostThrottle, "THROTTLE_RATES", RAISED_RATES)
    return settings


def seed_approved(article, n: int, *, prefix: str) -> list[Comment]:
    """Approved, listed comments an hour old (outside any flood interval)."""
    long_ago = timezone.now() - timedelta(hours=1)
    comments = Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"{prefix} {i}",
            author_email=f"{prefix}{i}@known.example",
            body=f"Earlier comment {prefix} {i}.",
            status=Comment.Status.APPROVED,
            is_listed=True,
            submitted_at=long_ago + timedelta(seconds=i),
            ip_address=f"192.0.2.{i % 250 + 1}",
        )
        for i in range(n)
    )
    Article.objects.filter(pk=article.pk).update(comment_count=len(comments))
    return comments


def listed_consistently(article) -> list[str]:
    """Problems with is_listed: it must be "approved and the parent listed"."""
    rows = {
        pk: (parent_id, status, is_listed)
        for pk, parent_id, status, is_listed in Comment.objects.filter(article=article).values_list(
            "pk", "parent_id", "status", "is_listed"
        )
    }
    problems = []
    for pk, (parent_id, status, is_listed) in rows.items():
        parent_listed = parent_id is None or rows[parent_id][2]
        expected = status == Comment.Status.APPROVED and parent_listed
        if is_listed != expected:
            problems.append(f"comment {pk} ({status}, parent {parent_id}): is_listed={is_listed}")
    return problems


def public_list_ids(base: str, slug: str) -> set[int]:
    ids: set[int] = set()
    url = f"{base}/api/v1/articles/{slug}/comments/?page_size=100"
    while url:
        answer = http("GET", url)
        assert answer.status == 200, answer
        ids.update(item["id"] for item in answer.body["results"])
        url = answer.body["next"]
    return ids


def test_concurrent_posts_and_bulk_moderation_keep_rows_counts_and_listing_right(
    live_server, live_settings
):
    started = time.monotonic()
    set_policy(default_status="pending", flood_interval_seconds=15, auto_approve_known_authors=True)
    article = ArticleFactory(slug="busy-thread")
    known = seed_approved(article, KNOWN_AUTHORS, prefix="known")
    parents = known[:THREAD_PARENTS]
    seeded_ids = {c.pk for c in known}
    moderator = StaffUserFactory(username="night-moderator")
    auth = {"Authorization": f"Token {Token.objects.create(user=moderator).key}"}
    base = live_server.url
    post_url = f"{base}/api/v1/articles/{article.slug}/comments/"
    moderation_url = f"{base}/api/v1/moderation/comments/"

    def post(i: int) -> tuple[int, Answer]:
        # A distinct client each time: its own IP (through the trusted proxy) and email.
        # Every third one is a known author (approved at once), the others are held;
        # every fifth one replies to a comment the moderator keeps hiding and showing.
        email = f"known{i // 3}@known.example" if i % 3 == 0 else f"new{i}@readers.example"
        payload = {
            "author_name": f"Reader {i}",
            "author_email": email,
            "body": f"Concurrent comment number {i}.",
        }
        if i % 5 == 0:
            payload["parent"] = parents[i % THREAD_PARENTS].pk
        headers = {"X-Forwarded-For": f"10.{i // 250}.{i % 250}.{7 + i % 3}"}
        return i, http("POST", post_url, payload, headers)

    posting_done = threading.Event()
    moderator_answers: list[tuple[str, Answer]] = []
    moderator_errors: list[BaseException] = []

    def moderate_once(round_no: int) -> int:
        """One round of the queue (up to 100 held comments); returns how many it saw."""
        pending = http(
            "GET",
            f"{moderation_url}?article={article.slug}&status=pending&page_size=100",
            headers=auth,
        )
        moderator_answers.append(("list", pending))
        ids = [item["id"] for item in pending.body["results"]] if pending.status == 200 else []
        if ids:
            answer = http(
                "POST", moderation_url + "bulk/", {"ids": ids, "status": "approved"}, auth
            )
            moderator_answers.append(("bulk-approve", answer))
            # A few of them turn out to be unwanted after all.
            unwanted = [pk for pk in ids if pk % 7 == 0]
            if unwanted:
                answer = http(
                    "POST", moderation_url + "bulk/", {"ids": unwanted, "status": "removed"}, auth
                )
                moderator_answers.append(("bulk-remove", answer))
        # Hide and show a thread while replies to it are being posted.
        parent = parents[round_no % THREAD_PARENTS]
        for status in ("pending", "approved"):
            answer = http("PATCH", f"{moderation_url}{parent.pk}/", {"status": status}, auth)
            moderator_answers.append((f"thread-{status}", answer))
        return len(ids)

    def moderator_loop() -> None:
        try:
            round_no = 0
            while not posting_done.is_set():
                moderate_once(round_no)
                round_no += 1
            # Last sweeps once every post has been answered, until the queue is empty.
            for _ in range(10):
                round_no += 1
                if not moderate_once(round_no):
                    break
        except BaseException as exc:  # reported by the main thread
            moderator_errors.append(exc)

    moderator_thread = threading.Thread(target=moderator_loop, name="moderator", daemon=True)
    moderator_thread.start()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(post, i) for i in range(POSTS)]
        done, not_done = wait(futures, timeout=45)
    posting_done.set()
    moderator_thread.join(timeout=20)
    elapsed = time.monotonic() - started

    assert not not_done, f"{len(not_done)} posts did not finish within 45 s"
    assert not moderator_thread.is_alive(), "the moderator thread did not finish"
    assert not moderator_errors, moderator_errors
    answers = dict(f.result() for f in done)

    # No server error anywhere, for readers or for the moderator.
    server_errors = {i: a for i, a in answers.items() if a.status >= 500}
    assert not server_errors, server_errors
    bad_moderation = [(what, a) for what, a in moderator_answers if a.status != 200]
    assert not bad_moderation, bad_moderation

    # Every answer is an acceptance, or (only for a reply whose thread the moderator was
    # hiding at that moment) a 400 about the parent.
    accepted = {i: a for i, a in answers.items() if a.status in (201, 202)}
    refused = {i: a for i, a in answers.items() if a.status not in (201, 202)}
    for i, answer in refused.items():
        assert answer.status == 400 and i % 5 == 0 and "parent" in answer.body, (i, answer)
    for i, answer in accepted.items():
        expected = "approved" if answer.status == 201 else "pending"
        assert answer.body["status"] == expected, answer
        assert "author_email" not in answer.body
        if i % 3 and i % 5:  # a new reader's top-level comment is held
            assert answer.status == 202, (i, answer)
    # Most posts got through (the thread is shown again right after being hidden).
    assert len(accepted) >= POSTS * 0.9, f"only {len(accepted)} of {POSTS} accepted"

    # Every accepted comment is stored exactly once; nothing else was stored.
    answered_ids = [a.body["id"] for a in accepted.values()]
    assert len(answered_ids) == len(set(answered_ids))
    stored = Comment.objects.filter(article=article).exclude(pk__in=seeded_ids)
    stored_ids = list(stored.values_list("pk", flat=True))
    assert len(stored_ids) == len(accepted)
    assert set(stored_ids) == set(answered_ids)
    bodies = list(stored.values_list("body", flat=True))
    assert len(bodies) == len(set(bodies)), "a comment was stored twice"

    # The final sweep approved everything that was held; the denormalized count is the
    # number of approved rows, and is_listed is "approved and the parent listed".
    still_held = Comment.objects.filter(article=article, status=Comment.Status.PENDING)
    assert not still_held.exists(), list(still_held.values("pk", "parent_id", "submitted_at"))
    approved = Comment.objects.filter(article=article, status=Comment.Status.APPROVED).count()
    article.refresh_from_db()
    assert article.comment_count == approved
    assert Comment.objects.filter(article=article, status=Comment.Status.REMOVED).exists()
    assert listed_consistently(article) == []
    listed = set(
        Comment.objects.filter(article=article, is_listed=True).values_list("pk", flat=True)
    )
    assert public_list_ids(base, article.slug) == listed

    times = sorted(a.seconds for a in answers.values())
    print(
        f"\n{POSTS} posts with {WORKERS} workers and {len(moderator_answers)} moderator "
        f"requests in {elapsed:.1f} s: {len(accepted)} accepted, {len(refused)} refused "
        f"(parent hidden); post times median {times[len(times) // 2]:.2f} s, "
        f"95% {times[int(len(times) * 0.95)]:.2f} s, slowest {times[-1]:.2f} s"
    )
    assert elapsed < 60


def test_simultaneous_posts_from_one_client_store_one_comment(live_server, live_settings):
    set_policy(default_status="pending", flood_interval_seconds=15)
    article = ArticleFactory(slug="flooded")
    url = f"{live_server.url}/api/v1/articles/{article.slug}/comments/"
    start_together = threading.Barrier(FLOOD_ATTEMPTS, timeout=10)

    def attempt(i: int) -> Answer:
        payload = {
            "author_name": "Eager Reader",
            "author_email": "eager@readers.example",
            "body": f"First! (attempt {i})",  # different bodies: not duplicates
        }
        start_together.wait()
        return http("POST", url, payload, {"X-Forwarded-For": "203.0.113.9"})

    with ThreadPoolExecutor(max_workers=FLOOD_ATTEMPTS) as pool:
        futures = [pool.submit(attempt, i) for i in range(FLOOD_ATTEMPTS)]
        done, not_done = wait(futures, timeout=30)
    assert not not_done
    answers = [f.result() for f in done]

    statuses = sorted(a.status for a in answers)
    accepted = [a for a in answers if a.status in (201, 202)]
    assert len(accepted) == 1, statuses
    flooded = [a for a in answers if a.status == 429]
    assert len(flooded) == FLOOD_ATTEMPTS - 1, statuses
    for answer in flooded:
        assert int(answer.headers["Retry-After"]) >= 1
        assert "detail" in answer.body
    stored = Comment.objects.filter(article=article)
    assert stored.count() == 1
    assert stored.get().pk == accepted[0].body["id"]
    assert stored.get().ip_address == "203.0.113.9"
