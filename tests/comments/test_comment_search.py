"""The staff's comment search (issue #19; docs/moderation.md, "Comment search"): full-text
search over the author's name and the body, and the commenter's address and IP, through
the admin's comment queue (`?q=`) and the moderation API (`?search=`). The same tests
on SQLite (FTS5) and PostgreSQL (tsvector, GIN)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from comments import search, search_index, services
from comments.models import Comment
from comments.privacy import comments_erase
from comments.threads import ImportedComment, comments_import
from tests.comments.helpers import make_comment, set_policy
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"
MODERATION_URL = "/api/v1/moderation/comments/"


def api_found(staff_client, text: str, **params) -> list[int]:
    """The ids the moderation API's search answers, in order."""
    response = staff_client.get(MODERATION_URL, {"search": text, **params})
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def admin_found(admin, text: str, **params) -> list[int]:
    """The ids the comment queue lists for a search, in order."""
    response = admin.get(CHANGELIST, {"q": text, **params})
    assert response.status_code == 200
    rows = re.findall(
        r'<input type="checkbox" name="_selected_action" value="(\d+)"', response.text
    )
    return [int(pk) for pk in rows]


@pytest.fixture(params=["api", "admin"])
def found(request, staff_client, admin):
    """A search through either door: the moderation API or the admin's queue."""
    if request.param == "api":
        return lambda text, **params: api_found(staff_client, text, **params)
    return lambda text, **params: admin_found(admin, text, **params)


def comment(article, body: str, **fields) -> int:
    return make_comment(article, body=body, **fields).pk


# --- the words ---------------------------------------------------------------------------


def test_words_apart_find_the_comment_that_has_them_all(found, article):
    both = comment(article, "The cooperation will bring better cameras next year.")
    comment(article, "Cameras are expensive.")

    assert found("cameras cooperation") == [both]
    assert found("COOPERATION Cameras") == [both]
    assert found("cooperation zeppelin") == []


def test_a_word_finds_its_other_forms(found, article):
    announce = comment(article, "They will announce it tomorrow.")
    comment(article, "Nothing to see here.")

    assert found("announcing") == [announce]
    assert found("announcements") == [announce]


def test_a_phrase_must_appear_as_written(found, article):
    together = comment(article, "I love digital cameras.")
    apart = comment(article, "Cameras went digital years ago.")

    assert found('"digital cameras"') == [together]
    assert sorted(found("digital cameras")) == sorted([together, apart])


def test_a_dash_excludes_a_word_and_or_takes_either(found, article):
    leica = comment(article, "Leica makes lovely lenses.")
    both = comment(article, "Leica and Panasonic, together.")
    telescope = comment(article, "My telescope is old.")

    assert found("leica -panasonic") == [leica]
    assert found('leica -"and panasonic"') == [leica]
    assert sorted(found("telescope or panasonic")) == sorted([both, telescope])


def test_the_author_name_is_searched_as_words(found, article):
    grace = comment(article, "Hello.", author_name="Grace Hopper")
    comment(article, "Hello.", author_name="Alan Turing")

    assert found("hopper") == [grace]
    assert found("grace hello") == [grace]


@pytest.mark.parametrize("text", ["*", '"', "-", "-leica", "or", "the", "NEAR(", "body:leica"])
def test_text_with_nothing_to_find_finds_nothing_without_an_error(found, article, text):
    comment(article, "Leica, the camera: a b.")

    assert found(text) == []


# --- the order -------------------------------------------------------------------------------


def test_the_better_match_comes_first(found, article):
    once = comment(article, "A long comment that mentions the zeppelin once among many words.")
    named = comment(article, "Nothing here.", author_name="Zeppelin Fan")
    often = comment(article, "Zeppelin! Zeppelin zeppelin.")

    assert found("zeppelin") == [named, often, once]


def test_a_column_order_still_applies_to_a_search(staff_client, admin, article):
    older = comment(article, "Zeppelin.", author_name="A")
    newer = comment(article, "Zeppelin zeppelin zeppelin.", author_name="B")
    assert api_found(staff_client, "zeppelin") == [newer, older]

    assert api_found(staff_client, "zeppelin", ordering="oldest") == [older, newer]
    # The queue's "From" column (author_cell, ordering by author_name), descending.
    assert admin_found(admin, "zeppelin", o="-2") == [newer, older]
    assert admin_found(admin, "zeppelin", o="2") == [older, newer]


