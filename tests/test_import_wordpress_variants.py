"""`manage.py import_wordpress` takes any WordPress export (issue #18): files made by other
tools or trimmed by hand, without `wp:post_id`, `wp:post_name`, `wp:post_date_gmt` or
`wp:comment_id`, with `<category>` elements that give only a name, in any WXR namespace
(http or https, 1.0 to 1.2), import every post, and importing them again changes
nothing. Whatever is skipped is counted with its reason, and `-v 2` names each item.

The variants are the Theme Unit Test export with parts removed by text substitution;
what they must import is read from the untouched export with plain ElementTree, once
for the module, independently of the importer (tests/test_import_wordpress.py's helpers).
"""

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from articles.models import Article, ArticleSlugRedirect, Author, Category, Image, Tag
from articles.wordpress import ImportSummary
from comments.models import Comment
from tests.test_import_wordpress import (
    CORPUS,
    EDGE_CASES,
    KINDS,
    WP,
    expected_from_corpus,
    run_import,
    snapshot,
    summary_rows,
)

pytestmark = pytest.mark.django_db

# Ids the importer derives for items without one (articles/wordpress/identity.py).
DERIVED_ID_FLOOR = 2**62


# --- what the untouched export holds ------------------------------------------------


@pytest.fixture(scope="module")
def corpus_text() -> str:
    if not CORPUS.is_file():
        pytest.fail(f"The WordPress test export is missing: {CORPUS}.")
    return CORPUS.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def facts(corpus_text) -> dict:
    """The counts of tests/test_import_wordpress.py, and each post's own values."""
    channel = ET.fromstring(corpus_text).find("channel")
    posts = {}
    for item in channel.findall("item"):
        if item.findtext(WP + "post_type") != "post":
            continue
        elements = item.findall("category")
        posts[int(item.findtext(WP + "post_id"))] = {
            "title": item.findtext("title"),
            "guid": item.findtext("guid"),
            "gmt": datetime.strptime(
                item.findtext(WP + "post_date_gmt"), "%Y-%m-%d %H:%M:%S"
            ).replace(tzinfo=UTC),
            "pubDate": parsedate_to_datetime(item.findtext("pubDate")),
            "names": {c.text.strip() for c in elements},
            "tag names": {c.text.strip() for c in elements if c.get("domain") == "post_tag"},
        }
    return {
        **expected_from_corpus(CORPUS),
        "posts": posts,
        "declared tag names": {t.findtext(WP + "tag_name") for t in channel.findall(WP + "tag")},
        "declared category names": {
            c.findtext(WP + "cat_name") for c in channel.findall(WP + "category")
        },
        "guids shared by posts": [
            guid for guid, n in Counter(p["guid"] for p in posts.values()).items() if n > 1
        ],
    }


# --- the variants -------------------------------------------------------------------


def _element(name: str) -> str:
    """A wp: element with its content, or empty."""
    return rf"<wp:{name}>.*?</wp:{name}>|<wp:{name}\s*/>"


def _namespace(uri: str) -> tuple[str, str]:
    return r"https://wordpress\.org/export/1\.2/", uri  # the excerpt namespace follows


NO_POST_ID = (_element("post_id"), "")
NO_POST_NAME = (_element("post_name"), "")
PLAIN_CATEGORIES = (r"<category\s[^>]*>", "<category>")  # no domain, no nicename
NO_DATE_GMT = (_element("post_date_gmt"), "")
NO_COMMENT_ID = (_element("comment_id"), "")
TRIMS = {
    "no post_id": [NO_POST_ID],
    "no post_name": [NO_POST_NAME],
    "categories without domain or nicename": [PLAIN_CATEGORIES],
    # The export is https and 1.2 already (the other tests): here http, and 1.0.
    "WXR 1.0 namespace over http": [_namespace("http://wordpress.org/export/1.0/")],
    "no post_date_gmt": [NO_DATE_GMT],
    "all at once, comment_id too, WXR 1.1": [
        NO_POST_ID,
        NO_POST_NAME,
        PLAIN_CATEGORIES,
        NO_DATE_GMT,
        NO_COMMENT_ID,
        _namespace("https://wordpress.org/export/1.1/"),
    ],
}


