"""Field selection and embedding (issue #16): `fields=`, `omit=` and `expand=` on the
article list and detail, with a fixed number of queries whatever is asked."""

from itertools import combinations

import pytest

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db

EXPANDABLE = ("author", "category", "tags")
EVERY_EXPANSION = [
    frozenset(chosen) for size in range(4) for chosen in combinations(EXPANDABLE, size)
]
# Without expansion (tests/articles/test_query_counts.py): the list's COUNT, page and
# tags; the detail's article, tags and comment policy. Each expansion adds one query
# for the whole page.
LIST_QUERIES = 3
DETAIL_QUERIES = 3


@pytest.fixture
def leica(db):
    root = CategoryFactory(name="Technology", slug="technology", description="All of it.")
    industry = CategoryFactory(name="Tech Industry", slug="tech-industry", parent=root)
    author = AuthorFactory(name="Ada Reporter", slug="ada", bio="Covers cameras.")
    return ArticleFactory(
        slug="leica",
        title="Leica And Panasonic",
        category=industry,
        author=author,
        tags=[TagFactory(name="Cameras", slug="cameras"), TagFactory(name="Leica", slug="leica")],
    )


@pytest.fixture(autouse=True)
def response_cache_off(settings):
    settings.API_RESPONSE_CACHE = False


def test_fields_keeps_only_the_fields_named_in_the_serializers_order(api_client, leica):
    listed = api_client.get("/api/v1/articles/", {"fields": "url,title"})
    detail = api_client.get("/api/v1/articles/leica/", {"fields": ["title", "body_html"]})

    assert listed.status_code == 200
    assert list(listed.json()["results"][0]) == ["title", "url"]
    assert set(listed.json()) == {"count", "next", "previous", "results"}  # the page stays
    assert list(detail.json()) == ["title", "body_html"]


def test_omit_drops_the_fields_named(api_client, leica):
    full = api_client.get("/api/v1/articles/leica/").json()
    trimmed = api_client.get("/api/v1/articles/leica/", {"omit": "body_html,tags"}).json()

    assert set(full) - set(trimmed) == {"body_html", "tags"}
    assert trimmed == {name: value for name, value in full.items() if name in trimmed}


def test_expand_category_embeds_it_with_the_names_of_its_whole_path(api_client, leica):
    item = api_client.get("/api/v1/articles/", {"expand": "category"}).json()["results"][0]

    assert item["category"] == {
        "id": leica.category.pk,
        "name": "Tech Industry",
        "slug": "tech-industry",
        "description": "",
        "parent": "technology",
        "path": ["technology", "tech-industry"],
        "breadcrumbs": [
            {"name": "Technology", "slug": "technology"},
            {"name": "Tech Industry", "slug": "tech-industry"},
        ],
    }


def test_expand_author_and_tags_embed_their_public_fields(api_client, leica):
    detail = api_client.get("/api/v1/articles/leica/", {"expand": ["author", "tags"]}).json()

    assert detail["author"] == {
        "id": leica.author.pk,
        "name": "Ada Reporter",
        "slug": "ada",
        "bio": "Covers cameras.",
    }
    assert [tag["slug"] for tag in detail["tags"]] == ["cameras", "leica"]
    assert all(set(tag) == {"id", "name", "slug"} for tag in detail["tags"])
    assert "email" not in str(detail["author"])


def test_unexpanded_references_stay_as_they_were(api_client, leica):
    item = api_client.get("/api/v1/articles/").json()["results"][0]

    assert item["category"] == {
        "name": "Tech Industry",
        "slug": "tech-industry",
        "path": ["technology", "tech-industry"],
    }
    assert item["author"] == {"name": "Ada Reporter", "slug": "ada"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"fields": "title,nope"}, "fields"),
        ({"omit": "body_html"}, "omit"),  # a detail field, not a list one
        ({"expand": "comments"}, "expand"),
        ({"fields": "title,,url"}, "fields"),
        ({"expand": ""}, "expand"),
    ],
)
def test_an_unknown_or_empty_name_answers_400_naming_the_parameter(
    api_client, leica, query, parameter, django_assert_max_num_queries
):
    with django_assert_max_num_queries(0):
        response = api_client.get("/api/v1/articles/", query)

    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_an_expansion_of_a_field_not_shown_is_not_read(
    api_client, leica, django_assert_num_queries
):
    with django_assert_num_queries(LIST_QUERIES - 1):  # no tags, no category card
        response = api_client.get("/api/v1/articles/", {"fields": "title", "expand": "category"})
    assert response.json()["results"] == [{"title": "Leica And Panasonic"}]