def test_the_pending_queue_is_searched_best_first(admin, article):
    once = comment(article, "zeppelin and more words here", status="pending")
    twice = comment(article, "zeppelin zeppelin", status="pending")
    comment(article, "zeppelin zeppelin zeppelin", status="approved")

    assert admin_found(admin, "zeppelin", status__exact="pending") == [twice, once]


# --- addresses and IPs ---------------------------------------------------------------------


def test_an_address_finds_the_commenter_exactly(found, article):
    grace = comment(article, "Hi.", author_email="grace.hopper@navy.example")
    comment(article, "Hi.", author_email="race.hopper@navy.example")
    comment(article, "Write to grace.hopper@navy.example please.")

    assert found("grace.hopper@navy.example") == [grace]
    assert found("Grace.Hopper@NAVY.example") == [grace]
    assert found("hopper@navy.example") == []


def test_a_domain_after_an_at_sign_finds_the_commenters_at_that_domain(found, article):
    navy = comment(article, "Hi.", author_email="grace@navy.example")
    navy_too = comment(article, "Hi.", author_email="alan@navy.example")
    comment(article, "Hi.", author_email="ada@mail.navy.example")
    comment(article, "I like navy.example a lot.")

    assert found("@navy.example") == [navy_too, navy]
    assert found("@Navy.Example -@other.example") == [navy_too, navy]
    assert found("-@navy.example hi") == [pk for pk in found("hi") if pk not in (navy, navy_too)]


def test_a_domain_name_finds_the_commenters_there_and_the_comments_naming_it(found, article):
    navy = comment(article, "Hi.", author_email="grace@navy.example")
    names_it = comment(article, "See navy.example for more.")
    comment(article, "Hi.", author_email="grace@army.example")

    assert sorted(found("navy.example")) == sorted([navy, names_it])


def test_an_ip_finds_the_comments_sent_from_it_exactly(found, article):
    v4 = comment(article, "Hi.", ip_address="192.0.2.55")
    comment(article, "Hi.", ip_address="192.0.2.5")
    v6 = comment(article, "Hi.", ip_address="2001:db8::7")

    assert found("192.0.2.55") == [v4]
    assert found("2001:DB8:0::7") == [v6]
    assert found("198.51.100.1") == []


def test_an_address_combines_with_words_and_alternatives(found, article):
    refund = comment(article, "I want a refund.", author_email="grace@navy.example")
    comment(article, "Lovely article.", author_email="grace@navy.example")
    comment(article, "I want a refund.", author_email="alan@navy.example")
    by_ip = comment(article, "Lovely.", ip_address="192.0.2.55")

    assert found("grace@navy.example refunds") == [refund]
    assert sorted(found("grace@navy.example refund or 192.0.2.55")) == sorted([refund, by_ip])


# --- the index follows every write -----------------------------------------------------------


def test_an_edited_comment_is_found_by_its_new_words(staff_client, article, policy):
    edited = comment(article, "Airships are slow.")

    services.comment_edit(comment=Comment.objects.get(pk=edited), body="Zeppelins are slow.")

    assert api_found(staff_client, "zeppelin") == [edited]
    assert api_found(staff_client, "airships") == []


def test_a_comment_edited_in_the_admin_is_found_by_its_new_words(admin, article):
    edited = make_comment(article, body="Airships are slow.", author_name="Grace")
    form = {
        "author_name": "Ada",
        "author_email": edited.author_email,
        "author_url": "",
        "body": "Zeppelins are slow.",
        "status": edited.status,
        # The (empty) inline formset of reader flags.
        "flags-TOTAL_FORMS": "0",
        "flags-INITIAL_FORMS": "0",
        "flags-MIN_NUM_FORMS": "0",
        "flags-MAX_NUM_FORMS": "1000",
    }

    assert admin.post(f"{CHANGELIST}{edited.pk}/change/", form).status_code == 302

    assert admin_found(admin, "zeppelin ada") == [edited.pk]
    assert admin_found(admin, "airships") == []
    assert admin_found(admin, "grace") == []


