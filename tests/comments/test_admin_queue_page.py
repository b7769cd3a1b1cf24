"""The queue screen and the comment page as a moderator reads them: the article's title,
the words (escaped, links shown), the decisions in the row, human labels, the script
and stylesheet served as files (the CSP allows no inline script), and a query count that
does not grow with the comments."""

import re

import pytest

from comments import moderating, services
from comments.models import Comment
from tests.comments.helpers import make_comment, set_policy, text_of
from tests.factories import ArticleFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"


def row_of(response, comment) -> str:
    rows = re.findall(r"<tr[^>]*>.*?</tr>", response.text, flags=re.S)
    return next(r for r in rows if f'value="{comment.pk}"' in r)


def cells_of(row) -> list[str]:
    return re.findall(r'<t[dh] class="(?:field-|action-)([\w-]+)"', row)


# --- the row ------------------------------------------------------------------------------------


def test_a_row_has_the_words_the_author_the_article_title_and_the_decisions(admin):
    article = ArticleFactory(title="Council Approves the Budget")
    comment = make_comment(
        article, status="pending", author_name="Ann Reader", body="Where does the money go?"
    )

    row = row_of(admin.get(CHANGELIST), comment)

    assert cells_of(row) == [
        "checkbox",
        "comment_cell",
        "author_cell",
        "article_cell",
        "status_cell",
    ]
    assert "Where does the money go?" in row
    assert "Ann Reader" in row
    assert "Council Approves the Budget" in row
    assert f"?article__id__exact={article.pk}" in row  # the article's comments
    assert re.search(r"<time datetime=\"[^\"]+\" title=\"[^\"]+\">\d+.(hour|day)s? ago</time>", row)
    # The decisions sit in the comment's own cell, under its words.
    words_cell = re.search(r'<td class="field-comment_cell">(.*?)</td>', row, flags=re.S).group(1)
    for decision in ["approved:", "spam:spam", "removed:offensive", "removed:other"]:
        assert f'value="{decision}"' in words_cell
    assert f'href="{CHANGELIST}{comment.pk}/change/"' in words_cell  # "details"


def test_no_row_starts_selected(admin):
    comments = [make_comment(ArticleFactory(), status="pending") for _ in range(3)]

    response = admin.get(CHANGELIST)

    for comment in comments:
        checkbox = re.search(
            r'<input type="checkbox" name="_selected_action"[^>]*>', row_of(response, comment)
        )
        assert checkbox and "checked" not in checkbox.group(0)


def test_the_article_is_named_by_its_title_not_its_id(admin):
    article = ArticleFactory(title="Harbour Bridge Reopens")
    comment = make_comment(article, status="pending")

    row = row_of(admin.get(CHANGELIST), comment)

    assert ">Harbour Bridge Reopens</a>" in row
    assert f" on {article.pk}:" not in row  # the model's __str__, in Django's checkbox label
    assert 'aria-label="Select the comment by Reader' in row


def test_a_row_offers_only_the_decisions_that_change_something(admin):
    approved = make_comment(ArticleFactory(), status="approved")
    removed = make_comment(ArticleFactory(), status="removed")
    response = admin.get(CHANGELIST)

    assert 'value="approved:"' not in row_of(response, approved)
    assert 'value="spam:spam"' in row_of(response, approved)
    assert 'value="removed:' not in row_of(response, removed)
    assert 'value="approved:"' in row_of(response, removed)


def test_the_words_are_escaped_and_their_links_shown(admin):
    comment = make_comment(
        ArticleFactory(),
        status="pending",
        body='<script>alert("x")</script> <b>bold</b> see https://evil.example/p?a=1&b=2.',
    )

    row = row_of(admin.get(CHANGELIST), comment)

    assert "<script>" not in row
    assert "<b>bold</b>" not in row
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in row
    assert (
        '<a href="https://evil.example/p?a=1&amp;b=2" rel="nofollow ugc">'
        "https://evil.example/p?a=1&amp;b=2</a>." in row
    )


def test_the_author_name_and_article_title_are_escaped(admin):
    article = ArticleFactory(title="Tom & <Jerry>")
    comment = make_comment(article, status="pending", author_name="<img src=x onerror=alert(1)>")

    row = row_of(admin.get(CHANGELIST), comment)

    assert "<img" not in row
    assert "Tom &amp; &lt;Jerry&gt;" in row


def test_a_long_comment_is_cut_in_the_row_and_whole_on_its_page(admin):
    body = "word " * 200 + "THE-END"
    comment = make_comment(ArticleFactory(), status="pending", body=body)

    assert "THE-END" not in row_of(admin.get(CHANGELIST), comment)
    assert "THE-END" in admin.get(f"{CHANGELIST}{comment.pk}/change/").text