def trimmed(text: str, trims: list[tuple[str, str]], tmp_path: Path) -> Path:
    for pattern, replacement in trims:
        text, n = re.subn(pattern, replacement, text, flags=re.DOTALL)
        assert n, f"nothing to trim for {pattern}"
    path = tmp_path / "trimmed.xml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_every_skip_has_a_reason(output: str) -> dict[str, Counter]:
    """Every skipped count of the summary table is the sum of the reasons listed for it;
    the reasons, by kind."""
    rows = summary_rows(output)
    reasons: dict[str, Counter] = {}
    for kind, n, listed in re.findall(r"^  ([a-z ]+): (\d+) \((.*)\)$", output, re.MULTILINE):
        reasons[kind] = Counter()
        for entry in listed.split("; "):
            reason, count = entry.rsplit(": ", 1)
            reasons[kind][reason] += int(count)
        assert sum(reasons[kind].values()) == int(n), kind
    if by_type := re.search(r"^Other items skipped by post type: (.*)\.$", output, re.MULTILINE):
        reasons["other items"] = Counter(
            {f"post type {t}": int(n) for n, t in re.findall(r"(\d+) (\S+?)(?:,|$)", by_type[1])}
        )
    for kind in KINDS:
        assert rows[kind]["skipped"] == sum(reasons.get(kind, Counter()).values()), (kind, output)
    return reasons


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Article, Category, Tag, Comment, Author, Image, ArticleSlugRedirect)
    }


# What each variant shows beyond the counts, on specific items.


def _articles_are_known_by_guid_then_link(facts):
    assert facts["guids shared by posts"], "the export has posts sharing a guid"
    assert all(
        i >= DERIVED_ID_FLOOR for i in Article.objects.values_list("wordpress_id", flat=True)
    )
    titles = {
        p["title"] for p in facts["posts"].values() if p["guid"] in facts["guids shared by posts"]
    }
    assert len(titles) == 4  # two pairs: each post an article of its own
    assert Article.objects.filter(title__in=titles).count() == 4
    reply = Comment.objects.get(wordpress_id=905)  # comment ids kept: threads too
    assert reply.parent.wordpress_id == 904


def _slugs_come_from_titles(facts):
    slugs = dict(Article.objects.values_list("wordpress_id", "slug"))
    assert slugs[1173] == "markup-title-with-markup"  # "Markup: Title <em>With</em> ..."
    assert slugs[1161] == "post-format-video-youtube"  # "Post Format: Video (YouTube)"
    assert slugs[1168] == "template-password-protected-the-password-is-enter"
    assert slugs[1169] == "post-1169"  # no title either
    assert all(re.fullmatch(r"[a-z0-9_-]+", slug) for slug in slugs.values())


def _categories_are_found_by_name(facts):
    def folded(names):  # names are matched as WordPress matches them: case aside
        return {name.casefold() for name in names}

    tags, categories = folded(facts["declared tag names"]), folded(facts["declared category names"])
    for post_id, post in facts["posts"].items():
        article = Article.objects.get(wordpress_id=post_id)
        names = folded(post["names"])
        if article.category is not None:
            assert article.category.name.casefold() in names, post["title"]
        # A name the file declares as a tag, and not as a category, is that tag.
        assert folded(article.tags.values_list("name", flat=True)) == names & tags - categories
    assert Article.objects.get(wordpress_id=1152).category.depth == 2  # the deepest one
    # The file's categories are matched by name, not made again from it.
    assert Category.objects.filter(wordpress_id__isnull=False).count() == facts["categories"]


def _dates_come_from_pub_date(facts):
    published = dict(Article.objects.values_list("wordpress_id", "published_at"))
    for post_id, post in facts["posts"].items():
        assert published[post_id] == post["pubDate"], post["title"]
    # WordPress writes pubDate from the GMT date; this export was assembled by hand, and
    # 7 of its posts have a pubDate a day or two after it (docs/wordpress-import.md).
    differ = [p for p in facts["posts"].values() if p["pubDate"] != p["gmt"]]
    assert 0 < len(differ) < len(facts["posts"]) / 5


def _comments_are_known_by_post_author_and_date(facts):
    ids = list(Comment.objects.values_list("wordpress_id", flat=True))
    assert ids and all(i >= DERIVED_ID_FLOOR for i in ids)


