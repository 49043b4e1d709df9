"""Fixtures of the integration tests that more than one module may use: the module's running
demo system (tests/integration/fixtures.py says how a module asks for a variant) and one
chromium per test session."""
import pytest

from tests import identities
from tests.integration.browser import browser  # noqa: F401  (one chromium per test session)
from tests.integration.fixtures import (
    SharedSystems,
    demo_system,
    later_module_shares,
    system_options,
)


@pytest.fixture(scope="session")
def shared_systems():
    kept = SharedSystems()
    yield kept
    kept.close()


@pytest.fixture(scope="module")
def system(vhost_pipeline, request, tmp_path_factory, shared_systems):
    """The demo system, every demo user signed in; the module's ``SYSTEM`` options apply.
    While it runs, the tests' ClusterRpcProxy calls as a test identity (``system.rpc_config``,
    tests/identities.py): the services trust no caller they cannot name (shared/callers.py).
    Module-scoped, so the module's own module-scoped fixtures call as one too; modules whose
    options name the same ``shared`` system share one, kept from the first to the last."""
    options = system_options(request)
    with pytest.MonkeyPatch.context() as patch:
        identities.patch_standalone_proxies(patch)
        if not options.shared:
            with demo_system(vhost_pipeline, request, tmp_path_factory) as running:
                yield running
            return
        yield shared_systems.get(
            options, lambda: demo_system(vhost_pipeline, request, tmp_path_factory))
        if not later_module_shares(request, options):
            shared_systems.release(options)
