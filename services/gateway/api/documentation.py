"""This API's description: OpenAPI 3 and a readable page of it."""
from services.gateway import docs
from services.gateway.api import Api
from services.gateway.http import http, json_response
from services.gateway.openapi import openapi_description
from services.gateway.route import DOCS_ASSETS, DocsAssetPath, Route

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
        return json_response(openapi_description())

    @http("GET", "/docs")
    def docs_page(self, request):
        return docs.page()

    @http("GET", "/docs/<asset>")
    def docs_asset(self, request, asset):
        return docs.asset(asset)
