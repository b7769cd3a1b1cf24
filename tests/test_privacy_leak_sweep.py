"""Promise 1: a commenter's email, IP address and user agent never leave the server in a
public response, not even as a hash.

The sweep creates comments in every status with distinctive private values, requests every
public URL the project serves (and error answers to bad input), and looks for those values
and the md5/sha1/sha256 hex digests of the emails in every body and header. A guard test
makes sure the sweep knows every public route, so a new endpoint cannot escape it.
"""

import hashlib
import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from comments.commenter_proof import confirmation_link_token
from comments.models import Comment, CommentReaction, ModerationPolicy
from comments.moderating import comments_moderate
from comments.notifications import unsubscribe_token
from comments.selectors import PUBLIC_THREAD_ORDERINGS
from comments.services import comment_create
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db

EMAILS = ["leaky.reader+xyzzy@secret-mail.example", "Quiet.Person@Hidden-Domain.example"]
IPS = ["198.51.100.77", "2001:db8::beef"]
PUBLIC_SORTS = list(PUBLIC_THREAD_ORDERINGS)
USER_AGENTS = ["SecretBrowser/9.9 (private-ua-marker)", "AnotherAgent/1.0 (ua-marker-two)"]


def _forbidden_strings() -> list[str]:
    needles = []
    for email in EMAILS:
        for variant in {email, email.lower()}:
            needles.append(variant)
            for algorithm in ("md5", "sha1", "sha256"):
                needles.append(hashlib.new(algorithm, variant.encode()).hexdigest())
                needles.append(hashlib.new(algorithm, variant.strip().lower().encode()).hexdigest())
    needles += IPS + USER_AGENTS + ["private-ua-marker", "ua-marker-two", "secret-mail.example"]
    return needles


# Every public route name (namespace "api" and the others outside /admin/), mapped by the
# sweep to concrete URLs below. Staff-only routes are listed apart.
PUBLIC_ROUTE_NAMES = {
    "api:category-list",
    "api:category-detail",
    "api:tag-list",
    "api:tag-detail",
    "api:author-list",
    "api:author-detail",
    "api:article-list",
    "api:article-detail",
    "api:article-by-path",
    "api:article-comments",
    "api:comment-flag",
    "api:comment-reactions",
    "api:comment-unsubscribe",
    "api:comment-detail",
    "api:privacy-requests",
    "api:privacy-confirm",
    "api:commenter-confirmation-request",
    "api:commenter-confirmation-confirm",
    "feed-articles",
    "feed-articles-atom",
    "feed-category",
    "feed-tag",
    "feed-article-comments",
    "sitemap",
    "sitemap-section",
    "schema",
    "api-docs",
    "healthz",
    "wp-index",
    "wp-namespace",
    "wp-posts",
    "wp-post",
    "wp-categories",
    "wp-category",
    "wp-tags",
    "wp-tag",
    "wp-users",
    "wp-user",
    "wp-media-list",
    "wp-media",
    "wp-comments",
    "wp-comment",
    "wp-no-route",
}
STAFF_ROUTE_NAMES = {
    "api:moderation-comment-list",
    "api:moderation-comment-detail",
    "api:moderation-comment-bulk",
    "api:moderation-comment-feature",
    "api:moderation-comment-unfeature",
    "api:moderation-action-list",
    "api:desk-article-preview",
}


def _route_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" or str(pattern.pattern).startswith("admin"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_the_sweep_knows_every_public_route():
    assert _route_names() == PUBLIC_ROUTE_NAMES | STAFF_ROUTE_NAMES


