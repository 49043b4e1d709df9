"""Who is asking: the gateway's check of each request's access token, without a call.

Signature and expiry are checked here with ``TOKEN_SECRET`` or one of the
``TOKEN_PREVIOUS_SECRETS`` not yet retired; the role and scope are the token's own claims
(``shared.tokens``); whether the token was revoked (sign-out, a password change or reset, a
role change, disabling: each bumps the user's token version) the gateway's revocation view
answers (``revocations``), loaded from the accounts service before the first token is judged
and kept current by its ``tokens_revoked`` events (``revocation_feed``). A revocation this
gateway asked for is applied here at once (:meth:`Authenticator.revoked`); one asked of another
gateway arrives within a second. A token issued before tokens carried a role is still asked of
the accounts service (``principal_for``), until such tokens have expired.

The result is a :class:`shared.authorisation.Principal`, refused with 403 if its role may never
do the action; the services that own the data decide on the object itself.
"""
from types import SimpleNamespace

from nameko.containers import WorkerContext
from nameko.extensions import DependencyProvider

from services.gateway.edge.revocation_feed import RevocationFeed
from services.gateway.edge.revocations import RevocationView
from shared import callers, tokens
from shared.authorisation import principal_from, require
from shared.config import settings


class Authenticator(DependencyProvider):
    """``self.auth.principal(request, accounts, action)`` -> the principal as a dict."""

    def setup(self):
        config = settings(self.container.config)
        self.keys = tokens.verification_keys(config)
        self.view = RevocationView(config["TOKEN_TTL_SECONDS"],
                                   wait_seconds=config["RPC_TIMEOUT_SECONDS"])
        self.feed = RevocationFeed(
            self.view, config["AMQP_URI"],
            callers.service_user("accounts", config["BROKER_USER_SUFFIX"] or ""),
            self._load_revocations)

    def start(self):
        self.container.spawn_managed_thread(self.feed.run)

    def stop(self):
        self.feed.stop()

    def get_dependency(self, worker_ctx):
        return self

    def principal(self, request, accounts, action):
        return self.principal_of_token(tokens.bearer_token(request.headers.get("Authorization")),
                                       accounts, action)

    def principal_of_token(self, token, accounts, action):
        """The same check for a token the pages keep in their session cookie."""
        claims = tokens.verify(self.keys, token)
        principal = tokens.principal_of(claims)
        if principal is None:  # issued before tokens carried a role: ask its holder
            principal = accounts.principal_for(claims["sub"], claims["ver"])
        else:
            self.view.check(claims)
        return require(principal_from(principal), action).to_dict()

    def revoked(self, answer):
        """An accounts answer without its ``tokens_revoked``, which this view applies now."""
        answer = dict(answer)
        revocation = answer.pop("tokens_revoked", None)
        if revocation is not None:
            self.view.apply(revocation)
        return answer

    def _load_revocations(self):
        """``accounts.revocations`` through the service's own proxy, outside any request."""
        [proxy] = [dependency for dependency in self.container.dependencies
                   if getattr(dependency, "target_service", None) == "accounts"]
        # a reply before the proxy's reply queue consumes would be lost: wait for it first
        # (nameko sets this event once the container's consumers are all ready)
        proxy.rpc_reply_listener.queue_consumer._consumers_ready.wait()
        worker_ctx = WorkerContext(self.container, None,
                                   SimpleNamespace(method_name="load_revocations"))
        return proxy.get_dependency(worker_ctx).revocations()
