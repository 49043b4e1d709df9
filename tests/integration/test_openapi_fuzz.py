"""Spec-driven fuzzing: schemathesis reads the served /openapi.json of the running system and
sends every operation generated requests, valid and not, as each role; nothing may answer 5xx,
and every answer must be one the description declares, with a body that matches it, and a
request that breaks the description must be refused.

schemathesis runs as its own command (its pytest plugin needs a pytest older than ours), with a
fixed seed, so a failure repeats. ``FUZZ_EXAMPLES`` (default 20) bounds the generated requests
per operation and phase.

Roles: ``ROLES`` maps a role to the headers it sends, by their name in the system fixture's
``headers``: the anonymous caller's, and each demo user's of ``deploy/demo_data.yml``. Every role
gets a run of its own. All of them are signed in before any run starts (the fuzzer's failed
sign-ins lock the client address out for a while), and a signed-in role's run leaves out
``DELETE /sessions/current``, which would end that role's session for the rest of its run; the
anonymous run sends it too.
"""
import os
import pathlib
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SEED = 20261127
# the authority officer is the commune's, the system fixture's "officer"
ROLES = {"anonymous": "anonymous", "cadre": "cadre", "authority_officer": "officer",
         "district_officer": "district_officer", "operator": "operator",
         "administrator": "administrator"}
SIGN_OUT = "delete_sessions_current"
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "negative_data_rejection")
SCHEMATHESIS = pathlib.Path(sys.executable).with_name("schemathesis")
CONFIG = pathlib.Path(__file__).with_name("schemathesis.toml")


def fuzz(system, headers, workdir):
    command = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run",
               f"{system.base_url}/openapi.json",
               "--url", system.base_url, "--checks", ",".join(CHECKS),
               "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1",
               "--request-timeout", "30", "--suppress-health-check", "all",
               "--phases", "examples,coverage,fuzzing",
               # the pages (/app) answer a request without their session cookie with a redirect
               # to the sign-in page before reading the form, as browsers expect; they are
               # driven in a real browser by test_pages.py instead
               "--exclude-path-regex", "^/app"]
    if headers:
        command += ["--exclude-operation-id", SIGN_OUT]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "120"})


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_operation_answers_as_described(system, role, tmp_path):
    run = fuzz(system, system.headers[ROLES[role]], tmp_path)
    print(run.stdout[-3000:])  # the summary, with -s or on failure
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
