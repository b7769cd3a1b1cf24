"""The API's orjson renderer (cms/renderers.py) writes exactly DRF's JSONRenderer bytes."""

import datetime
import decimal
import json
import uuid
from collections import OrderedDict

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from plumbing.renderers import ORJSONRenderer
from tests.factories import ArticleFactory

UTC = datetime.UTC
SAMPLES = [
    None,
    {},
    [],
    {"count": 2, "next": None, "previous": None, "results": []},
    {"text": 'Ünïcödé — “quotes” <b>html</b> & "escapes" \\ \n\t\x00\x1f'},
    {"separators": "line\u2028paragraph\u2029end"},
    {"emoji": "😀", "cjk": "漢字", "rtl": "עברית"},
    {"int": 2**63 - 1, "negative": -(2**63), "zero": 0, "bool": [True, False]},
    {"float": 1.5, "big": 1e16, "negative": -2.25, "zero": 0.0},
    {"errors": {"field": [ErrorDetail("This field is required.", code="required")]}},
    ReturnDict({"a": 1, "b": ReturnList([1, 2], serializer=None)}, serializer=None),
    OrderedDict([("z", 1), ("a", 2)]),
    {"aware": datetime.datetime(2024, 5, 17, 10, 30, 15, 123456, tzinfo=UTC)},
    {"aware_no_us": datetime.datetime(2024, 5, 17, 10, 30, 15, tzinfo=UTC)},
    {
        "offset": datetime.datetime(
            2024, 5, 17, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
        )
    },
    {"naive": datetime.datetime(2024, 5, 17, 10, 30)},
    {"date": datetime.date(2024, 5, 17), "time": datetime.time(10, 30, 1, 5)},
    {"delta": datetime.timedelta(days=1, seconds=3)},
    {"decimal": decimal.Decimal("12.50")},
    {"uuid": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"lazy": gettext_lazy("Not found.")},
    {"tuple": (1, "two", None)},
    {"bytes": b"raw"},
    # orjson cannot or would not write these like DRF: DRF's renderer takes over.
    {"huge": 2**64},
    {1: "int key", None: "none key"},
]


@pytest.mark.parametrize("data", SAMPLES, ids=range(len(SAMPLES)))
def test_the_same_bytes_as_drf(data):
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_small_floats_are_the_same_numbers():
    # orjson writes 1e-7 as "1e-7", Python as "1e-07": the same number once parsed.
    floats = [float(f"{m}e{e}") for e in range(-12, 22) for m in ("1", "-2.5", "3.14159")]
    data = {"floats": floats}
    assert json.loads(ORJSONRenderer().render(data)) == json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("media_type", ["application/json; indent=4", "application/json; indent=2"])
def test_an_indented_rendering_is_drfs(media_type):
    data = {"a": [1, {"b": "c"}]}
    assert ORJSONRenderer().render(data, media_type) == JSONRenderer().render(data, media_type)


@pytest.mark.parametrize(
    "data",
    [{"nan": float("nan")}, {"decimal_nan": decimal.Decimal("NaN")}, {"x": object()}],
    ids=["float-nan", "decimal-nan", "unknown-type"],
)
def test_what_drf_refuses_is_refused_alike(data):
    with pytest.raises((ValueError, TypeError)) as drf:
        JSONRenderer().render(data)
    if isinstance(data.get("nan"), float):
        # The one known difference (docs/performance.md): orjson writes a float NaN as
        # null; none of our fields is a float.
        assert ORJSONRenderer().render(data) == b'{"nan":null}'
        return
    with pytest.raises(drf.type):
        ORJSONRenderer().render(data)


def test_lone_surrogates_are_refused_alike():
    data = {"bad": "\ud800"}
    with pytest.raises(UnicodeEncodeError):
        JSONRenderer().render(data)
    with pytest.raises(UnicodeEncodeError):
        ORJSONRenderer().render(data)


@pytest.mark.django_db
def test_the_api_uses_it(api_client):
    ArticleFactory(slug="story", title="Line\u2028separated")

    response = api_client.get("/api/v1/articles/story/")

    assert response["Content-Type"] == "application/json"
    assert b"Line\\u2028separated" in response.content
    assert response.content == JSONRenderer().render(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/articles/", "/api/v1/privacy/requests/confirm/?token=x"])
def test_an_unknown_format_parameter_is_ignored_not_a_404(client, path):
    joiner = "&" if "?" in path else "?"
    plain = client.get(path)

    response = client.get(f"{path}{joiner}format=5r")

    assert response.status_code == plain.status_code != 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_a_known_format_parameter_still_chooses_the_renderer(client):
    assert client.get("/api/schema/?format=json")["Content-Type"].startswith(
        "application/vnd.oai.openapi+json"
    )