@pytest.fixture
def private_comments():
    policy = ModerationPolicy.load()
    policy.flood_interval_seconds = 0
    policy.default_status = ModerationPolicy.DefaultStatus.APPROVED
    policy.approved_comments_required = 0  # published at once, first comments included
    policy.blocklist_keywords = "buy-pills-now"
    policy.save()
    category = CategoryFactory(slug="news")
    child = CategoryFactory(slug="local-news", parent=category)
    tag = TagFactory(slug="elections")
    # The byline's own address is private too (only staff see it).
    author = AuthorFactory(slug="byline", email=EMAILS[0])
    article = ArticleFactory(slug="leaky-story", category=child, tags=[tag], author=author)
    created = []
    for index, (email, ip, agent) in enumerate(zip(EMAILS, IPS, USER_AGENTS, strict=True)):
        top = comment_create(
            article=article,
            author_name=f"Reader {index}",
            author_email=email,
            author_url="https://reader.example/",
            body=f"Top-level comment {index}",
            ip_address=ip,
            user_agent=agent,
        ).comment
        reply = comment_create(
            article=article,
            author_name=f"Replier {index}",
            author_email=email,
            body=f"A reply {index}",
            parent_id=top.pk,
            ip_address=ip,
            user_agent=agent,
        ).comment
        spam = comment_create(
            article=article,
            author_name="Spammer",
            author_email=email,
            body="buy-pills-now",
            ip_address=ip,
            user_agent=agent,
        ).comment
        created += [top, reply, spam]
    pending = created[0]
    comments_moderate(ids=[pending.pk], status=Comment.Status.PENDING)
    assert Comment.objects.filter(status=Comment.Status.APPROVED).count() >= 2
    assert Comment.objects.filter(status=Comment.Status.SPAM).count() == 2
    return {
        "article": article,
        "comments": created,
        "category": child,
        "tag": tag,
        "author": author,
    }


def _assert_clean(response, label: str, server_error_expected: bool = False):
    if not server_error_expected:
        assert response.status_code < 500, f"{label}: {response.status_code}"
    content = response.content.decode("utf-8", errors="replace")
    headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
    # Set-Cookie lives apart from the other headers (e.g. the reactions' reader cookie).
    cookies = response.cookies.output()
    haystack = (content + "\n" + headers + "\n" + cookies).lower()
    for needle in _forbidden_strings():
        assert needle.lower() not in haystack, f"{label} leaks {needle!r}"


