"""GET /api/v1/articles/{slug}/comments/?sort=...: the four public orders, their keyset
cursors (stable through ties and new comments), forged cursors and query counts."""

import base64
import itertools
import re
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment
from tests.comments.factories import CommentFactory
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SORTS = ["oldest", "newest", "most_reactions", "featured_first"]
BASE = timezone.now() - timedelta(days=2)


def comments_url(article, **params) -> str:
    url = f"/api/v1/articles/{article.slug}/comments/"
    return f"{url}?{urlencode(params)}" if params else url


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def walk(client, url: str, *, direction: str = "next", max_pages: int = 200) -> list[list[int]]:
    """The ids of every page, following `next` (or `previous`) links to the end."""
    pages = []
    while url and len(pages) < max_pages:
        response = client.get(relative(url))
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "comment_count", "results"}
        pages.append([item["id"] for item in body["results"]])
        url = body[direction]
    assert len(pages) < max_pages, "the cursor never ends"
    return pages


def flat(pages: list[list[int]]) -> list[int]:
    return list(itertools.chain.from_iterable(pages))


def comment(article, minutes: float, **fields) -> Comment:
    return CommentFactory(article=article, submitted_at=BASE + timedelta(minutes=minutes), **fields)


def expected_order(comments: list[Comment], sort: str) -> list[int]:
    keys = {
        "oldest": lambda c: (c.submitted_at, c.pk),
        "newest": lambda c: (-c.submitted_at.timestamp(), -c.pk),
        "most_reactions": lambda c: (-c.reaction_count, c.submitted_at, c.pk),
        "featured_first": lambda c: (not c.featured, c.submitted_at, c.pk),
    }
    return [c.pk for c in sorted(comments, key=keys[sort])]


@pytest.fixture
def tied_thread(article) -> list[Comment]:
    """17 listed comments full of ties: reaction counts 0-3 repeating, three sharing one
    submission time, a few featured; plus comments the public must not see."""
    listed = []
    for n in range(14):
        listed.append(
            comment(article, n, reaction_count=[0, 2, 0, 3, 1, 0, 2][n % 7], featured=n % 5 == 0)
        )
    for _ in range(3):  # same instant: only the id orders them
        listed.append(comment(article, 30, reaction_count=2, featured=True))
    comment(article, 7.5, status=Comment.Status.PENDING, is_listed=False, reaction_count=9)
    comment(article, 8.5, status=Comment.Status.SPAM, is_listed=False, featured=True)
    CommentFactory(article=ArticleFactory(), reaction_count=5)  # another article's
    return listed


# --- the orders ------------------------------------------------------------------------------


def test_default_order_is_oldest_first(api_client, article):
    later = comment(article, 10)
    earlier = comment(article, 1)

    ids = flat(walk(api_client, comments_url(article)))

    assert ids == [earlier.pk, later.pk]
    assert flat(walk(api_client, comments_url(article, sort=""))) == ids


def test_newest_first(api_client, article):
    first, second, third = comment(article, 1), comment(article, 2), comment(article, 3)

    assert flat(walk(api_client, comments_url(article, sort="newest"))) == [
        third.pk,
        second.pk,
        first.pk,
    ]


def test_most_reactions_first_then_oldest(api_client, article):
    quiet_old = comment(article, 1, reaction_count=0)
    popular = comment(article, 2, reaction_count=7)
    liked_old = comment(article, 3, reaction_count=2)
    liked_new = comment(article, 4, reaction_count=2)
    quiet_new = comment(article, 5, reaction_count=0)

    assert flat(walk(api_client, comments_url(article, sort="most_reactions"))) == [
        popular.pk,
        liked_old.pk,
        liked_new.pk,
        quiet_old.pk,
        quiet_new.pk,
    ]


