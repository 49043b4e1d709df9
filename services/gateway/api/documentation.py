"""This API's description: OpenAPI 3 and a readable page of it."""
from services.gateway.api import Api
from services.gateway.edge import docs
from services.gateway.edge.docs import DOCS_ASSETS, DocsAssetPath
from services.gateway.edge.http import http, json_response
from services.gateway.edge.openapi import openapi_description
from services.gateway.edge.route import Route

ROUTES = {
    ("GET", "/openapi.json"): Route(
        "This description (OpenAPI 3)", "application/json", "documentation", local=True,
        public=True),
    ("GET", "/docs"): Route(
        "A readable page of this description (Swagger UI, served here)", "text/html",
        "documentation", local=True, public=True),
    ("GET", "/docs/<asset>"): Route(
        "A file of the documentation page", tuple(sorted(set(DOCS_ASSETS.values()))),
        "documentation", path=DocsAssetPath, local=True, public=True),
}


class DocumentationApi(Api):
    # --- this description -------------------------------------------------------------------

    @http("GET", "/openapi.json")
    def openapi(self, request):
        # the whole table, as the service class hands it to the edge
        return json_response(openapi_description(self.routes))

    @http("GET", "/docs")
    def docs_page(self, request):
        return docs.page()

    @http("GET", "/docs/<asset>")
    def docs_asset(self, request, asset):
        return docs.asset(asset)