def test_no_public_response_carries_private_commenter_data(client, private_comments):
    article = private_comments["article"]
    listed = Comment.objects.filter(is_listed=True).first()
    slug = article.slug
    get_urls = [
        "/api/v1/articles/",
        f"/api/v1/articles/?category={private_comments['category'].slug}",
        f"/api/v1/articles/?tag={private_comments['tag'].slug}",
        f"/api/v1/articles/?search={EMAILS[0]}",
        "/api/v1/articles/?ordering=-comment_count",
        f"/api/v1/articles/{slug}/",
        "/api/v1/articles/?expand=category,tags,author",
        f"/api/v1/articles/{slug}/?expand=category,tags,author",
        f"/api/v1/articles/{slug}/?fields=author,body_html,comment_count",
        f"/api/v1/articles/by-path/?path=/api/v1/articles/{slug}/",
        f"/api/v1/articles/{slug}/comments/",
        f"/api/v1/articles/{slug}/comments/?page_size=1",
        "/api/v1/categories/",
        f"/api/v1/categories/{private_comments['category'].slug}/",
        "/api/v1/tags/",
        f"/api/v1/tags/{private_comments['tag'].slug}/",
        "/api/v1/authors/",
        f"/api/v1/authors/{private_comments['author'].slug}/",
        "/feeds/articles/",
        "/feeds/articles/atom/",
        f"/feeds/categories/{private_comments['category'].slug}/",
        "/feeds/categories/news/",
        f"/feeds/tags/{private_comments['tag'].slug}/",
        f"/feeds/articles/{slug}/comments/",
        "/feeds/articles/no-such-story/comments/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-categories.xml",
        "/sitemap-nothing.xml",
        f"/api/v1/comments/unsubscribe/?token={unsubscribe_token(listed)}",
        "/api/v1/comments/unsubscribe/?token=forged",
        "/api/schema/",
        "/api/schema/?format=json",
        "/api/docs/",
        "/healthz",
        # Error answers to bad input.
        "/api/v1/articles/no-such-story/",
        "/api/v1/articles/no-such-story/comments/",
        f"/api/v1/articles/?category={EMAILS[0]}",
        f"/api/v1/articles/?published_after={EMAILS[0]}",
        f"/api/v1/articles/{slug}/comments/?cursor=garbage",
        *(f"/api/v1/articles/{slug}/comments/?sort={sort}" for sort in PUBLIC_SORTS),
        f"/api/v1/articles/{slug}/comments/?sort={EMAILS[0]}",
        f"/api/v1/articles/{slug}/comments/?sort=most_reactions&cursor=garbage",
        "/api/v1/nothing-here/",
        f"/api/v1/articles/?fields={EMAILS[0]}",
        f"/api/v1/articles/?expand={EMAILS[1]}",
        f"/api/v1/articles/by-path/?path={EMAILS[0]}",
        f"/api/v1/articles/?page_size={EMAILS[0]}",
        f"/api/v1/desk/articles/{slug}/preview/",  # anonymous: refused
        "/api/v1/moderation/comments/",  # anonymous: refused
        "/api/v1/moderation/actions/",  # anonymous: refused
        f"/api/v1/moderation/actions/?comment={listed.pk}",
    ]
    # The WordPress routes (wordpress_api): every shape, every embed, and their errors.
    post_id, author_id = article.pk, private_comments["author"].pk
    get_urls += [
        "/wp-json/",
        "/wp-json/wp/v2",
        "/wp-json/wp/v2/posts",
        "/wp-json/wp/v2/posts?_embed",
        f"/wp-json/wp/v2/posts/{post_id}?_embed",
        f"/wp-json/wp/v2/posts?search={EMAILS[0]}",
        "/wp-json/wp/v2/categories",
        f"/wp-json/wp/v2/categories/{private_comments['category'].pk}",
        "/wp-json/wp/v2/tags",
        f"/wp-json/wp/v2/tags/{private_comments['tag'].pk}",
        "/wp-json/wp/v2/users",
        f"/wp-json/wp/v2/users/{author_id}",
        f"/wp-json/wp/v2/users?search={EMAILS[0]}",
        "/wp-json/wp/v2/users?orderby=email",
        "/wp-json/wp/v2/media",
        "/wp-json/wp/v2/comments",
        "/wp-json/wp/v2/comments?_embed",
        f"/wp-json/wp/v2/comments?post={post_id}&per_page=100",
        f"/wp-json/wp/v2/comments?search={EMAILS[0]}",
        f"/wp-json/wp/v2/comments/{listed.pk}",
        *(f"/wp-json/wp/v2/comments/{c.pk}" for c in private_comments["comments"]),
        "/wp-json/wp/v2/comments?status=spam",
        f"/wp-json/wp/v2/comments?context=edit&post={post_id}",
        f"/wp-json/wp/v2/posts?per_page={EMAILS[0]}",
        "/wp-json/wp/v2/nothing-here",
    ]
    for url in get_urls:
        _assert_clean(client.get(url), f"GET {url}")

    # Follow the comment cursor through every page, in every sort order, and back.
    for sort in PUBLIC_SORTS:
        url = f"/api/v1/articles/{slug}/comments/?page_size=1&sort={sort}"
        pages = 0
        while url:
            response = client.get(url)
            _assert_clean(response, f"GET {url}")
            previous, url = response.json()["previous"], response.json()["next"]
            pages += 1
        assert pages >= 2
        _assert_clean(client.get(previous), f"GET {previous}")

    # Reactions: the answers and the reader cookie carry nothing private (the cookie is
    # a random token; the stored client key a keyed hash), errors neither.
    reactions_url = f"/api/v1/comments/{listed.pk}/reactions/"
    for method in ("post", "post", "delete"):
        response = getattr(client, method)(reactions_url, REMOTE_ADDR=IPS[0])
        assert response.status_code in (200, 201)
        _assert_clean(response, f"{method.upper()} reaction")
    for headers in ({"HTTP_X_READER_TOKEN": EMAILS[0]}, {"HTTP_X_READER_TOKEN": "a" * 43}):
        _assert_clean(client.post(reactions_url, REMOTE_ADDR=IPS[1], **headers), "POST token")
    hidden = next(c for c in private_comments["comments"] if not c.is_listed)
    _assert_clean(client.post(f"/api/v1/comments/{hidden.pk}/reactions/"), "POST hidden")
    _assert_clean(client.delete("/api/v1/comments/999999/reactions/"), "DELETE unknown")
    for key in CommentReaction.objects.values_list("client_key", flat=True):
        for needle in _forbidden_strings():
            assert needle.lower() not in key

    post_url = f"/api/v1/articles/{slug}/comments/"
    posts = [
        # Accepted (and held or published): the answer never echoes the email.
        {"author_name": "New", "author_email": EMAILS[0], "body": "Fresh words"},
        # Duplicate (409) of the same.
        {"author_name": "New", "author_email": EMAILS[0], "body": "Fresh words"},
        # Spam, answered like pending.
        {"author_name": "S", "author_email": EMAILS[1], "body": "buy-pills-now again"},
        # Invalid email shaped like a real one: the message names the field only.
        {"author_name": "X", "author_email": EMAILS[0] + "@@", "body": "Hi"},
        {"author_name": "X", "author_email": EMAILS[0], "body": ""},
        {"author_name": "X", "author_email": EMAILS[0], "body": "Hi", "ip_address": IPS[0]},
        {"author_name": "X", "author_email": EMAILS[0], "body": "Hi", "parent": 999999},
    ]
    for payload in posts:
        response = client.post(
            post_url,
            data=json.dumps(payload),
            content_type="application/json",
            REMOTE_ADDR="203.0.113.200",
            HTTP_USER_AGENT="sweeper",
        )
        _assert_clean(response, f"POST {payload}")
    wp_posts = [
        # Held or published, a duplicate, spam, a bad address, no content, a bad parent.
        {"post": article.pk, "author_name": "Wp", "author_email": EMAILS[1], "content": "WP words"},
        {"post": article.pk, "author_name": "Wp", "author_email": EMAILS[1], "content": "WP words"},
        {
            "post": article.pk,
            "author_name": "S",
            "author_email": EMAILS[0],
            "content": "buy-pills-now",
        },
        {"post": article.pk, "author_name": "X", "author_email": EMAILS[0] + "@@", "content": "Hi"},
        {"post": article.pk, "author_name": "X", "author_email": EMAILS[0], "content": ""},
        {
            "post": article.pk,
            "author_name": "X",
            "author_email": EMAILS[0],
            "content": "Hi",
            "parent": 999999,
        },
    ]
    for payload in wp_posts:
        response = client.post(
            "/wp-json/wp/v2/comments",
            data=json.dumps(payload),
            content_type="application/json",
            REMOTE_ADDR="203.0.113.210",
            HTTP_USER_AGENT=USER_AGENTS[0],
        )
        _assert_clean(response, f"POST /wp-json/ {payload}")
    _assert_clean(
        client.post(f"/api/v1/comments/{listed.pk}/flag/", {"reason": "rude"}),
        "POST flag",
    )
    # Editing and withdrawing: refused without the author's token, and with it the
    # answer still carries no private field.
    for method in ("patch", "delete"):
        for headers in ({}, {"HTTP_X_EDIT_TOKEN": "forged"}):
            response = getattr(client, method)(
                f"/api/v1/comments/{listed.pk}/",
                data=json.dumps({"body": "changed"}),
                content_type="application/json",
                **headers,
            )
            assert response.status_code == 403
            _assert_clean(response, f"{method.upper()} comment {headers}")
    fresh = client.post(
        post_url,
        data=json.dumps({"author_name": "Ed", "author_email": EMAILS[1], "body": "To be edited"}),
        content_type="application/json",
        REMOTE_ADDR="203.0.113.201",
        HTTP_USER_AGENT=USER_AGENTS[1],
    )
    _assert_clean(fresh, "POST for editing")
    edited = client.patch(
        f"/api/v1/comments/{fresh.json()['id']}/",
        data=json.dumps({"body": "Edited words"}),
        content_type="application/json",
        HTTP_X_EDIT_TOKEN=fresh.json()["edit_token"],
    )
    assert edited.status_code == 200
    _assert_clean(edited, "PATCH with token")
    # Privacy requests answer the same whatever the address, and echo none.
    for email in (EMAILS[0], "nobody@nowhere.example"):
        _assert_clean(
            client.post(
                "/api/v1/privacy/requests/",
                data=json.dumps({"email": email, "kind": "export"}),
                content_type="application/json",
                REMOTE_ADDR="203.0.113.202",
            ),
            "POST privacy request",
        )
    _assert_clean(
        client.get("/api/v1/privacy/requests/confirm/?token=forged"), "GET privacy confirm"
    )
    # Commenter confirmations: asking answers the same whatever the address (202) and
    # echoes none, nor does a refused address; following the link, by GET or by POST,
    # hands out a commenter token for a valid link (not the address, nor its hash) and
    # an error for a forged one.
    confirmations = "/api/v1/commenters/confirmations/"
    for email in (EMAILS[0], "nobody@nowhere.example", EMAILS[0] + "@@"):
        response = client.post(
            confirmations,
            data=json.dumps({"email": email}),
            content_type="application/json",
            REMOTE_ADDR="203.0.113.203",
        )
        assert response.status_code == (400 if email.endswith("@@") else 202), email
        _assert_clean(response, f"POST commenter confirmation {email}")
    for method in ("get", "post"):
        for token, expected in ((confirmation_link_token(email=EMAILS[0]), 200), ("forged", 400)):
            response = getattr(client, method)(
                f"{confirmations}confirm/?token={token}", REMOTE_ADDR="203.0.113.204"
            )
            assert response.status_code == expected, (method, token)
            if expected == 200:
                assert set(response.json()) == {"commenter_token", "max_age_days"}
            else:
                assert set(response.json()) == {"token"}
            _assert_clean(response, f"{method.upper()} commenter confirm {expected}")
    _assert_clean(client.post("/api/v1/comments/999999/flag/"), "POST flag unknown")
    # Staff-only writes (featuring): refused to the public, and the refusal says nothing.
    for verb in ("feature", "unfeature"):
        response = client.post(f"/api/v1/moderation/comments/{listed.pk}/{verb}/")
        assert response.status_code in (401, 403)
        _assert_clean(response, f"POST {verb}")