VARIANT_CHECKS = {
    "no post_id": _articles_are_known_by_guid_then_link,
    "no post_name": _slugs_come_from_titles,
    "categories without domain or nicename": _categories_are_found_by_name,
    "WXR 1.0 namespace over http": lambda facts: None,
    "no post_date_gmt": _dates_come_from_pub_date,
    "all at once, comment_id too, WXR 1.1": _comments_are_known_by_post_author_and_date,
}


@pytest.mark.parametrize("variant", list(TRIMS))
def test_a_trimmed_export_imports_every_post_and_importing_again_changes_nothing(
    variant, corpus_text, facts, tmp_path
):
    path = trimmed(corpus_text, TRIMS[variant], tmp_path)

    output = run_import(path)

    first = summary_rows(output)
    posts = sum(facts["post statuses"].values())
    assert first["articles"] == {"created": posts, "updated": 0, "unchanged": 0, "skipped": 0}
    assert Counter(Article.objects.values_list("status", flat=True)) == facts["post statuses"]
    assert Counter(Comment.objects.values_list("status", flat=True)) == facts["comment statuses"]
    assert Image.objects.count() == len(facts["attachments"])
    if PLAIN_CATEGORIES not in TRIMS[variant]:
        assert Category.objects.count() == facts["categories"]
        assert Tag.objects.count() == facts["tags"]
    assert_every_skip_has_a_reason(output)
    VARIANT_CHECKS[variant](facts)
    before, rows = counts(), snapshot()

    second = summary_rows(run_import(path))

    assert counts() == before
    assert snapshot() == rows  # no row written, no new history version
    for kind in KINDS:
        assert second[kind]["created"] == second[kind]["updated"] == 0, kind
        assert second[kind]["unchanged"] == first[kind]["created"] + first[kind]["unchanged"]
        assert second[kind]["skipped"] == first[kind]["skipped"], kind


# --- an old export, as WordPress 2.x wrote WXR 1.0, trimmed further -----------------
# WXR 1.0 has no term ids, names a category's parent by its name (stored with its
# entities: "Mom &amp; Pop"), writes each category twice and tags as domain="tag".

OLD_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
    xmlns:excerpt="http://wordpress.org/export/1.0/excerpt/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:wp="http://wordpress.org/export/1.0/">
<channel>
<title>Old blog</title>
<link>http://old.example</link>
<wp:wxr_version>1.0</wp:wxr_version>
<wp:category><wp:category_nicename>mom</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Mom &amp; Pop]]></wp:cat_name></wp:category>
<wp:category><wp:category_nicename>kid</wp:category_nicename><wp:category_parent>Mom &amp;amp; Pop</wp:category_parent><wp:cat_name><![CDATA[Kid]]></wp:cat_name></wp:category>
<wp:tag><wp:tag_slug>news</wp:tag_slug><wp:tag_name><![CDATA[News]]></wp:tag_name></wp:tag>
"""
TITLE = "Crème Brûlée &amp; Straße — Part 1.5"


def _old_item(title, guid, *, status="publish", dates="", terms="", comments="", link=""):
    """An item with no post_id and no post_name, as WXR 1.0 allows and trimmed files do."""
    return f"""
<item>
  <title>{title}</title>
  <link>{link}</link>
  <guid isPermaLink="false">{guid}</guid>
  <dc:creator><![CDATA[editor]]></dc:creator>
  <content:encoded><![CDATA[<p>Text.</p>]]></content:encoded>
  {dates}
  <wp:status>{status}</wp:status>
  <wp:post_type>post</wp:post_type>
  {terms}{comments}
