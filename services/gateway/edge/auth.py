"""Who is asking: the gateway's check of each request's access token.

Signature and expiry are checked here with ``TOKEN_SECRET`` or one of the
``TOKEN_PREVIOUS_SECRETS`` not yet retired (no call needed); whether the token
was revoked (sign-out, password change or reset, disabling) the accounts service answers on
every request, so a revoked token is refused at once, with no cache to go stale. The result is
a :class:`shared.authorisation.Principal`, refused with 403 if its role may never do the action;
the services that own the data decide on the object itself.
"""
from nameko.extensions import DependencyProvider

from shared import tokens
from shared.authorisation import principal_from, require
from shared.config import settings


class Authenticator(DependencyProvider):
    """``self.auth.principal(request, accounts, action)`` -> the principal as a dict."""

    def setup(self):
        self.keys = tokens.verification_keys(settings(self.container.config))

    def get_dependency(self, worker_ctx):
        return self

    def principal(self, request, accounts, action):
        return self.principal_of_token(tokens.bearer_token(request.headers.get("Authorization")),
                                       accounts, action)

    def principal_of_token(self, token, accounts, action):
        """The same check for a token the pages keep in their session cookie."""
        claims = tokens.verify(self.keys, token)
        principal = principal_from(accounts.principal_for(claims["sub"], claims["ver"]))
        return require(principal, action).to_dict()
