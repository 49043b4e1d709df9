"""One shape for every service, read from the source (nothing is imported but the settings):

- ``service.py`` holds the nameko class and its entrypoints only: each method decodes, calls a
  plain function, encodes. No helper method, no module-level function, no collection touched, no
  state in class attributes. Entrypoints live nowhere else in the service.
- ``store.py`` (or a ``store/`` package) is the only module that touches a collection; a service
  that keeps data has one, and a ``queries.py`` for its reads.
- a service that reacts to events has ``reactions.py``: plain functions, one per fact handled.
- ``settings.py`` declares the settings the service reads, each one written in
  ``deploy/config.yml`` with its default there and nowhere else.

The gateway is the HTTP edge: it keeps no data and its handlers are the route table's
(``api/``, ``pages/``), so it has the service class and the settings, not the store's modules.
"""
import ast
import importlib
import pathlib

import pytest
import yaml
from marshmallow import missing

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICES = sorted(path.name for path in (ROOT / "services").iterdir()
                  if (path / "service.py").is_file())
EDGE = "gateway"
ENTRYPOINTS = {"rpc", "subscribe", "timer", "event_handler", "http", "consume"}
# the shared helpers that take a collection and read or write it
COLLECTION_HELPERS = {"read_page", "insert_once", "insert_or_change_contact", "clear_sent",
                      "record_read"}


def sources(service):
    folder = ROOT / "services" / service
    return {path.relative_to(folder).as_posix(): ast.parse(path.read_text(encoding="utf-8"))
            for path in folder.rglob("*.py") if "tests" not in path.parts}


def is_store(relative):
    return relative == "store.py" or relative.startswith("store/")


def decorator_name(node):
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Attribute):
        return target.attr
    return getattr(target, "id", "")


def is_entrypoint(decorator):
    name = decorator_name(decorator)
    return name in ENTRYPOINTS or name.endswith("_timer") or name == "decorator"


def touches_collection(tree):
    """Each line where ``tree`` reaches a collection: ``<...>db.<name>``, ``db[...]`` or a
    shared helper handed one."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_db(node.value):
            yield node.lineno, f"db.{node.attr}"
        elif isinstance(node, ast.Subscript) and _is_db(node.value):
            yield node.lineno, "db[...]"
        elif isinstance(node, ast.Call) and decorator_name(node) in COLLECTION_HELPERS:
            yield node.lineno, decorator_name(node)


def _is_db(node):
    return (isinstance(node, ast.Name) and node.id == "db") or (
        isinstance(node, ast.Attribute) and node.attr == "db")


def service_class(tree):
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)
               and any(isinstance(item, ast.Assign) and any(
                   getattr(t, "id", None) == "name" for t in item.targets) for item in node.body)]
    assert len(classes) == 1, "service.py holds exactly one service class (with its name)"
    return classes[0]


def keeps_data(tree):
    return any(isinstance(node, ast.Call) and decorator_name(node) == "Store"
               for node in ast.walk(tree))


def reacts_to_events(tree):
    return any(decorator_name(decorator) in {"subscribe", "event_handler"}
               for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
               for decorator in node.decorator_list)


# --- the shape -------------------------------------------------------------------------------

@pytest.mark.parametrize("service", SERVICES)
def test_a_service_has_the_modules_of_the_template(service):
    found = sources(service)
    service_py = found["service.py"]
    missing_modules = [name for name in ("settings.py", "__init__.py") if name not in found]
    if service != EDGE:
        if keeps_data(service_py):
            missing_modules += [name for name in ("queries.py",) if name not in found]
            if not any(is_store(name) for name in found):
                missing_modules.append("store.py")
        if reacts_to_events(service_py) and "reactions.py" not in found:
            missing_modules.append("reactions.py")
    assert not missing_modules, f"services/{service}/ lacks {missing_modules}"


@pytest.mark.parametrize("service", SERVICES)
def test_service_py_holds_entrypoints_only(service):
    tree = sources(service)["service.py"]
    cls = service_class(tree)
    problems = [f"l.{node.lineno}: module-level function {node.name}" for node in tree.body
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for item in cls.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not any(is_entrypoint(d) for d in item.decorator_list):
                problems.append(f"l.{item.lineno}: {item.name} is not an entrypoint")
        elif isinstance(item, (ast.Assign, ast.AnnAssign)):
            value = item.value
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            names = [getattr(t, "id", "?") for t in targets]
            # the service's name, its route table, or a dependency (a declaration's call)
            if not (names == ["name"] or names == ["routes"] or isinstance(value, ast.Call)):
                problems.append(f"l.{item.lineno}: class attribute {names[0]} holds state")
    problems += [f"l.{line}: touches {what}" for line, what in touches_collection(tree)]
    assert not problems, f"services/{service}/service.py: " + "; ".join(problems)


@pytest.mark.parametrize("service", sorted(set(SERVICES) - {EDGE}))
def test_entrypoints_live_in_service_py_only(service):
    elsewhere = [f"{name} l.{node.lineno}: {node.name}"
                 for name, tree in sources(service).items() if name != "service.py"
                 for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                 and any(is_entrypoint(d) for d in node.decorator_list)]
    assert not elsewhere, f"services/{service}: entrypoints outside service.py: {elsewhere}"


@pytest.mark.parametrize("service", SERVICES)
def test_only_the_store_touches_collections(service):
    touching = [f"{name} l.{line}: {what}" for name, tree in sources(service).items()
                if not is_store(name) and name != "service.py"
                for line, what in touches_collection(tree)]
    assert not touching, f"services/{service}: collections touched outside store.py: {touching}"


# --- settings --------------------------------------------------------------------------------

def written_settings():
    text = (ROOT / "deploy" / "config.yml").read_text(encoding="utf-8")
    return set(yaml.load(text, Loader=yaml.BaseLoader))


@pytest.mark.parametrize("where", ["shared.config"] + [
    f"services.{service}.settings" for service in SERVICES])
def test_every_setting_is_written_once_in_the_deployments_config(where):
    schema = importlib.import_module(where).Settings
    written = written_settings()
    fields = schema().fields
    absent = sorted(name for name in fields if name not in written)
    assert not absent, f"{where}: settings missing from deploy/config.yml: {absent}"
    restated = sorted(name for name, field in fields.items() if field.load_default is not missing)
    assert not restated, f"{where}: defaults restated beside deploy/config.yml: {restated}"


# --- the checks themselves -------------------------------------------------------------------

def test_the_checks_see_what_breaks_the_template():
    tree = ast.parse("class S:\n    name = 's'\n    seen = {}\n    db = Store()\n"
                     "    @rpc\n    def get(self, i):\n        return self.db.units.find_one(i)\n"
                     "    def _helper(self):\n        return read_page(self.db.units, {})\n")
    assert sorted(what for _, what in touches_collection(tree)) == ["db.units", "db.units",
                                                              "read_page"]
    assert keeps_data(tree) and not reacts_to_events(tree)
    cls = service_class(tree)
    undecorated = [item.name for item in cls.body if isinstance(item, ast.FunctionDef)
                   and not any(is_entrypoint(d) for d in item.decorator_list)]
    assert undecorated == ["_helper"]
