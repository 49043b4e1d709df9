"""The operator's pages: queues with their backlog and dead letters, the audit trail of
events (metadata only, as the API gives operators)."""
from services.gateway.api.pages_admin import ListQuery, page_query
from services.gateway.api.pages_common import PagesApi, page_route
from services.gateway.http import http

ROUTES = {
    ("GET", "/app/operator/queues"): page_route("Operator: queues, backlog, dead letters"),
    ("GET", "/app/operator/events"): page_route("Operator: the audit trail of events",
                                                query=ListQuery),
}


class OperatorPagesApi(PagesApi):
    @http("GET", "/app/operator/queues")
    def queues_page(self, request):
        def build(view):
            queues = self.monitor.queue_overview(view.principal)
            return view.render("operator_queues.html", queues=queues)
        return self._page(request, "monitor.read", build)

    @http("GET", "/app/operator/events")
    def events_page(self, request):
        def build(view):
            page = self.monitor.recent_events(page_query(request), view.principal)
            return view.render("operator_events.html", events=page["events"],
                               next_cursor=page["next_cursor"])
        return self._page(request, "monitor.read", build)