</item>"""


def _old_comment(author, date, *, parent=0):
    return f"""
  <wp:comment>
    <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
    <wp:comment_author_email>reader@example.net</wp:comment_author_email>
    <wp:comment_date>{date}</wp:comment_date>
    <wp:comment_content><![CDATA[Hello.]]></wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved>
    <wp:comment_parent>{parent}</wp:comment_parent>
  </wp:comment>"""


# WXR 1.0 wrote each category twice (a plain <category> "for backwards compatibility",
# then one with domain and nicename) and tags as domain="tag".
OLD_TERMS = """
  <category><![CDATA[Kid]]></category>
  <category domain="category" nicename="kid"><![CDATA[Kid]]></category>
  <category domain="tag"><![CDATA[News]]></category>
  <category domain="tag" nicename="news"><![CDATA[News]]></category>
  <category><![CDATA[Mom & Pop]]></category>
  <category><![CDATA[Brand New Thing]]></category>"""

OLD_EXPORT = (
    OLD_HEAD
    + _old_item(
        TITLE,
        "http://old.example/?p=1",
        dates="<pubDate>Wed, 18 Jun 2008 12:34:56 +0200</pubDate>",
        terms=OLD_TERMS,
        comments=_old_comment("Ann", "2008-06-19 09:00:00")
        + _old_comment("Bob", "2008-06-19 10:00:00"),
    )
    + _old_item(
        TITLE, "http://old.example/?p=2", dates="<pubDate>Thu, 19 Jun 2008 08:00:00 +0000</pubDate>"
    )
    + _old_item(
        "Local time only",
        "http://old.example/?p=3",
        dates="<wp:post_date>2008-06-20 08:00:00</wp:post_date>",
    )
    + _old_item(
        "Never dated draft",
        "http://old.example/?p=4",
        status="draft",
        dates="<wp:post_date>2008-06-21 08:00:00</wp:post_date>"
        "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>"
        "<pubDate>Thu, 01 Jan 1970 00:00:00 +0000</pubDate>",
    )
    + "\n</channel>\n</rss>\n"
)


@pytest.fixture
def old_export(tmp_path) -> Path:
    path = tmp_path / "old.xml"
    path.write_text(OLD_EXPORT, encoding="utf-8")
    return path


def test_an_old_export_without_ids_comes_over_and_again_changes_nothing(old_export):
    first = summary_rows(run_import(old_export))
    before = snapshot()

    second = summary_rows(run_import(old_export))

    assert first["articles"]["created"] == 4
    assert first["comments"]["created"] == 2
    assert first["categories"]["created"] == 3  # mom, kid, and "Brand New Thing"
    assert snapshot() == before
    assert second["articles"] == {"created": 0, "updated": 0, "unchanged": 4, "skipped": 0}
    assert second["comments"] == {"created": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    assert all(
        i >= DERIVED_ID_FLOOR
        for model in (Article, Comment)
        for i in model.objects.values_list("wordpress_id", flat=True)
    )


def test_the_slug_is_wordpress_slug_of_the_title_and_does_not_move(old_export):
    run_import(old_export)
    first, second = Article.objects.filter(title="Crème Brûlée & Straße — Part 1.5").order_by("pk")

    assert first.slug == "creme-brulee-strase-part-1-5"  # accents off, dots to hyphens
    assert second.slug == "creme-brulee-strase-part-1-5-2"  # unique, as WordPress makes it
    assert Article.objects.get(title="Local time only").slug == "local-time-only"

    # WordPress sets a slug once: a title edited since does not move the article's URL.
    old_export.write_text(OLD_EXPORT.replace(TITLE, "Crème brûlée, revisited", 1))
    rows = summary_rows(run_import(old_export))

    assert rows["articles"] == {"created": 0, "updated": 1, "unchanged": 3, "skipped": 0}
    first.refresh_from_db()
    assert (first.title, first.slug) == ("Crème brûlée, revisited", "creme-brulee-strase-part-1-5")


def test_dates_come_from_pub_date_then_the_local_date(old_export):
    run_import(old_export)
    published = dict(Article.objects.values_list("title", "published_at"))

    # pubDate with its offset (no wp:post_date_gmt)
    assert Article.objects.get(slug="creme-brulee-strase-part-1-5").published_at == datetime(
        2008, 6, 18, 10, 34, 56, tzinfo=UTC
    )
    # wp:post_date alone: read as UTC, the last resort (the site's time zone is unknown)
    assert published["Local time only"] == datetime(2008, 6, 20, 8, 0, tzinfo=UTC)
    # a draft WordPress never dated (GMT 0000-00-00) stays undated
    assert published["Never dated draft"] is None


def test_categories_and_tags_given_by_name_are_found_by_name(old_export):
    run_import(old_export)
    article = Article.objects.get(slug="creme-brulee-strase-part-1-5")

    mom, kid = Category.objects.get(slug="mom"), Category.objects.get(slug="kid")
    # Declared without term ids, the parent by its name (WXR 1.0), as WordPress 2.x did.
    assert (mom.name, kid.parent, kid.slug_path) == ("Mom & Pop", mom, "mom/kid")
    assert article.category == kid  # the deepest of Kid (twice), Mom & Pop, Brand New Thing
    assert not Category.objects.filter(slug="mom-pop").exists()  # "Mom & Pop" is mom
    assert Category.objects.get(slug="brand-new-thing").name == "Brand New Thing"
    assert list(article.tags.values_list("slug", flat=True)) == ["news"]  # domain="tag"
    assert Tag.objects.count() == 1


def test_comments_without_ids_keep_their_identity(old_export):
    run_import(old_export)
    comments = dict(Comment.objects.values_list("author_name", "wordpress_id"))

    run_import(old_export)

    assert dict(Comment.objects.values_list("author_name", "wordpress_id")) == comments
    assert set(comments) == {"Ann", "Bob"}
    article = Article.objects.get(slug="creme-brulee-strase-part-1-5")
    assert article.comment_count == 2


# --- every skip has a reason ---------------------------------------------------------

SKIPS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
    xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login></wp:author_login><wp:author_display_name>Nobody</wp:author_display_name></wp:author>
<wp:category><wp:term_id>9</wp:term_id><wp:category_nicename></wp:category_nicename><wp:cat_name></wp:cat_name></wp:category>
<wp:tag><wp:tag_slug>α</wp:tag_slug><wp:tag_name><![CDATA[α]]></wp:tag_name></wp:tag>
"""


