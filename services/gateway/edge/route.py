"""How a route of the gateway is described: what it takes, what it gives, how it refuses.

The gateway refuses to start with an ``@http`` entrypoint missing from its route table
(``edge.http.JsonWebServer``), the edge validates query and path parameters against these
schemas before a handler runs, and ``services.gateway.edge.openapi`` generates the OpenAPI
description from the table alone, so the served description cannot drift from what the gateway
does. Example::

    ("GET", "/units"): Route("List units", schemas.UnitsPage, query=PageQuery, tag="registry"),
"""
from typing import NamedTuple, Optional

from marshmallow import Schema

from services.gateway import schemas


class Route(NamedTuple):
    summary: str
    # the 2xx body: a schema, a JSON schema dict, or the media types of what is not JSON data
    response: object
    tag: str
    status: int = 200
    query: type = schemas.NoParameters
    path: Optional[type] = None
    body: Optional[type] = None
    # refusals beyond the ones every route has (400 bad parameters, 414, 431)
    errors: tuple = ()
    # answers without asking another service: no 503
    local: bool = False
    # reachable without a token (the identity work signs everyone else in)
    public: bool = False
    description: str = ""
    # another success: (status, schema, description)
    also: tuple = ()
    # a request body that works on the demo data, shown in /docs and tried first by the fuzzer
    example: Optional[dict] = None
    # an HTML form's body (application/x-www-form-urlencoded), parsed and checked at the edge
    form: Optional[type] = None
    # a larger body than the edge's MAX_BODY_BYTES, for this route alone (an upload)
    max_body: Optional[int] = None
    # the one file field of a form that may also come as multipart/form-data (its files)
    files: Optional[str] = None


def is_schema(response):
    return isinstance(response, type) and issubclass(response, Schema)
