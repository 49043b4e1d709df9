"""Every route of the gateway, described once: what it takes, what it gives, how it refuses.

The gateway refuses to start with an ``@http`` entrypoint missing here (``http.JsonWebServer``),
the edge validates query and path parameters against these schemas before a handler runs, and
``services.gateway.openapi`` generates the OpenAPI description from this table alone, so the
served description cannot drift from what the gateway does. Each area describes its routes
beside its handlers (``services/gateway/api/<area>.py``); this table gathers them. Example::

    ("GET", "/units"): Route("List units", schemas.UnitsPage, query=PageQuery, tag="registry"),
"""
from services.gateway.api import (
    accounts,
    branch_visits,
    cases,
    documentation,
    imports,
    monitoring,
    operations,
    pages_admin,
    pages_cadre,
    pages_common,
    pages_officer,
    pages_operations,
    pages_operator,
    registry,
    visits,
)
from services.gateway.route import DOCS_ASSETS, Route, is_schema  # noqa: F401

AREAS = (operations, accounts, registry, visits, cases, documentation, monitoring, imports,
         branch_visits)
AREAS += (pages_common, pages_cadre, pages_officer, pages_admin, pages_operator,
          pages_operations)

ROUTES = {}
for _area in AREAS:
    _clash = set(ROUTES) & set(_area.ROUTES)
    assert not _clash, f"{_area.__name__} describes routes another area describes: {_clash}"
    ROUTES.update(_area.ROUTES)


def route_for(method, rule):
    """The description of ``method rule``, or KeyError for a route nobody described."""
    return ROUTES[(method, rule)]