def test_featured_first_then_oldest(api_client, article):
    plain_old = comment(article, 1)
    pick_new = comment(article, 5, featured=True, featured_at=timezone.now())
    plain_new = comment(article, 3)
    pick_old = comment(article, 2, featured=True, featured_at=timezone.now())

    results = api_client.get(comments_url(article, sort="featured_first")).json()["results"]

    assert [c["id"] for c in results] == [pick_old.pk, pick_new.pk, plain_old.pk, plain_new.pk]
    assert [c["featured"] for c in results] == [True, True, False, False]


def test_list_items_carry_featured_and_reaction_count(api_client, article):
    comment(article, 1, featured=True, reaction_count=4)

    (item,) = api_client.get(comments_url(article)).json()["results"]

    assert item["featured"] is True
    assert item["reaction_count"] == 4


@pytest.mark.parametrize("sort", SORTS)
def test_only_listed_comments_of_the_article_in_every_order(api_client, tied_thread, sort):
    article = tied_thread[0].article

    ids = flat(walk(api_client, comments_url(article, sort=sort, page_size=100)))

    assert ids == expected_order(tied_thread, sort)


# --- stable cursors ----------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 16])
@pytest.mark.parametrize("sort", SORTS)
def test_walking_every_page_returns_each_comment_once_through_ties(
    api_client, tied_thread, sort, page_size
):
    article = tied_thread[0].article

    pages = walk(api_client, comments_url(article, sort=sort, page_size=page_size))

    assert flat(pages) == expected_order(tied_thread, sort)
    assert all(len(page) == page_size for page in pages[:-1])


@pytest.mark.parametrize("sort", SORTS)
def test_previous_links_walk_back_to_the_first_page(api_client, tied_thread, sort):
    article = tied_thread[0].article
    url = comments_url(article, sort=sort, page_size=4)
    forward = walk(api_client, url)
    last_page = api_client.get(relative(url))
    for _ in range(len(forward) - 1):
        last_page = api_client.get(relative(last_page.json()["next"]))

    backward = walk(api_client, last_page.json()["previous"], direction="previous")

    assert backward == forward[-2::-1]
    assert api_client.get(relative(url)).json()["previous"] is None


@pytest.mark.parametrize("sort", SORTS)
def test_a_hand_made_cursor_without_an_id_starts_after_that_time(api_client, article, sort):
    old = comment(article, 1, reaction_count=1)
    new = comment(article, 60, reaction_count=1)
    tokens = {"p": (BASE + timedelta(minutes=30)).isoformat()}
    if sort == "most_reactions":
        tokens["g"] = "1"
    elif sort == "featured_first":
        tokens["g"] = "0"
    cursor = base64.b64encode(urlencode(tokens).encode()).decode()

    response = api_client.get(comments_url(article, sort=sort, cursor=cursor))

    assert response.status_code == 200
    expected = [old.pk] if sort == "newest" else [new.pk]
    assert [c["id"] for c in response.json()["results"]] == expected


@pytest.mark.parametrize("sort", ["oldest", "newest"])
def test_comments_added_between_pages_never_repeat_or_hide_one(api_client, article, sort):
    existing = [comment(article, n) for n in range(6)]
    first = api_client.get(comments_url(article, sort=sort, page_size=2)).json()
    # New comments arrive while the reader is on page one.
    added = [CommentFactory(article=article) for _ in range(3)]

    seen = [c["id"] for c in first["results"]] + flat(walk(api_client, first["next"]))

    assert sorted(seen) == sorted(set(seen)), "a comment was listed twice"
    assert {c.pk for c in existing} <= set(seen)
    if sort == "oldest":
        assert seen == [c.pk for c in existing + added]  # the new ones at the end
    else:
        assert seen == [c.pk for c in reversed(existing)]  # the new ones are above page one