def test_an_erased_commenter_is_no_longer_found(staff_client, article):
    set_policy(erase_keeps_approved_bodies=False)
    erased = comment(
        article, "Zeppelins!", author_name="Grace Hopper", author_email="g@navy.example"
    )
    kept = comment(article, "Zeppelins too.", author_name="Alan")

    comments_erase(email="g@navy.example")

    assert api_found(staff_client, "zeppelin") == [kept]
    assert api_found(staff_client, "hopper") == []
    assert api_found(staff_client, "g@navy.example") == []
    assert api_found(staff_client, "anonymous") == [erased]


def test_imported_comments_are_found(staff_client, article):
    row = ImportedComment(
        wordpress_id=7,
        parent_wordpress_id=None,
        author_name="Imported Reader",
        author_email="imported@old.example",
        author_url="",
        body="Written on the old site about zeppelins.",
        status="approved",
        submitted_at=timezone.now() - timedelta(days=400),
        ip_address="192.0.2.99",
    )

    comments_import(article=article, rows=[row])

    imported = Comment.objects.get(wordpress_id=7).pk
    assert api_found(staff_client, "zeppelin") == [imported]
    assert api_found(staff_client, "imported@old.example") == [imported]
    assert api_found(staff_client, "@old.example") == [imported]
    assert api_found(staff_client, "192.0.2.99") == [imported]


def test_updates_and_deletes_in_bulk_reach_the_index(staff_client, article):
    first = comment(article, "Airships.")
    second = comment(article, "Airships again.")

    Comment.objects.filter(pk=first).update(body="Zeppelins.")
    Comment.objects.filter(pk=second).delete()

    assert api_found(staff_client, "zeppelin") == [first]
    assert api_found(staff_client, "airships") == []


def test_a_status_change_leaves_the_words_found(staff_client, article):
    held = comment(article, "Zeppelins.", status="pending")

    staff_client.patch(f"{MODERATION_URL}{held}/", {"status": "approved"}, format="json")

    assert api_found(staff_client, "zeppelin", status="approved") == [held]


# --- who may search -------------------------------------------------------------------------


