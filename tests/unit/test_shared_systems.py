"""Modules that name the same shared system run on one: kept while the next module to run asks
for the same options, stopped otherwise (tests/integration/fixtures.py)."""
import contextlib
import types

from tests.integration.fixtures import SharedSystems, SystemOptions, next_module_shares

DESK = SystemOptions(test_clock=True, shared="desk")


def module(name, options=None):
    return types.SimpleNamespace(__name__=name, **({"SYSTEM": options} if options else {}))


def session_of(*modules_and_counts):
    items = [types.SimpleNamespace(module=module_)
             for module_, count in modules_and_counts for _ in range(count)]
    return types.SimpleNamespace(items=items)


def request_in(module_, session):
    return types.SimpleNamespace(module=module_, session=session)


def test_kept_only_while_the_next_module_asks_for_the_same_shared_system():
    desk, head, other = module("desk", DESK), module("head", DESK), module("other")
    session = session_of((desk, 3), (head, 2), (other, 1))
    assert next_module_shares(request_in(desk, session), DESK)
    assert not next_module_shares(request_in(head, session), DESK)  # "other" runs next
    # a -k selection that leaves out the next module's tests stops it
    assert not next_module_shares(request_in(desk, session_of((desk, 1), (other, 1))), DESK)
    assert not next_module_shares(request_in(desk, session_of((desk, 2))), DESK)  # last module


def test_options_that_differ_or_name_no_shared_system_are_never_shared():
    unshared = SystemOptions(test_clock=True)
    desk, later = module("desk", unshared), module("later", unshared)
    assert not next_module_shares(request_in(desk, session_of((desk, 1), (later, 1))), unshared)
    clocked = module("clocked", SystemOptions(test_clock=False, shared="desk"))
    first = module("first", DESK)
    assert not next_module_shares(request_in(first, session_of((first, 1), (clocked, 1))), DESK)


def test_one_start_for_equal_options_and_the_kept_one_stopped_before_another_starts():
    log = []

    def start(name):
        @contextlib.contextmanager
        def running():
            log.append(f"start {name}")
            yield name
            log.append(f"stop {name}")
        return running

    kept = SharedSystems()
    assert kept.get(DESK, start("a")) == "a"
    assert kept.get(SystemOptions(test_clock=True, shared="desk"), start("b")) == "a"
    assert kept.get(SystemOptions(shared="administration"), start("c")) == "c"
    kept.close()
    assert log == ["start a", "stop a", "start c", "stop c"]
