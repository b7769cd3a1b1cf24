"""The OpenAPI schema as code generators read it (issue #16): JSON request bodies only,
no input default that a generator would turn into a required property, operations tagged
by audience with no security requirement on public ones."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def test_request_bodies_are_json_only(schema):
    bodies = [(p, m, op["requestBody"]) for p, m, op in operations(schema) if "requestBody" in op]
    assert bodies, "the API has request bodies"
    for path, method, body in bodies:
        assert list(body["content"]) == ["application/json"], (path, method)


def test_no_request_component_declares_a_default(schema):
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            for prop_name, prop in component.get("properties", {}).items():
                assert "default" not in prop, (name, prop_name)
    notify = schema["components"]["schemas"]["CommentInputRequest"]["properties"]["notify_replies"]
    assert "Default: false." in notify["description"]


def test_operations_are_tagged_by_audience_and_public_ones_ask_for_no_credentials(schema):
    tags = {}
    for path, method, operation in operations(schema):
        [tag] = operation["tags"]
        tags[(path, method)] = tag
        if tag.startswith("public"):
            assert "security" not in operation, (path, method)
        else:
            assert operation["security"], (path, method)
    assert tags[("/api/v1/articles/", "get")] == "public: articles"
    assert tags[("/api/v1/authors/", "get")] == "public: articles"
    assert tags[("/api/v1/articles/{slug}/comments/", "post")] == "public: comments"
    assert tags[("/api/v1/moderation/comments/", "get")] == "staff: moderation"
    assert tags[("/api/v1/desk/articles/{slug}/preview/", "post")] == "staff: newsroom desk"
    assert tags[("/wp-json/wp/v2/posts", "get")] == "public: WordPress-compatible"
    assert tags[("/wp-json/wp/v2/comments", "post")] == "public: WordPress-compatible"
    assert [t["name"] for t in schema["tags"]] == [
        "public: articles",
        "public: comments",
        "public: privacy requests",
        "public: WordPress-compatible",
        "staff: moderation",
        "staff: newsroom desk",
    ]


def _query_parameter(schema, path: str, name: str) -> dict:
    (parameter,) = (
        p
        for p in schema["paths"][path]["get"]["parameters"]
        if p["in"] == "query" and p["name"] == name
    )
    return parameter["schema"]


@pytest.mark.parametrize(
    ("path", "name", "bound"),
    [
        ("/api/v1/articles/", "search", 200),
        ("/api/v1/moderation/comments/", "search", 200),
        ("/api/v1/moderation/comments/", "email", 254),
        ("/api/v1/moderation/actions/", "step", 200),
    ],
)
def test_a_text_filters_bound_is_its_parameters_max_length(schema, path, name, bound):
    # A value the schema allows is one the server takes: the fuzzer found a 210-character
    # search, valid by a schema without the bound, answered 400.
    assert _query_parameter(schema, path, name)["maxLength"] == bound


def test_the_article_search_takes_its_max_length_and_refuses_one_more(client):
    assert client.get("/api/v1/articles/", {"search": "a" * 200}).status_code == 200
    response = client.get("/api/v1/articles/", {"search": "a" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.json()["search"][0]