def test_readers_and_non_staff_cannot_search(api_client, client, article):
    comment(article, "Zeppelins.", author_email="grace@navy.example")

    assert api_client.get(MODERATION_URL, {"search": "zeppelin"}).status_code in (401, 403)
    api_client.force_login(UserFactory())
    assert api_client.get(MODERATION_URL, {"search": "zeppelin"}).status_code == 403
    response = client.get(CHANGELIST, {"q": "grace@navy.example"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(CHANGELIST, {"q": "grace@navy.example"}).status_code == 302


# --- the language, the command, migrations ---------------------------------------------------


def test_a_new_language_rebuilds_the_index_at_the_next_migrate(staff_client, article, settings):
    announce = comment(article, "They will announce it.")
    settings.SEARCH_CONFIG = "simple"  # words as written, on both databases

    search_index.after_migrate(sender=None)

    assert api_found(staff_client, "announcing") == []
    assert api_found(staff_client, "announce") == [announce]
    comment(article, "Announcing more.")  # written by the triggers in the new language
    assert api_found(staff_client, "announcing") != []
    settings.SEARCH_CONFIG = "english"
    search_index.after_migrate(sender=None)
    assert api_found(staff_client, "announcing")[-1] == announce


def test_migrate_puts_back_a_missing_trigger_and_what_it_missed(staff_client, article):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER comments_search_insert")
        else:
            cursor.execute("DROP TRIGGER comments_search_sync ON comments_comment")
    missed = comment(article, "Zeppelins.")
    assert api_found(staff_client, "zeppelin") == []

    search_index.after_migrate(sender=None)

    assert api_found(staff_client, "zeppelin") == [missed]
    comment(article, "More zeppelins.")
    assert len(api_found(staff_client, "zeppelin")) == 2


def test_the_rebuild_command_remakes_the_comment_index_when_asked(staff_client, article):
    written = comment(article, "Zeppelins.")
    with connection.cursor() as cursor:  # as if written with the triggers off
        cursor.execute(
            "DELETE FROM comments_search"
            if connection.vendor == "postgresql"
            else "INSERT INTO comments_search (comments_search) VALUES ('delete-all')"
        )
    assert api_found(staff_client, "zeppelin") == []
    out = StringIO()

    call_command("rebuild_search_index", "--comments", stdout=out)

    assert out.getvalue().endswith("1 comment(s) in the comment search index.\n")
    assert api_found(staff_client, "zeppelin") == [written]


# --- cost ---------------------------------------------------------------------------------


# session, user, the article filter's choices, the filtered and the total counts, the
# page of comments, the date hierarchy's range and dates (as tests/comments/
# test_admin_queue_page.py counts the queue without a search).
QUEUE_QUERIES = 8
# session, user, count, page (tests/comments/test_api_moderation.py's STAFF_LIST_QUERIES)
STAFF_LIST_QUERIES = 4


@pytest.mark.parametrize("text", ["zeppelin", "zeppelin -airship", "r1@example.org zeppelin"])
def test_a_search_takes_the_same_queries_for_one_or_many_comments(
    staff_client, admin, django_assert_num_queries, text
):
    def add(n: int) -> None:
        for i in range(n):
            make_comment(
                ArticleFactory(), body=f"Zeppelin number {i}", author_email="r1@example.org"
            )

    add(1)
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        assert len(api_found(staff_client, text)) == 1
    with django_assert_num_queries(QUEUE_QUERIES):
        assert len(admin_found(admin, text)) == 1

    add(30)
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        assert len(api_found(staff_client, text)) == 20
    with django_assert_num_queries(QUEUE_QUERIES):
        assert len(admin_found(admin, text)) == 31


# --- the plans -----------------------------------------------------------------------------------


def _explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def _many_comments(n: int) -> None:
    """`n` comments of a few dozen words, six about zeppelins, two from one domain."""
    article = ArticleFactory()
    now = timezone.now()
    words = [f"word{i}" for i in range(500)]
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {i}",
            author_email=f"r{i}@" + ("zeppelin.example" if i % 1500 == 0 else "example.org"),
            body=" ".join(words[(i * 7 + k) % 500] for k in range(40))
            + (" about a zeppelin" if i % 500 == 0 else ""),
            submitted_at=now - timedelta(minutes=i),
            ip_address=f"10.0.{i // 256}.{i % 256}",
        )
        for i in range(n)
    )
    with connection.cursor() as cursor:
        for table in ("comments_comment", "comments_search"):
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {table}")
    if connection.vendor == "sqlite":
        from plumbing.sqlite import analyze

        analyze()


def _page_of(text: str):
    queryset = search.search_comments(queryset=Comment.objects.all(), text=text, best_first=True)
    return queryset.values("id")[:50]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_postgresql_finds_through_the_indexes():
    _many_comments(3000)

    words = _explain(_page_of("zeppelin"))
    domain = _explain(_page_of("@zeppelin.example"))

    assert "comments_search_document" in words, words  # the GIN index
    assert "Seq Scan" not in words, words
    assert "comment_email_domain" in domain, domain
    assert "Seq Scan" not in domain, domain
    assert len(list(_page_of("zeppelin"))) == 6
    assert len(list(_page_of("@zeppelin.example"))) == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_sqlite_finds_through_the_indexes():
    _many_comments(3000)

    words = _explain(_page_of("zeppelin"))
    domain = _explain(_page_of("@zeppelin.example"))

    assert re.search(r"SCAN comments_search VIRTUAL TABLE INDEX \d+:M", words), words
    assert "SEARCH comments_comment USING INTEGER PRIMARY KEY" in words, words
    assert "MATERIALIZE ranked" in words, words  # ranked once, not once per comment
    assert "USING INDEX comment_email_domain" in domain, domain
    assert "SCAN comments_comment" not in domain, domain
    assert len(list(_page_of("zeppelin"))) == 6
    assert len(list(_page_of("@zeppelin.example"))) == 2