def test_most_reactions_cursor_follows_counts_as_they_are_between_pages(api_client, article):
    """Documented: a page is read after the last row's (count, time, id) *as counts are
    now*. A comment whose count jumps past the cursor between two page fetches is not
    shown again on the later pages (the reader saw that part of the list already); one
    that drops below it is shown a second time. Every other comment comes once."""
    thread = [comment(article, n, reaction_count=10 - n) for n in range(8)]
    first = api_client.get(comments_url(article, sort="most_reactions", page_size=3)).json()
    assert [c["id"] for c in first["results"]] == [c.pk for c in thread[:3]]
    climber, faller = thread[6], thread[1]
    Comment.objects.filter(pk=climber.pk).update(reaction_count=50)
    Comment.objects.filter(pk=faller.pk).update(reaction_count=0)

    rest = flat(walk(api_client, first["next"]))

    assert climber.pk not in rest
    assert rest.count(faller.pk) == 1  # listed again, at its new place (last)
    assert rest[-1] == faller.pk
    others = {c.pk for c in thread[3:]} - {climber.pk}
    assert others <= set(rest)


# --- bad input ---------------------------------------------------------------------------


def _cursor(**tokens) -> str:
    return base64.b64encode(urlencode(tokens).encode()).decode()


WHEN = (BASE + timedelta(minutes=1)).isoformat()
FORGED_FOR_EVERY_SORT = {
    "not base64": "garbage",
    "not ascii": "é" * 10,
    "binary": base64.b64encode(b"\xff\xfe\x00p=1").decode(),
    "unknown key": _cursor(p=WHEN, o="5"),
    "offset": _cursor(o="-5"),
    "duplicate key": base64.b64encode(f"p={WHEN}&p={WHEN}".encode()).decode(),
    "bad reverse": _cursor(r="x"),
    "reverse 2": _cursor(r="2"),
    "empty position": _cursor(p=""),
    "bad time": _cursor(p="2024-13-45 00:00:00", g="0"),
    "time overflows": _cursor(p="9999-12-31 23:59:59-12:00", g="0"),
    "time underflows": _cursor(p="0001-01-01 00:00:00+14:00", g="0"),
    "nul byte": _cursor(p="2024-01-01\x00", g="0"),
    "id zero": _cursor(p=WHEN, i="0", g="0"),
    "id negative": _cursor(p=WHEN, i="-3", g="0"),
    "id too big": _cursor(p=WHEN, i=str(2**63), g="0"),
    "id not a number": _cursor(p=WHEN, i="1e3", g="0"),
    "id without time": _cursor(i="5"),
    "group without time": _cursor(g="1"),
    "group not a number": _cursor(p=WHEN, i="1", g="many"),
    "group negative": _cursor(p=WHEN, i="1", g="-1"),
    "group too big": _cursor(p=WHEN, i="1", g=str(2**31)),
    "unicode digits": _cursor(p=WHEN, i="١٢", g="0"),
}


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("cursor", FORGED_FOR_EVERY_SORT.values(), ids=FORGED_FOR_EVERY_SORT)
def test_forged_cursor_is_a_json_404_in_every_sort(api_client, article, sort, cursor):
    comment(article, 1)

    response = api_client.get(comments_url(article, sort=sort, cursor=cursor))

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        # A group value in a sort without groups, or none in a sort with them: a cursor
        # of another sort.
        ("oldest", _cursor(p=WHEN, i="1", g="1")),
        ("newest", _cursor(p=WHEN, i="1", g="0")),
        ("most_reactions", _cursor(p=WHEN, i="1")),
        ("featured_first", _cursor(p=WHEN, i="1")),
        ("featured_first", _cursor(p=WHEN, i="1", g="2")),
        ("featured_first", _cursor(p=WHEN, i="1", g="true")),
    ],
)
def test_cursor_of_another_sort_is_a_404(api_client, article, sort, cursor):
    comment(article, 1)

    response = api_client.get(comments_url(article, sort=sort, cursor=cursor))

    assert response.status_code == 404


def test_next_link_of_one_sort_is_refused_by_a_grouped_sort(api_client, article):
    for n in range(3):
        comment(article, n)
    next_url = api_client.get(comments_url(article, page_size=1)).json()["next"]
    cursor = re.search(r"cursor=([^&]+)", next_url).group(1)

    response = api_client.get(comments_url(article, sort="most_reactions") + f"&cursor={cursor}")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "sort", ["popular", "OLDEST", "-submitted_at", "leaky.reader@secret-mail.example"]
)
def test_unknown_sort_is_a_400_naming_the_field(api_client, article, sort):
    response = api_client.get(comments_url(article, sort=sort))

    assert response.status_code == 400
    assert list(response.json()) == ["sort"]
    assert sort not in response.content.decode()  # the value sent is not echoed
    assert "most_reactions" in response.json()["sort"][0]


