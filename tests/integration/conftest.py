"""Fixtures of the integration tests that more than one module may use."""
from tests.integration.browser import browser  # noqa: F401  (one chromium per test session)
