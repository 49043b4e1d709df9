"""Every route of the gateway, described once: what it takes, what it gives, how it refuses.

The gateway refuses to start with an ``@http`` entrypoint missing here (``edge.http.JsonWebServer``
reads this table from ``GatewayService.routes``), the edge validates query and path parameters
against these schemas before a handler runs, and ``services.gateway.edge.openapi`` generates the
OpenAPI description from this table alone, so the served description cannot drift from what the
gateway does. Each resource describes its routes beside its handlers
(``services/gateway/api/<resource>.py``, ``services/gateway/pages/<role>.py``); this table
gathers them. Example::

    ("GET", "/units"): Route("List units", schemas.UnitsPage, query=PageQuery, tag="registry"),
"""
from services.gateway.api import (
    accounts,
    attachments,
    audit,
    calendars,
    case_attachments,
    cases,
    documentation,
    imports,
    meetings,
    member_contacts,
    members,
    operations,
    publishing,
    registry,
    reports,
    visits,
)
from services.gateway.pages import (
    admin,
    admin_cadres,
    admin_calendar,
    admin_groups,
    admin_registry,
    admin_reorganise,
    admin_requests,
    admin_tree,
    admin_users,
    cadre,
    case_tier,
    common,
    following,
    interim,
    meeting_pages,
    member_page,
    members_page,
    officer,
    officer_desk,
    redaction,
    report,
    roster_page,
    similar,
)
from services.gateway.pages import attachments as attachment_pages
from services.gateway.pages import case_attachments as case_attachment_pages
from services.gateway.pages import operations as operations_pages
from services.gateway.pages import publishing as publishing_pages

TABLES = (operations.ROUTES, accounts.ROUTES, registry.ROUTES, visits.ROUTES, cases.ROUTES,
          documentation.ROUTES, imports.ROUTES, audit.ROUTES, publishing.ROUTES)
TABLES += (common.ROUTES, cadre.ROUTES, officer.ROUTES, admin.ROUTES, admin_users.ROUTES,
           admin_registry.ROUTES, admin_tree.ROUTES, admin_reorganise.ROUTES,
           admin_cadres.ROUTES,
           admin_groups.ROUTES, admin_requests.ROUTES, redaction.ROUTES, following.ROUTES,
           publishing_pages.ROUTES,
           operations_pages.ROUTES)
TABLES += (officer_desk.ROUTES, roster_page.ROUTES, calendars.ROUTES, admin_calendar.ROUTES,
           case_tier.ROUTES, interim.ROUTES, meetings.ROUTES, attachments.ROUTES,
           attachment_pages.ROUTES, similar.ROUTES, meeting_pages.ROUTES, members.ROUTES,
           members_page.ROUTES)
TABLES += (reports.ROUTES, report.ROUTES)  # the periodic report (issue 28)
# keeping close to members and families (issue 29)
TABLES += (member_contacts.ROUTES, member_page.ROUTES)
TABLES += (case_attachments.ROUTES, case_attachment_pages.ROUTES)  # the authority's documents

ROUTES = {}
for _table in TABLES:
    _clash = set(ROUTES) & set(_table)
    assert not _clash, f"two tables describe the same routes: {_clash}"
    ROUTES.update(_table)