def test_sort_is_documented_with_its_choices(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/articles/{slug}/comments/"]["get"]

    (sort,) = [p for p in operation["parameters"] if p["name"] == "sort"]

    assert sorted(sort["schema"]["enum"]) == sorted(SORTS)
    assert sort["schema"]["default"] == "oldest"
    assert "400" in operation["responses"]
    item = schema["components"]["schemas"]["Comment"]["properties"]
    assert {"featured", "reaction_count"} <= set(item)


# --- query counts ------------------------------------------------------------------------


def _queries(client, url) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.json()


@pytest.mark.parametrize("sort", SORTS)
def test_query_count_is_the_same_for_one_and_fifty_rows(api_client, sort):
    small, large = ArticleFactory(), ArticleFactory()
    comment(small, 0, reaction_count=1)
    for n in range(60):
        comment(large, n, reaction_count=n % 3, featured=n % 7 == 0)

    one, page_one = _queries(api_client, comments_url(small, sort=sort, page_size=1))
    fifty, page_fifty = _queries(api_client, comments_url(large, sort=sort, page_size=50))
    # And a page reached through a cursor (the UNION of the grouped sorts included).
    deeper, page_deeper = _queries(api_client, relative(page_fifty["next"]))
    back, _ = _queries(api_client, relative(page_deeper["previous"]))

    assert len(page_one["results"]) == 1
    assert len(page_fifty["results"]) == 50
    assert len(page_deeper["results"]) == 10
    assert one == fifty == deeper == back == 2  # the article, the page of comments


# --- PostgreSQL: the page queries use the sort's index ------------------------------------------


PLAN_INDEX = {
    "oldest": "comment_listed_thread",
    "newest": "comment_listed_thread",
    "most_reactions": "comment_listed_reactions",
    "featured_first": "comment_listed_featured",
}
_INDEX_IN_PLAN = re.compile(r"(?:Index Scan(?: Backward)? using|Bitmap Index Scan on) (\w+)")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans of PostgreSQL")
@pytest.mark.django_db(transaction=True)  # committed rows, so VACUUM ANALYZE sees them
def test_postgresql_plans_use_the_sort_index(api_client):
    """On a table shaped like production (many articles, comments interleaved in time,
    most without reactions), every page query of every sort, first page and cursor
    page, is an index scan on the sort's index: no sequential scan, no sort of the
    article's comments (the two seeks of a grouped sort are merged, at most 2 x 21 rows;
    a group the planner expects to be tiny may be read as a bitmap of the same index).
    """
    articles = [ArticleFactory() for _ in range(50)]
    rows = [
        Comment(
            article=articles[n % 50],
            author_name="Reader",
            author_email=f"r{n}@example.org",
            body="Some words of a comment. " * 8,
            status=Comment.Status.APPROVED,
            is_listed=n % 10 != 0,
            submitted_at=BASE + timedelta(seconds=n),
            reaction_count=0 if n % 3 else n % 17,
            featured=n % 97 == 0,
        )
        for n in range(40_000)
    ]
    Comment.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE comments_comment")
    for sort, index in PLAN_INDEX.items():
        url = comments_url(articles[7], sort=sort, page_size=20)
        for _ in range(3):  # the first page, then pages reached through a cursor
            with CaptureQueriesContext(connection) as context:
                response = api_client.get(url)
            assert response.status_code == 200
            url = relative(response.json()["next"])
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + context.captured_queries[-1]["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            assert set(_INDEX_IN_PLAN.findall(plan)) == {index}, plan
            assert "Seq Scan" not in plan, plan
            if sort == "newest":
                assert "Index Scan Backward" in plan, plan
