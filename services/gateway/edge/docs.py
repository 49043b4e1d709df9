"""The /docs page: Swagger UI from the ``swagger-ui-bundle`` package, served by the gateway.

No CDN: the page and its assets come from the installed package, so it works with no internet.
Only the files the page loads are served (:data:`DOCS_ASSETS`). The page carries the pages'
policy (scripts from this site only, framed by nobody); its one inline script is allowed by its
hash, nothing else inline runs.
"""
import base64
import hashlib
import re

from marshmallow import Schema, fields, validate
from swagger_ui_bundle import swagger_ui_path
from werkzeug.wrappers import Response

from services.gateway.edge.openapi import TITLE
from shared.errors import NotFound

# files of the Swagger UI distribution that the /docs page loads
DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "index.css": "text/css",
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui-standalone-preset.js": "application/javascript",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}


class DocsAssetPath(Schema):
    asset = fields.String(required=True, validate=validate.OneOf(sorted(DOCS_ASSETS)))


PAGE = f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>{TITLE}: HTTP interface</title>
    <link rel="stylesheet" type="text/css" href="/docs/swagger-ui.css" />
    <link rel="stylesheet" type="text/css" href="/docs/index.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script>
      window.onload = function () {{
        window.ui = SwaggerUIBundle({{
          url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
          validatorUrl: null,
          presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
          layout: "StandaloneLayout"
        }});
      }};
    </script>
  </body>
</html>
"""


_SCRIPT = re.search(r"<script>(.*?)</script>", PAGE, re.DOTALL).group(1)
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
# the pages' policy (services/gateway/pages/common.py), with the inline styles Swagger UI sets
POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
          f"script-src 'self' 'sha256-{_SCRIPT_HASH}'; form-action 'self'; "
          "frame-ancestors 'none'")


def page():
    response = Response(PAGE, mimetype="text/html")
    response.headers["Content-Security-Policy"] = POLICY
    return response


def asset(name):
    if name not in DOCS_ASSETS:
        raise NotFound("no such documentation file", {"asset": [name]})
    content = (swagger_ui_path / name).read_bytes()
    response = Response(content, mimetype=DOCS_ASSETS[name])
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
