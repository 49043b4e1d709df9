"""Spec-driven fuzzing: schemathesis reads the served /openapi.json of the running system and
sends every operation generated requests, valid and not, as each role; nothing may answer 5xx,
and every answer must be one the description declares, with a body that matches it, and a
request that breaks the description must be refused.

schemathesis runs as its own command (its pytest plugin needs a pytest older than ours), with a
fixed seed, so a failure repeats. ``FUZZ_EXAMPLES`` (default 20) bounds the generated requests
per operation and phase.

Roles: ``ROLES`` maps a role to a function giving its request headers for a running system.
Every role gets a run of its own. Today only the anonymous caller exists; sign-in adds e.g.
``"cadre": lambda system: {"Authorization": f"Bearer {sign_in(system, 'cadre', 'pw')}"}``.
"""
import os
import pathlib
import subprocess
import sys

import pytest

from tests.integration.fixtures import demo_system

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
SEED = 20261127
ROLES = {
    "anonymous": lambda system: {},
}
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "negative_data_rejection")
SCHEMATHESIS = pathlib.Path(sys.executable).with_name("schemathesis")
CONFIG = pathlib.Path(__file__).with_name("schemathesis.toml")


@pytest.fixture(scope="module")
def system(vhost_pipeline, request, tmp_path_factory):
    with demo_system(vhost_pipeline, request, tmp_path_factory) as running:
        yield running


def fuzz(system, headers, workdir):
    command = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run",
               f"{system.base_url}/openapi.json",
               "--url", system.base_url, "--checks", ",".join(CHECKS),
               "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1",
               "--request-timeout", "30", "--suppress-health-check", "all",
               "--phases", "examples,coverage,fuzzing"]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"})


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_operation_answers_as_described(system, role, tmp_path):
    run = fuzz(system, ROLES[role](system), tmp_path)
    print(run.stdout[-3000:])  # the summary, with -s or on failure
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
