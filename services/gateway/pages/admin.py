"""The administrator's pages that read: statistics per authority and topic with charts, the
mail sent and who read personal data. Each calls what the API's handler calls, with the same
permission. The pages that edit: users (``admin_users``), authorities and routing rules
(``admin_registry``), units and assignments (``admin_tree``)."""
from marshmallow import fields, validate

from services.gateway.edge.http import http, query_args
from services.gateway.pages.common import LanguageQuery, PagesApi, page_route
from services.gateway.pages.officer import StatisticsPageQuery, statistics_view
from shared.contracts import Id


class AdminStatisticsQuery(StatisticsPageQuery):
    authority_id = Id()


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


class AdminPagesApi(PagesApi):
    @http("GET", "/app/admin/statistics")
    def admin_statistics_page(self, request):
        def build(view):
            authorities = self.escalations.list_authorities({"limit": 500})["authorities"]
            chosen = query_args(request).get("authority_id") or (
                authorities[0]["authority_id"] if authorities else None)
            if chosen is None:
                return view.render("list_page.html", title="statistics_title",
                                   next_cursor=None)
            return statistics_view(self, view, chosen, authorities)
        return self._page(request, "cases.statistics", build)

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
