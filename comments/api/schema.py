"""OpenAPI descriptions shared by the comments API's public and staff views: the
standard error answers by status code (plumbing.api_docs), each with its generic
description or with what it means at one endpoint."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

from plumbing.api_docs import (
    ERROR_400,
    ERROR_401,
    ERROR_403,
    ERROR_404,
    ERROR_409,
    ERROR_413,
    ERROR_415,
    ERROR_429,
)

_ERRORS = {
    400: ERROR_400,
    401: ERROR_401,
    403: ERROR_403,
    404: ERROR_404,
    409: ERROR_409,
    413: ERROR_413,
    415: ERROR_415,
    429: ERROR_429,
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The API's standard error answers for these status codes, in this order."""
    return {code: _ERRORS[code] for code in codes}


def error(code: int, description: str) -> OpenApiResponse:
    """A standard error answer, with what it means at this endpoint."""
    return OpenApiResponse(_ERRORS[code].response, description=description)
