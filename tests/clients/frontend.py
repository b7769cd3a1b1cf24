"""A frontend's first page, written against the client openapi-python-client generates
from the live schema (package CLIENT_PACKAGE on PYTHONPATH), run against BASE_URL; prints
one JSON line of facts (tests/clients/test_generated_clients.py)."""

import importlib
import json
import os
from urllib.parse import parse_qs, urlparse

package = os.environ["CLIENT_PACKAGE"]
api = importlib.import_module(package)
models = importlib.import_module(f"{package}.models")
articles = importlib.import_module(f"{package}.api.public_articles")
comments = importlib.import_module(f"{package}.api.public_comments")
articles_list = importlib.import_module(f"{articles.__name__}.articles_list")
articles_retrieve = importlib.import_module(f"{articles.__name__}.articles_retrieve")
by_path = importlib.import_module(f"{articles.__name__}.articles_by_path_retrieve")
thread_list = importlib.import_module(f"{comments.__name__}.articles_comments_list")
comment_create = importlib.import_module(f"{comments.__name__}.articles_comments_create")

client = api.Client(base_url=os.environ["BASE_URL"], raise_on_unexpected_status=True)
facts = {}

# Articles in a category, two per page, following `next` to the end.
ordering = [models.ArticlesListOrderingItem(v) for v in ("-published_at", "title")]
listed, page = [], 1
while True:
    answer = articles_list.sync_detailed(
        client=client, category=os.environ["CATEGORY"], page=page, page_size=2, ordering=ordering
    )
    assert answer.status_code == 200, answer.content
    listed += [article.slug for article in answer.parsed.results]
    if not answer.parsed.next_:
        break
    page += 1
facts["listed"] = listed

detail = articles_retrieve.sync(client=client, slug=listed[0])
facts["detail_title"] = detail.title
facts["comments_open"] = detail.comments_open
# Its lead image, typed (LeadImage): alt text and the renditions for <img srcset>.
facts["lead_alt"] = detail.lead_image.alt
facts["lead_srcset"] = detail.lead_image.srcset

# The same with its category embedded: breadcrumbs are the path's names. (`fields=`
# narrows an answer below the schema's required fields, which this client's models
# refuse to parse: a Python frontend that narrows reads the raw `content`.)
expanded = articles_retrieve.sync(
    client=client, slug=listed[0], expand=[models.ArticlesRetrieveExpandItem("category")]
)
facts["breadcrumbs"] = [crumb.name for crumb in expanded.category.breadcrumbs]

# The frontend's own path of the article (its `url`) resolves to its detail.
found = by_path.sync_detailed(client=client, path=urlparse(detail.url).path)
facts["by_path_status"] = found.status_code
facts["by_path_location"] = found.headers["Location"]

# The thread in two sorts, following cursors.
for sort in ("oldest", "newest"):
    seen, cursor = [], None
    while True:
        kwargs = {"cursor": cursor} if cursor else {}
        page = thread_list.sync(
            client=client,
            slug=listed[0],
            sort=models.ArticlesCommentsListSort(sort),
            page_size=2,
            **kwargs,
        )
        seen += [comment.id for comment in page.results]
        facts["thread_total"] = page.comment_count
        if not page.next_:
            break
        cursor = parse_qs(urlparse(page.next_).query)["cursor"][0]
    facts[f"thread_{sort}"] = seen

comment = {
    "author_name": "Python Client",
    "author_email": "py-reader@example.com",
    "body": "Posted by the generated Python client.",
}


def post(**changes):
    client.raise_on_unexpected_status = False
    return comment_create.sync_detailed(
        client=client, slug=listed[0], body=models.CommentInputRequest(**{**comment, **changes})
    )


posted = post()
facts["post_status"] = int(posted.status_code)
facts["post_status_word"] = posted.parsed.status if posted.parsed else None
invalid = post(author_email="not an address", body="Another one.")
facts["invalid_status"] = int(invalid.status_code)
facts["invalid_fields"] = sorted(json.loads(invalid.content))
again = post(body="And again, at once.")
facts["again_status"] = int(again.status_code)
facts["again_retry_after"] = again.headers.get("Retry-After")

print(json.dumps(facts, default=str))
