"""The gateway's HTTP edge: everything between a client's bytes and a handler, and nothing else.

The web server and its one error vocabulary (``http``), what a body, query or form may hold
(``limits``), who is asking (``auth``), from which address, through trusted proxies only
(``client``), how a route is described (``route``), the OpenAPI
description generated from those descriptions (``openapi``) and its readable page (``docs``).
The edge imports no handler: the service class hands in its route table
(``GatewayService.routes``), which the web server reads when it starts.
"""
