"""The house plan's contracts (``.importlinter``) hold, and each of them can fail.

CI runs ``lint-imports`` on the tree (deploy/test.sh). Here a copy of the tree gets one forbidden
import at a time, and ``lint-imports`` must refuse it naming the contract it breaks: a contract
that cannot fail (a typo in a module name, a layer nobody imports) would pass silently forever.
"""
import configparser
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LINT_IMPORTS = pathlib.Path(sys.executable).with_name("lint-imports")
PACKAGES = ("docstore", "services", "shared", "tooling")


def contract_names():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    return {section.split(":")[-1]: config[section]["name"] for section in config.sections()
            if section.startswith("importlinter:contract:")}


# contract id -> (module that gets the line, the forbidden import)
BREAKS = {
    "services-independent": ("services/accounts/rules.py",
                             "from services.visits import rules as _visits_rules"),
    "layers": ("shared/topology.py", "import tooling.launcher"),
    "gateway-layers": ("services/gateway/edge/limits.py",
                       "import services.gateway.pages.render"),
    "pure-rules": ("services/visits/rules.py", "import nameko"),
    "no-circles": ("shared/contracts/base.py", "from shared.contracts import envelope"),
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    copy = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, copy / package,
                        ignore=shutil.ignore_patterns("tests", "__pycache__", "*.pyc"))
    shutil.copy(ROOT / ".importlinter", copy / ".importlinter")
    return copy


def lint(tree):
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True,
                          text=True, timeout=120)


def test_every_contract_has_a_breaking_import_here():
    assert set(BREAKS) == set(contract_names())


def test_the_tree_keeps_every_contract(tree):
    result = lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in contract_names().values():
        assert f"{name} KEPT" in result.stdout


@pytest.mark.parametrize("contract", sorted(BREAKS))
def test_one_forbidden_import_breaks_its_contract(tree, contract):
    module, line = BREAKS[contract]
    path = tree / module
    original = path.read_text(encoding="utf-8")
    path.write_text(f"{original}\n{line}  # noqa\n", encoding="utf-8")
    try:
        result = lint(tree)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert f"{contract_names()[contract]} BROKEN" in result.stdout, result.stdout
