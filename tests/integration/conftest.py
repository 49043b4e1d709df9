"""Fixtures of the integration tests that more than one module may use: the module's running
demo system (tests/integration/fixtures.py says how a module asks for a variant) and one
chromium per test session."""
import pytest

from tests import identities
from tests.integration.browser import browser  # noqa: F401  (one chromium per test session)
from tests.integration.fixtures import demo_system


@pytest.fixture(scope="module")
def system(vhost_pipeline, request, tmp_path_factory):
    """The demo system, every demo user signed in; the module's ``SYSTEM`` options apply.
    While it runs, the tests' ClusterRpcProxy calls as a test identity (``system.rpc_config``,
    tests/identities.py): the services trust no caller they cannot name (shared/callers.py).
    Module-scoped, so the module's own module-scoped fixtures call as one too."""
    with pytest.MonkeyPatch.context() as patch:
        identities.patch_standalone_proxies(patch)
        with demo_system(vhost_pipeline, request, tmp_path_factory) as running:
            yield running
