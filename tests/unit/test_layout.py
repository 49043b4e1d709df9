"""The house plan as the imports draw it: which package may lean on which.

Read from the source with ``ast`` (nothing is imported), so a move that breaks the plan fails
here, naming the import, before anyone runs the system:

- the store engine (``docstore``) knows nothing of the application;
- what runs in production (``shared``, ``services``, ``docstore``) never needs ``tooling`` or the
  tests, so the image can leave them out;
- the gateway's edge is handed its route table and imports no handler, so the gateway has no
  import circle;
- every service is a package, so import analysis sees all of it;
- ``deploy/`` is scripts and data only.
"""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE_PACKAGES = ("docstore", "shared", "services", "tooling")


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package):
    return {module_name(path): path for path in (ROOT / package).rglob("*.py")
            if "tests" not in path.relative_to(ROOT).parts}


def imported(path):
    """Every module name ``path`` imports, at any depth (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def within(name, prefix):
    return name == prefix or name.startswith(prefix + ".")


def reaches(start, forbidden, graph):
    """The import chain from ``start`` to a module under one of ``forbidden``, or None."""
    seen, paths = {start}, [[start]]
    while paths:
        path = paths.pop()
        for target in sorted(graph.get(path[-1], ())):
            if any(within(target, prefix) for prefix in forbidden):
                return path + [target]
            if target in graph and target not in seen:
                seen.add(target)
                paths.append(path + [target])
    return None


@pytest.fixture(scope="module")
def graph():
    """Each project module and the project modules it imports."""
    sources = {}
    for package in SOURCE_PACKAGES:
        sources.update(modules(package))
    return {name: {target for target in imported(path) if target in sources}
            for name, path in sources.items()}


@pytest.mark.parametrize("package, forbidden", [
    ("docstore", ("shared", "services", "tooling", "tests")),
    ("shared", ("services", "tooling", "tests")),
    ("services", ("tooling", "tests")),
])
def test_a_package_does_not_lean_on_what_sits_above_it(graph, package, forbidden):
    for name in sorted(modules(package)):
        chain = reaches(name, forbidden, graph)
        assert chain is None, " -> ".join(chain)


def test_the_gateways_edge_imports_no_handler(graph):
    handlers = ("services.gateway.api", "services.gateway.pages", "services.gateway.routes",
                "services.gateway.service")
    edge = [name for name in graph if within(name, "services.gateway.edge")]
    assert edge, "services/gateway/edge/ holds the HTTP edge"
    for name in edge:
        chain = reaches(name, handlers, graph)
        assert chain is None, " -> ".join(chain)


def test_no_import_circle_in_the_gateway(graph):
    gateway = {name for name in graph if within(name, "services.gateway")}
    for name in sorted(gateway):
        for target in graph[name] & gateway:
            chain = reaches(target, (name,), {n: graph[n] & gateway for n in gateway})
            assert chain is None, " -> ".join([name] + chain)


@pytest.mark.parametrize("folder", sorted(
    path.name for path in (ROOT / "services").iterdir() if (path / "service.py").is_file()))
def test_every_service_is_a_package(folder):
    assert (ROOT / "services" / folder / "__init__.py").is_file()


def test_deploy_holds_scripts_and_data_only():
    assert not sorted((ROOT / "deploy").rglob("*.py"))


def test_the_checks_see_a_forbidden_import():
    """The walk finds a chain through a second module, and the reading finds relative imports."""
    graph = {"a": {"b"}, "b": {"c.d"}, "c.d": set()}
    assert reaches("a", ("c",), graph) == ["a", "b", "c.d"]
    assert reaches("a", ("z",), graph) is None
    edge_http = ROOT / "services" / "gateway" / "edge" / "http.py"
    assert "services.gateway.edge.limits" in set(imported(edge_http))
