"""Importing WXR records: posts (articles), their old slugs and reader comments, and the
run as a whole.

`WordPressImporter` turns the records of reading.py into rows, matching on the WordPress
ids kept in the `wordpress_id` / `wordpress_login` columns (ids derived by identity.py
for items the export gives none), so importing the same file again changes nothing.
Authors, categories and tags are terms.py's; each post's comment threads are built by
the comments app (comments.threads.comments_import). Whatever is skipped is counted
with its reason.
`wordpress_import()` reads and imports in one transaction: a file that turns out to be
broken halfway leaves the database as it was. See docs/wordpress-import.md for the
mapping and the decisions behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleSlugRedirect, Image
from articles.sanitizer import sanitize_article_html
from articles.signals import bulk_content_changed
from articles.wordpress.converting import (
    POST_STATUSES,
    READER_COMMENT_TYPES,
    UNDATED_STATUSES,
    html_to_text,
    imported_comment,
    post_published_at,
    sanitize_title,
    slug_base,
    unique_slug,
    wordpress_paragraphs,
)
from articles.wordpress.identity import ItemIds, comment_id
from articles.wordpress.reading import WxrComment, WxrError, WxrPost, WxrRecord, read_wxr
from articles.wordpress.summary import ImportSummary
from articles.wordpress.terms import TermImporter
from comments.models import Comment
from comments.services import comment_counts_refresh
from comments.threads import comments_import
from plumbing.sqlite import analyze

# Why an item is skipped when the export gives it no id and nothing else to tell it from
# the items before it (identity.py).
NO_IDENTITY = "no post_id, and no guid, link or title that an earlier item does not have"
# Notes on a post dated from something else than wp:post_date_gmt.
DATE_NOTES = {
    "pubDate": "post dated from pubDate (no wp:post_date_gmt)",
    "wp:post_date": "post dated from wp:post_date read as UTC (no wp:post_date_gmt or pubDate)",
}


def _item_label(post: WxrPost) -> str:
    """An item as the list of skipped items names it: its title, else its guid or link."""
    title = html_to_text(post.title, one_line=True)
    label = f'"{title}"' if title else (post.guid or post.link or "(no title, guid or link)")
    return f"{label} (post_id {post.post_id})" if post.post_id else label


def _comment_label(comment: WxrComment, post: WxrPost) -> str:
    number = f"{comment.comment_id} " if comment.comment_id else ""
    author = html_to_text(comment.author, one_line=True)
    return f'{number}by "{author}" on {_item_label(post)}'


class WordPressImporter:
    """Creates or updates rows from WXR records; one instance per import.

    Channel records (authors, categories, tags) go to a TermImporter, which writes them
    when the first item comes; posts are imported as they are read.
    """

    def __init__(self, summary: ImportSummary | None = None) -> None:
        self.summary = summary or ImportSummary()
        self._now = timezone.now()
        self.terms = TermImporter(self.summary, now=self._now)
        self.ids = ItemIds()
        self._recount_article_ids: set[int] = set()
        # {article id: the WordPress id of its featured image}: set once every item is
        # read, since an attachment may come after the post that features it.
        self._featured: dict[int, int] = {}

    def add(self, record: WxrRecord) -> None:
        """Import one record (a channel record: when the first post comes)."""
        if isinstance(record, WxrPost):
            self.terms.write()
            self._import_post(record)
        else:
            self.terms.add(record)

    def finish(self) -> ImportSummary:
        """Write what is still pending, recount comments; the summary of the import."""
        self.terms.write()
        self._set_lead_images()
        self._recount_comments()
        return self.summary

    # -- posts -------------------------------------------------------------------------

    def _import_post(self, post: WxrPost) -> None:
        if post.post_type == "attachment" and post.attachment_url:
            if (wordpress_id := self.ids.post_id(post, kind="image")) is None:
                self.summary.skip("images", NO_IDENTITY, item=_item_label(post))
            else:
                self._import_attachment(post, wordpress_id)
            return
        if post.post_type != "post":
            post_type = post.post_type or "(no type)"
            why = "with no wp:attachment_url" if post_type == "attachment" else ""
            self.summary.skip_post_type(post_type, item=_item_label(post), why=why)
            self._skip_comments(post, f"on a {post_type}, not imported")
            return
        if post.status == "auto-draft":
            reason = "auto-draft, an editor window never saved"
        elif not (post.title.strip() or post.content.strip() or post.excerpt.strip()):
            reason = "empty: no title, content or excerpt"  # WordPress refuses one too
        elif (wordpress_id := self.ids.post_id(post, kind="article")) is None:
            reason = NO_IDENTITY
        else:
            article = self._upsert_article(post, wordpress_id)
            if post.thumbnail_id:
                self._featured[article.pk] = post.thumbnail_id
            self._import_old_slugs(article, post)
            self._import_comments(article, post)
            return
        self.summary.skip("articles", reason, item=_item_label(post))
        self._skip_comments(post, "on a skipped post")

    def _skip_comments(self, post: WxrPost, reason: str) -> None:
        for comment in post.comments:
            self.summary.skip("comments", reason, item=_comment_label(comment, post))

    def _article_values(
        self, post: WxrPost, existing: Article | None, categories: list[tuple[int, int]]
    ) -> dict:
        status = POST_STATUSES.get(post.status, Article.Status.DRAFT)
        if post.password and status in (Article.Status.PUBLISHED, Article.Status.SCHEDULED):
            # We have no password protection: publishing would show what WordPress hid.
            status = Article.Status.DRAFT
            self.summary.note("password-protected post imported as a draft")
        published_at, source = post_published_at(
            date_gmt=post.post_date_gmt,
            pub_date=post.pub_date,
            date=post.post_date,
            undated=status in UNDATED_STATUSES,
        )
        if source in DATE_NOTES:
            self.summary.note(DATE_NOTES[source])
        if published_at is None and existing is not None and status == existing.status:
            published_at = existing.published_at  # what save() stamped the first time
        if status == Article.Status.SCHEDULED and published_at is None:
            status = Article.Status.DRAFT  # nothing to schedule it for

        category_id = None
        if categories:
            # The most specific (deepest) category; the first listed on a tie. An
            # article is listed under every ancestor of its category as well.
            category_id = max(categories, key=lambda c: c[1])[0]
            if len(categories) > 1:
                self.summary.note("further category of a post not kept", len(categories) - 1)
        return {
            "title": html_to_text(post.title, one_line=True)[:255],
            "excerpt": html_to_text(post.excerpt),
            # Compared with what save() stores (sanitized), so unchanged posts stay unsaved.
            "body": sanitize_article_html(wordpress_paragraphs(post.content)),
            "category_id": category_id,
            "author_id": self.terms.author_id(creator=post.creator),
            "status": status,
            "published_at": published_at,
            "comments_enabled": post.comment_status != "closed",
        }

    def _upsert_article(self, post: WxrPost, wordpress_id: int) -> Article:
        article = Article.objects.filter(wordpress_id=wordpress_id).order_by().first()
        categories, tag_ids = self.terms.post_terms(post.terms)
        values = self._article_values(post, article, categories)
        # No post_name: the slug it has (WordPress sets a post's slug once, and a title
        # edited since does not move it), else WordPress's slug of the title.
        base = (
            slug_base(post.post_name, fallback="")
            or (article.slug if article is not None else "")
            or sanitize_title(values["title"])
            or (f"post-{post.post_id}" if post.post_id else "post")
        )
        values["slug"] = unique_slug(
            base, is_taken=self._article_slug_taken(base, article), max_length=255
        )
        if article is None:
            article = Article(wordpress_id=wordpress_id, **values)
            article._change_reason = "Imported from WordPress"
            article.save()
            outcome = "created"
        elif any(getattr(article, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(article, key, value)
            article._change_reason = "Updated from WordPress"
            article.save()  # a new history record only for a real change
            outcome = "updated"
        else:
            outcome = "unchanged"
        if outcome == "created":
            Article.tags.through.objects.bulk_create(
                Article.tags.through(article_id=article.pk, tag_id=tag_id) for tag_id in tag_ids
            )
        elif tag_ids != set(article.tags.values_list("pk", flat=True)):
            article.tags.set(tag_ids)
            outcome = "updated"
        self.summary.count("articles", outcome)
        return article

    @staticmethod
    def _article_slug_taken(base: str, article: Article | None) -> Callable[[str], bool]:
        """Whether a slug is another article's, or an old slug redirecting to another
        article. The first question is two indexed lookups; only when `base` is taken
        are all the `base-N` siblings loaded, once, rather than probed one by one."""
        own_pk = article.pk if article else None
        others = Article.objects.exclude(pk=own_pk)
        redirects = ArticleSlugRedirect.objects.exclude(article_id=own_pk)
        siblings: set[str] | None = None

        def is_taken(slug: str) -> bool:
            nonlocal siblings
            if article is not None and slug == article.slug:
                return False  # slugs are unique, and save() dropped any redirect from it
            if siblings is None:
                if not (
                    others.filter(slug=slug).exists() or redirects.filter(old_slug=slug).exists()
                ):
                    return False
                prefix = base[:200]  # what every candidate starts with, suffix or not
                siblings = set(
                    others.filter(slug__startswith=prefix).values_list("slug", flat=True)
                ) | set(
                    redirects.filter(old_slug__startswith=prefix).values_list("old_slug", flat=True)
                )
            return slug in siblings

        return is_taken

    def _import_old_slugs(self, article: Article, post: WxrPost) -> None:
        for value in dict.fromkeys(post.old_slugs):  # unique, in order
            slug = slug_base(value, fallback="")[:255]
            redirect = ArticleSlugRedirect.objects.filter(old_slug=slug).first() if slug else None
            if redirect is not None and redirect.article_id == article.pk:
                self.summary.count("old slugs", "unchanged")
                continue
            if not slug:
                reason = "no slug in Latin letters"
            elif redirect is not None:
                reason = "already an old slug of another article"
            elif Article.objects.filter(slug=slug).exists():  # a live slug never redirects
                reason = "an article's current slug"
            else:
                ArticleSlugRedirect.objects.create(old_slug=slug, article=article)
                self.summary.count("old slugs", "created")
                continue
            self.summary.skip("old slugs", reason, item=f'"{value}" of {_item_label(post)}')

    # -- media ---------------------------------------------------------------------------

    def _import_attachment(self, post: WxrPost, wordpress_id: int) -> None:
        """An attachment becomes a library picture that stays where it is (its URL, not
        downloaded: docs/wordpress-import.md); its alt text, else its title, describes it,
        and WordPress keeps an attachment's caption as its excerpt."""
        values = {
            "source_url": post.attachment_url[:1000],
            "alt_text": (
                html_to_text(post.meta.get("_wp_attachment_image_alt", ""), one_line=True)
                or html_to_text(post.title, one_line=True)
                or "Image"
            )[:500],
            "caption": html_to_text(post.excerpt)[:1000],
        }
        image = Image.objects.filter(wordpress_id=wordpress_id).first()
        if image is None:
            Image.objects.create(wordpress_id=wordpress_id, **values)
            outcome = "created"
        elif image.file:
            outcome = "unchanged"  # downloaded or replaced here since: ours now
        elif any(getattr(image, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(image, key, value)
            image.save()
            outcome = "updated"
        else:
            outcome = "unchanged"
        self.summary.count("images", outcome)

    def _set_lead_images(self) -> None:
        if not self._featured:
            return
        images = dict(
            Image.objects.filter(wordpress_id__in=set(self._featured.values())).values_list(
                "wordpress_id", "pk"
            )
        )
        for article in Article.objects.filter(pk__in=self._featured):
            image_id = images.get(self._featured[article.pk])
            if image_id is None:
                self.summary.note("featured image not in the file (no lead image)")
            elif article.lead_image_id != image_id:
                article.lead_image_id = image_id
                article.save(update_fields=["lead_image"])
                self.summary.note("lead image set from the featured image")

    # -- comments ------------------------------------------------------------------------

    def _import_comments(self, article: Article, post: WxrPost) -> None:
        undated = article.published_at or self._now  # for a comment without a date
        rows, records = [], {}
        for record in post.comments:
            wordpress_id = comment_id(record, post_wordpress_id=article.wordpress_id)
            if record.type not in READER_COMMENT_TYPES:
                # Pingbacks and trackbacks are notices from other sites, not readers.
                reason = f"{record.type}, not a reader's comment"
            elif wordpress_id in records:
                reason = "same comment_id (or author and date) as another comment of the post"
            else:
                records[wordpress_id] = record
                rows.append(
                    imported_comment(record=record, wordpress_id=wordpress_id, undated=undated)
                )
                continue
            self.summary.skip("comments", reason, item=_comment_label(record, post))
        if not rows:
            return
        imported = comments_import(article=article, rows=rows)
        for outcome in ("created", "updated", "unchanged"):
            self.summary.count("comments", outcome, getattr(imported, outcome))
        if imported.skipped:  # ids that are other articles' comments: say which
            elsewhere = Comment.objects.filter(wordpress_id__in=records).exclude(
                article_id=article.pk
            )
            for wordpress_id in elsewhere.values_list("wordpress_id", flat=True):
                reason = "comment_id of a comment on another post"
                self.summary.skip(
                    "comments", reason, item=_comment_label(records[wordpress_id], post)
                )
        self.summary.note("comment whose parent is missing (made top-level)", imported.orphans)
        self.summary.note("loop of parent comments broken", imported.loops_broken)
        if imported.count_stale:
            self._recount_article_ids.add(article.pk)

    def _recount_comments(self) -> None:
        ids = sorted(self._recount_article_ids)
        for start in range(0, len(ids), 500):
            comment_counts_refresh(article_ids=ids[start : start + 500])


def wordpress_import(
    *,
    path: Path | str,
    progress: Callable[[int, int], None] | None = None,
    dry_run: bool = False,
    list_skipped: bool = False,
) -> ImportSummary:
    """Import a WXR file, all or nothing, in one transaction.

    `progress(bytes_read, total_bytes)` is called as the file is read. Raises WxrError
    (nothing written) when the file is missing, not well-formed or not a WordPress
    export. With `dry_run` everything is done and then rolled back; with `list_skipped`
    the summary names every skipped item (`ImportSummary.skipped_items`).
    """
    path = Path(path)
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise WxrError(f"{path}: no such file") from None
    except OSError as error:
        raise WxrError(f"{path}: cannot be read ({error.strerror or error})") from None
    with stream:
        total = path.stat().st_size
        with transaction.atomic():
            importer = WordPressImporter(
                ImportSummary.listing_skipped() if list_skipped else ImportSummary()
            )
            for record in read_wxr(stream, label=str(path)):
                importer.add(record)
                if progress is not None:
                    progress(stream.tell(), total)
            summary = importer.finish()
            # Tags, article tags and comments were bulk-written (no save signals): the
            # public response cache (articles/cache.py) forgets everything, once, when
            # the import commits.
            bulk_content_changed.send(sender=WordPressImporter)
            if dry_run:
                transaction.set_rollback(True)
        if not dry_run:
            analyze()  # SQLite's planner statistics, for the tables just filled
        if progress is not None:
            progress(total, total)
    return summary
