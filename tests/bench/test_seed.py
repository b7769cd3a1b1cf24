"""The benchmark seeder's rows are what the app itself would have written."""

from datetime import UTC, datetime

from bench.seed import _REQUIRED, Dataset, Sizes, Table
from comments.models import Comment

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SIZES = Sizes(articles=60, comments=900, hot_articles=1, hot_comments=400, random_seed=7)


def test_comment_threads_have_consistent_derived_columns():
    data = Dataset(SIZES, NOW)
    comments = {row["id"]: row for row in data.comment_rows()}
    assert len(comments) == SIZES.comments
    for row in comments.values():
        published = data.published[row["article_id"] - 1]
        assert published < row["submitted_at"].timestamp() < NOW.timestamp()
        parent = comments.get(row["parent_id"])
        if parent is None:
            assert row["parent_id"] is None and row["depth"] == 0
            assert row["is_listed"] == (row["status"] == "approved")
        else:
            assert parent["article_id"] == row["article_id"] and parent["id"] < row["id"]
            assert row["depth"] == parent["depth"] + 1 < 5
            assert row["is_listed"] == (row["status"] == "approved" and parent["is_listed"])


def test_article_counts_come_from_the_comments():
    data = Dataset(SIZES, NOW)
    comments = list(data.comment_rows())
    articles = {row["id"]: row for row in data.article_rows()}
    for article_id, article in articles.items():
        approved = [
            c for c in comments if c["article_id"] == article_id and c["status"] == "approved"
        ]
        assert article["comment_count"] == len(approved)
        if approved:
            assert article["comments_changed_at"] == max(c["submitted_at"] for c in approved)
    hot, medium = next(iter(data.hot_ids)), data.medium_id
    assert sum(c["article_id"] == hot for c in comments) == SIZES.hot_comments
    assert sum(c["article_id"] == medium and c["is_listed"] for c in comments) == 100
    assert articles[hot]["status"] == "published" and articles[hot]["comments_enabled"]


def test_category_paths_follow_the_tree():
    categories = {row["id"]: row for row in Dataset(SIZES, NOW).categories}
    for row in categories.values():
        parent = categories.get(row["parent_id"])
        if parent is None:
            assert row["tree_path"] == f"/{row['id']}/" and row["slug_path"] == row["slug"]
        else:
            assert row["tree_path"] == f"{parent['tree_path']}{row['id']}/"
            assert row["slug_path"] == f"{parent['slug_path']}/{row['slug']}"


def test_columns_the_seeder_does_not_set_get_their_defaults():
    table = Table(Comment, NOW)
    values = dict(zip(table.attnames, table.values({"body": "Hello"}), strict=True))
    assert values["body"] == "Hello"
    assert values["notify_replies"] is False and values["edit_key_hash"] == ""
    assert values["wordpress_id"] is None
    # NOT NULL with no default: the seeder must be told, not guess.
    assert values["article_id"] is _REQUIRED