def test_the_queue_loads_its_stylesheet_and_shortcuts_as_files(admin):
    make_comment(ArticleFactory(), status="pending")

    response = admin.get(CHANGELIST)

    assert re.search(r'<script src="/static/comments/admin/comment_queue\.js"', response.text)
    assert 'href="/static/comments/admin/comment_queue.css"' in response.text
    # No inline script: everything the page runs comes from a file.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)


def test_emails_and_ips_stay_on_staff_pages_only(admin):
    comment = make_comment(ArticleFactory(), status="pending", author_email="ann@example.org")

    row = row_of(admin.get(CHANGELIST), comment)

    assert "ann@<wbr>example.org" in row  # staff see who wrote it
    assert "198.51.100.200" not in row  # the IP is on the comment's page, not in the list


# --- the comment's page -------------------------------------------------------------------------


def test_the_comment_page_is_headed_with_the_article_title(admin):
    article = ArticleFactory(title="Harbour Bridge Reopens")
    comment = make_comment(article, status="pending", author_name="Ann Reader")

    text = text_of(admin.get(f"{CHANGELIST}{comment.pk}/change/"))

    assert "Ann Reader on Harbour Bridge Reopens" in text
    assert f"Ann Reader on {article.pk}" not in text


def test_the_comment_page_has_human_labels(admin):
    set_policy(flood_interval_seconds=0, approved_comments_required=0, hold_link_count=2)
    comment = services.comment_create(
        article=ArticleFactory(),
        author_name="Ann Reader",
        author_email="ann@example.org",
        author_url="https://ann.example",
        body="https://a.example/1 and https://b.example/2",
        ip_address="203.0.113.9",
        user_agent="Mozilla/5.0",
    ).comment
    services.comment_flag(comment=comment, ip_address="192.0.2.1")

    response = admin.get(f"{CHANGELIST}{comment.pk}/change/")
    text = text_of(response)

    for label in ["IP address", "Author URL", "User agent", "Decided by", "Reader reports"]:
        assert f"{label}:" in text or f">{label}<" in response.text, label
    assert "Ip address" not in text
    assert "Author url" not in text
    assert "Check: link limit — 2 links" in text
    assert "comments.moderation" not in text
    assert "too_many_links" not in text
    assert "203.0.113.9" in text  # staff see the record


def test_a_reply_names_the_comment_it_answers(admin):
    article = ArticleFactory()
    parent = make_comment(article, author_name="First Reader", body="The opening remark")
    reply = make_comment(article, status="pending", parent=parent)

    response = admin.get(f"{CHANGELIST}{reply.pk}/change/")

    assert f'href="{CHANGELIST}{parent.pk}/change/">First Reader: The opening remark</a>' in (
        response.text
    )


# --- cost ---------------------------------------------------------------------------------------


# session, user, the article filter's choices, the filtered and the total counts, the
# page of comments (with article, moderator and the deciding note in one query), the
# date hierarchy's range and dates.
QUEUE_QUERIES = 8


def varied_comments(n: int) -> None:
    """Comments of every kind: held by the pipeline, reported, decided by moderators."""
    set_policy(
        flood_interval_seconds=0,
        approved_comments_required=0,
        hold_link_count=1,
        suspect_words="vaccine",
    )
    for i in range(n):
        article = ArticleFactory()
        body = ["vaccine talk", "see https://a.example/1", "plain words"][i % 3]
        comment = services.comment_create(
            article=article, author_name=f"R{i}", author_email=f"r{i}@example.org", body=body
        ).comment
        if i % 3 == 2:
            moderating.comments_moderate(
                ids=[comment.pk], status="removed", moderator=StaffUserFactory(), reason="other"
            )
        if i % 4 == 0:
            services.comment_flag(comment=comment, ip_address="192.0.2.1")


@pytest.mark.parametrize("params", [{}, {"status__exact": "pending"}])
def test_the_queue_takes_the_same_queries_for_one_or_many_comments(
    admin, django_assert_num_queries, params
):
    varied_comments(1)
    with django_assert_num_queries(QUEUE_QUERIES):
        assert admin.get(CHANGELIST, params).status_code == 200

    varied_comments(24)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = admin.get(CHANGELIST, params)
    assert response.status_code == 200
    assert "matched suspect word" in response.text


def test_a_comment_names_its_article_by_title_without_a_query(django_assert_num_queries):
    # The admin's messages and history name a comment by str(): the article's title
    # when it was read with the comment, and never a query per comment (bulk actions).
    comment = make_comment(ArticleFactory(title="Leica And Panasonic"), author_name="Ann")
    joined = Comment.objects.select_related("article").get(pk=comment.pk)
    alone = Comment.objects.get(pk=comment.pk)
    with django_assert_num_queries(0):
        assert str(joined).startswith("Ann on Leica And Panasonic: ")
        assert str(alone).startswith(f"Ann on article {comment.article_id}: ")