def _many_articles(n: int) -> None:
    root = CategoryFactory()
    for _ in range(n):
        ArticleFactory(category=CategoryFactory(parent=root), tags=TagFactory.create_batch(2))


@pytest.mark.parametrize("expand", EVERY_EXPANSION, ids=lambda chosen: ",".join(sorted(chosen)))
@pytest.mark.parametrize("fields", [None, "title,category,tags,author"])
def test_the_list_costs_the_same_queries_for_1_and_30_articles(
    api_client, django_assert_num_queries, expand, fields
):
    query = {"page_size": 50, "expand": ",".join(sorted(expand)) or None, "fields": fields}
    query = {name: value for name, value in query.items() if value}
    expected = LIST_QUERIES + len(expand)

    _many_articles(1)
    with django_assert_num_queries(expected):
        one = api_client.get("/api/v1/articles/", query)
    _many_articles(29)
    with django_assert_num_queries(expected):
        thirty = api_client.get("/api/v1/articles/", query)

    assert one.status_code == thirty.status_code == 200
    items = thirty.json()["results"]
    assert len(items) == 30
    for name in expand:
        assert all("id" in (item[name][0] if name == "tags" else item[name]) for item in items)


@pytest.mark.parametrize("expand", EVERY_EXPANSION, ids=lambda chosen: ",".join(sorted(chosen)))
def test_the_detail_costs_one_query_more_per_expansion(
    api_client, leica, comment_policy, django_assert_num_queries, expand
):
    query = {"expand": ",".join(sorted(expand))} if expand else {}

    with django_assert_num_queries(DETAIL_QUERIES + len(expand)):
        response = api_client.get("/api/v1/articles/leica/", query)

    assert response.status_code == 200


@pytest.fixture
def comment_policy():
    from comments.models import ModerationPolicy

    return ModerationPolicy.load()


def test_the_schema_documents_the_parameters_and_the_expanded_properties(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]
    }
    category = schema["components"]["schemas"]["CategoryRef"]

    assert parameters["expand"]["schema"]["items"]["enum"] == list(EXPANDABLE)
    assert "body_html" not in parameters["fields"]["schema"]["items"]["enum"]
    assert "breadcrumbs" in category["properties"]
    assert "breadcrumbs" not in category["required"]  # optional: only when expanded


def test_a_typo_is_named_back_and_other_input_is_not(api_client, leica):
    typo = api_client.get("/api/v1/articles/", {"fields": "titel"}).json()
    other = api_client.get("/api/v1/articles/", {"fields": "<b>x@example.com</b>"}).json()

    assert typo["fields"][0].startswith("Unknown name 'titel'. Choose from: id, title,")
    assert other["fields"][0].startswith("Unknown name. Choose from:")
    assert "example.com" not in str(other)


RELATIONS = ("author", "category", "tags")
SUBSETS = [frozenset(chosen) for size in range(4) for chosen in combinations(RELATIONS, size)]


@pytest.mark.parametrize("shown", SUBSETS, ids=lambda chosen: "show:" + ",".join(sorted(chosen)))
@pytest.mark.parametrize("expand", SUBSETS, ids=lambda chosen: "expand:" + ",".join(sorted(chosen)))
def test_every_selection_of_references_costs_a_fixed_number_of_queries(
    api_client, django_assert_num_queries, shown, expand
):
    # What a request costs depends only on which references it shows (the page's tags
    # are read only when shown) and which of those it expands (one query each): every
    # such combination, at 1 and at 12 articles.
    query = {"page_size": 50, "fields": ",".join(["title", *sorted(shown)])}
    if expand:
        query["expand"] = ",".join(sorted(expand))
    expected = LIST_QUERIES - ("tags" not in shown) + len(expand & shown)

    _many_articles(1)
    with django_assert_num_queries(expected):
        assert api_client.get("/api/v1/articles/", query).status_code == 200
    _many_articles(11)
    with django_assert_num_queries(expected):
        answer = api_client.get("/api/v1/articles/", query)

    items = answer.json()["results"]
    assert len(items) == 12
    assert all(set(item) == {"title", *shown} for item in items)
