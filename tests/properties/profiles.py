"""Hypothesis profiles of the property tests: ``HYPOTHESIS_PROFILE=long`` (or ``ci``, the
default) picks one. Importing this module registers and loads it. Example::

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/properties -q

- ``ci``: the suite's everyday run, seconds per test; examples vary from run to run and a
  failure prints the ``@reproduce_failure`` blob and is kept in ``.hypothesis/`` to replay.
- ``long``: 20 times the examples, for a deliberate hunt (minutes).
- ``repeatable``: the ``ci`` budget, derandomized: the same examples every run.
"""
import os

from hypothesis import HealthCheck, settings

COMMON = {"deadline": None, "print_blob": True,
          "suppress_health_check": [HealthCheck.too_slow]}

settings.register_profile("ci", max_examples=60, **COMMON)
settings.register_profile("long", max_examples=1200, **COMMON)
settings.register_profile("repeatable", max_examples=60, derandomize=True, **COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SCALE = settings().max_examples / 60
"""How much larger than ``ci`` the loaded profile is: tests with a budget of their own scale it."""


def examples(ci_budget):
    """``ci_budget`` examples under ``ci``, scaled with the profile loaded."""
    return max(1, round(ci_budget * SCALE))
