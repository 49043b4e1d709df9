"""The gateway's API routes and handlers, one module per resource, each with its ``ROUTES`` (see
``services.gateway.edge.route.Route``) and a mixin class of ``@http`` handlers that
``services.gateway.service.GatewayService`` inherits. A new resource adds a module here, its
``ROUTES`` to ``services.gateway.routes`` and its class to the service's bases. Example::

    ROUTES = {("GET", "/units"): Route("List units", schemas.UnitsPage, "registry", ...)}

    class RegistryApi(Api):
        @http("GET", "/units")
        def list_units(self, request):
            self._as(request, "registry.read")
            return json_response(self.assignments.list_units(query_args(request)))
"""
class Api:
    """What every handler mixin uses; the RPC proxies and ``auth`` are the service's."""

    def _as(self, request, action):
        """The signed-in principal (a dict for the RPCs), if its role may do ``action``."""
        return self.auth.principal(request, self.accounts, action)

    def _client_address(self, request):
        """The client's address, through trusted proxies only (``edge.client``): the one the
        accounts service throttles password checks by."""
        return self.client.address_of(request)