def _skip_item(post_id, title, *, post_type="post", status="publish", name="", guid="",
               content="<p>Text.</p>", extra=""):  # fmt: skip
    return f"""
<item>
  <title>{title}</title>
  <guid>{guid}</guid>
  <content:encoded><![CDATA[{content}]]></content:encoded>
  <wp:post_id>{post_id}</wp:post_id>
  <wp:post_date>2020-05-01 10:00:00</wp:post_date>
  <wp:post_name>{name}</wp:post_name>
  <wp:status>{status}</wp:status>
  <wp:post_type>{post_type}</wp:post_type>
  {extra}
</item>"""


def _skip_comment(comment_id, *, comment_type=""):
    return f"""
  <wp:comment>
    <wp:comment_id>{comment_id}</wp:comment_id>
    <wp:comment_author><![CDATA[Reader {comment_id}]]></wp:comment_author>
    <wp:comment_date_gmt>2020-05-02 08:00:00</wp:comment_date_gmt>
    <wp:comment_content><![CDATA[Hi.]]></wp:comment_content>
    <wp:comment_approved>1</wp:comment_approved>
    <wp:comment_type>{comment_type}</wp:comment_type>
  </wp:comment>"""


def _old_slug(value):
    return (
        f"<wp:postmeta><wp:meta_key>_wp_old_slug</wp:meta_key>"
        f"<wp:meta_value>{value}</wp:meta_value></wp:postmeta>"
    )


# One of every skip the importer makes (the comment before each item says which).
SKIPS = (
    SKIPS_HEAD
    # comments: the same id twice in a post, a pingback; old slugs: no Latin letters
    + _skip_item(1, "Kept", name="kept", extra=_skip_comment(10) + _skip_comment(10)
                 + _skip_comment(11, comment_type="pingback") + _old_slug("α"))
    # comments: another post's comment id; old slugs: an article's current slug
    + _skip_item(2, "Other", name="other", extra=_skip_comment(10) + _old_slug("kept"))
    # articles: an auto-draft (comments: on a skipped post)
    + _skip_item(3, "Draft never saved", status="auto-draft", extra=_skip_comment(30))
    # articles: empty
    + _skip_item(4, "", content="")
    # articles: no post_id, and the same guid, link, title and date as an earlier item
    + _skip_item(0, "Twin", guid="http://example.com/?p=5")
    + _skip_item(0, "Twin", guid="http://example.com/?p=5")
    # images: an attachment with nothing to recognise it by
    + _skip_item(0, "", post_type="attachment",
                 extra="<wp:attachment_url>https://example.com/a.jpg</wp:attachment_url>")
    # other items: a page (comments: on a page), a menu item, an attachment without a file
    + _skip_item(7, "About", post_type="page", extra=_skip_comment(70))
    + _skip_item(8, "", post_type="nav_menu_item", guid="http://example.com/?p=8")
    + _skip_item(9, "Photo", post_type="attachment")
    + "\n</channel>\n</rss>\n"
)  # fmt: skip


