"""The administrator's pages that read: statistics per authority and topic with charts, the
mail sent and who read personal data. Each calls what the API's handler calls, with the same
permission. The pages that edit: users (``admin_users``), authorities and routing rules
(``admin_registry``), units and assignments (``admin_tree``)."""
from marshmallow import fields, validate

from services.gateway.edge.http import http, query_args
from services.gateway.pages import pickers
from services.gateway.pages.admin_base import AdminPagesBase, Refused
from services.gateway.pages.common import LanguageQuery, page_route
from services.gateway.pages.officer import StatisticsPageQuery, statistics_view

# the authority whose statistics are shown: chosen by typing its name or code, at any number
STATISTICS_PICKERS = {"authority_id": "authorities"}


class AdminStatisticsQuery(StatisticsPageQuery.from_dict(
        pickers.pick_fields(*STATISTICS_PICKERS))):
    authority_id = fields.String(validate=validate.Length(max=200), metadata={
        "description": "the authority: its code, or words of its name"})


class ListQuery(LanguageQuery):
    cursor = fields.String(validate=validate.Length(1, 400))


ROUTES = {
    ("GET", "/app/admin/statistics"): page_route(
        "Administrator: statistics of an authority per topic, with charts",
        query=AdminStatisticsQuery),
    ("GET", "/app/admin/notifications"): page_route("Administrator: the mail sent",
                                                    query=ListQuery),
    ("GET", "/app/admin/personal-data"): page_route("Administrator: who read personal data",
                                                    query=ListQuery),
}


def page_query(request, limit=100):
    query = {"limit": limit}
    if query_args(request).get("cursor"):
        query["cursor"] = query_args(request)["cursor"]
    return query


class AdminPagesApi(AdminPagesBase):
    @http("GET", "/app/admin/statistics")
    def admin_statistics_page(self, request):
        return self._page(request, "cases.statistics", self._statistics_view)

    def _statistics_view(self, view):
        """Any authority's statistics, chosen by its name or code (never a list of the first
        few hundred); nothing asked yet: the first authority in code order."""
        asked = dict(query_args(view.request))
        try:
            chosen = self._resolve(view, asked, STATISTICS_PICKERS).get("authority_id")
        except Refused as refused:  # named none or several: the choices, no figures
            return statistics_view(self, view, None, picker={
                "errors": refused.errors, "status": refused.status,
                "values": {**asked, pickers.CANDIDATES_KEY: refused.candidates}})
        if not chosen:
            first = self.escalations.list_authorities({"limit": 1})["authorities"]
            if not first:
                return view.render("list_page.html", title="statistics_title", next_cursor=None)
            chosen = first[0]["authority_id"]
        names = self._names_of(view, "authorities", [chosen])
        return statistics_view(self, view, chosen, picker={"name": names.get(chosen, "")})

    @http("GET", "/app/admin/notifications")
    def notifications_page(self, request):
        def build(view):
            page = self.notifications.list_notifications(page_query(request), view.principal)
            return view.render("admin_notifications.html", notifications=page["notifications"],
                               next_cursor=page["next_cursor"])
        return self._page(request, "notifications.read", build)

    @http("GET", "/app/admin/personal-data")
    def personal_data_page(self, request):
        def build(view):
            page = self.monitor.personal_data_reads(page_query(request), view.principal)
            return view.render("admin_personal_data.html", reads=page["reads"],
                               next_cursor=page["next_cursor"])
        return self._page(request, "audit.read", build)