def test_staff_do_see_private_fields(staff_client, private_comments):
    """The opposite check, so the sweep above cannot pass by looking at empty pages."""
    response = staff_client.get("/api/v1/moderation/comments/?page_size=100")
    assert response.status_code == 200
    body = response.content.decode()
    assert EMAILS[0].lower() in body
    assert IPS[0] in body
    assert USER_AGENTS[0] in body


def test_public_comment_list_shows_the_comments_it_must(client, private_comments):
    """And the public list is not empty: approved comments are there, by name and body."""
    article = private_comments["article"]
    response = client.get(f"/api/v1/articles/{article.slug}/comments/")
    bodies = [item["body"] for item in response.json()["results"]]
    assert "Top-level comment 1" in bodies
    assert "A reply 1" in bodies


def test_error_answers_and_log_lines_carry_no_private_data(client, private_comments, monkeypatch):
    """Every error status the public can provoke, with private values in the request,
    and every log line those requests produce, as the configured handler writes them."""
    import io
    import logging

    console = next(
        h
        for h in logging.getLogger().handlers
        if any(type(f).__name__ == "RedactPrivateData" for f in h.filters)
    )
    written = io.StringIO()
    previous_stream = console.setStream(written)
    article = private_comments["article"]
    url = f"/api/v1/articles/{article.slug}/comments/"
    private = {"author_name": "X", "author_email": EMAILS[0], "body": "Private test body"}

    def post(payload, **extra):
        return client.post(
            url,
            data=payload if isinstance(payload, bytes | str) else json.dumps(payload),
            content_type="application/json",
            REMOTE_ADDR=IPS[0],
            HTTP_USER_AGENT=USER_AGENTS[0],
            **extra,
        )

    answers = {}
    answers[400] = post(f'{{"author_email": "{EMAILS[0]}", "body": ')  # broken JSON
    answers[413] = post(json.dumps({**private, "body": EMAILS[0] * 20000}))
    answers[405] = client.put(
        "/api/v1/articles/", data=json.dumps(private), content_type="application/json"
    )
    answers[404] = client.get(f"/api/v1/articles/{EMAILS[0]}/")
    first = post(private)
    assert first.status_code in (201, 202)
    answers[409] = post(private)  # the same comment again (no flood: interval is 0)
    policy = ModerationPolicy.load()
    policy.flood_interval_seconds = 60
    policy.save()
    answers[429] = post({**private, "body": "Another one"})
    policy.comments_open = False
    policy.save()
    answers[403] = post({**private, "body": "Closed now"})

    from comments import selectors

    def explode(**kwargs):
        raise RuntimeError(f"boom {EMAILS[0]} {IPS[0]}")

    monkeypatch.setattr(selectors, "public_thread", explode)
    client.raise_request_exception = False
    answers[500] = client.get(url)

    for status, response in answers.items():
        assert response.status_code == status, (status, response.content[:200])
        assert response["Content-Type"].startswith("application/json"), status
        assert "detail" in response.json() or status == 400
        assert "Traceback" not in response.content.decode()
        _assert_clean(response, f"error {status}", server_error_expected=status == 500)
    console.setStream(previous_stream)
    log_text = written.getvalue()
    assert "RuntimeError: boom [email] [ip]" in log_text  # the 500 was logged, redacted
    for needle in _forbidden_strings():
        assert needle.lower() not in log_text.lower(), f"a log line carries {needle!r}"