@pytest.fixture
def skips_file(tmp_path) -> Path:
    path = tmp_path / "skips.xml"
    path.write_text(SKIPS, encoding="utf-8")
    return path


def test_every_skip_is_counted_with_its_reason(skips_file):
    output = run_import(skips_file)

    reasons = assert_every_skip_has_a_reason(output)

    assert set(reasons) == set(KINDS)  # a skip of every kind
    assert reasons["articles"] == {
        "auto-draft, an editor window never saved": 1,
        "empty: no title, content or excerpt": 1,
        "no post_id, and no guid, link or title that an earlier item does not have": 1,
    }
    assert reasons["comments"] == {
        "same comment_id (or author and date) as another comment of the post": 1,
        "pingback, not a reader's comment": 1,
        "comment_id of a comment on another post": 1,
        "on a skipped post": 1,
        "on a page, not imported": 1,
    }
    assert reasons["old slugs"] == {"no slug in Latin letters": 1, "an article's current slug": 1}
    assert reasons["authors"] == {"no login": 1}
    assert reasons["categories"] == {"no nicename and no name": 1}
    assert reasons["tags"] == {"no term_id and no slug in Latin letters": 1}
    assert reasons["other items"] == {
        "post type attachment": 1,
        "post type nav_menu_item": 1,
        "post type page": 1,
    }


@pytest.mark.parametrize("export", ["corpus", "edge cases", "trimmed corpus"])
def test_no_skipped_count_is_left_without_a_reason(export, corpus_text, tmp_path):
    path = tmp_path / "export.xml"
    if export == "edge cases":
        path.write_text(EDGE_CASES)
    elif export == "corpus":
        path = CORPUS
    else:
        path = trimmed(corpus_text, TRIMS["all at once, comment_id too, WXR 1.1"], tmp_path)

    output = run_import(path)

    assert_every_skip_has_a_reason(output)
    assert sum(summary_rows(output)[kind]["skipped"] for kind in KINDS) > 0


def test_a_skip_cannot_be_counted_without_a_reason():
    with pytest.raises(ValueError, match="reason"):
        ImportSummary().count("articles", "skipped")


def test_verbosity_2_lists_each_skipped_item_with_its_reason(skips_file):
    output = run_import(skips_file, "-v", "2")

    listed = re.search(r"^Skipped items \((\d+)\):\n((?:  \S.*\n)+)", output, re.MULTILINE)
    assert listed is not None, output
    lines = listed[2].splitlines()
    total = sum(row["skipped"] for row in summary_rows(output).values())
    assert int(listed[1]) == len(lines) == total
    assert (
        '  article "Draft never saved" (post_id 3): auto-draft, an editor window never saved'
        in lines
    )
    assert (
        '  article "Twin": no post_id, and no guid, link or title that an earlier item does '
        "not have" in lines
    )
    assert (
        '  comment 30 by "Reader 30" on "Draft never saved" (post_id 3): on a skipped post' in lines
    )
    assert "  nav_menu_item http://example.com/?p=8 (post_id 8): post type nav_menu_item" in lines
    assert '  old slug "kept" of "Other" (post_id 2): an article\'s current slug' in lines
    assert '  author "Nobody": no login' in lines
    assert (
        '  attachment "Photo" (post_id 9): post type attachment, with no wp:attachment_url' in lines
    )
    reasons = assert_every_skip_has_a_reason(output)
    known = {reason for by_reason in reasons.values() for reason in by_reason}
    for line in lines:  # every line ends with one of the summary's reasons
        assert any(line.endswith(f": {reason}") for reason in known) or ": post type " in line, line


def test_the_default_verbosity_lists_no_items(skips_file):
    assert "Skipped items" not in run_import(skips_file)
