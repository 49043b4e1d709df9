"""Modules that name the same shared system run on one: kept while a module still to run asks
for the same options, stopped after the last of them (tests/integration/fixtures.py)."""
import contextlib
import types

from tests.integration.fixtures import SharedSystems, SystemOptions, later_module_shares

DESK = SystemOptions(test_clock=True, shared="desk")
PLAIN = SystemOptions(shared="plain")


def module(name, options=None):
    return types.SimpleNamespace(__name__=name, **({"SYSTEM": options} if options else {}))


def session_of(*modules_and_counts):
    items = [types.SimpleNamespace(module=module_)
             for module_, count in modules_and_counts for _ in range(count)]
    return types.SimpleNamespace(items=items)


def request_in(module_, session):
    return types.SimpleNamespace(module=module_, session=session)


def test_kept_while_a_later_module_asks_for_the_same_shared_system():
    desk, head, other = module("desk", DESK), module("head", DESK), module("other")
    plain, later = module("plain", PLAIN), module("later", PLAIN)
    session = session_of((plain, 2), (desk, 3), (head, 2), (other, 1), (later, 1))
    assert later_module_shares(request_in(desk, session), DESK)
    assert not later_module_shares(request_in(head, session), DESK)  # the last of the desk's
    assert later_module_shares(request_in(plain, session), PLAIN)  # others run in between
    assert not later_module_shares(request_in(later, session), PLAIN)
    # a -k selection that leaves out the later module's tests stops it
    assert not later_module_shares(request_in(desk, session_of((desk, 1), (other, 1))), DESK)


def test_options_that_differ_or_name_no_shared_system_are_never_shared():
    unshared = SystemOptions(test_clock=True)
    first, later = module("first", unshared), module("later", unshared)
    assert not later_module_shares(request_in(first, session_of((first, 1), (later, 1))),
                                   unshared)
    clocked = module("clocked", SystemOptions(test_clock=False, shared="desk"))
    desk = module("desk", DESK)
    assert not later_module_shares(request_in(desk, session_of((desk, 1), (clocked, 1))), DESK)


def test_one_start_per_options_several_at_once_each_stopped_when_released():
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
    assert kept.get(SystemOptions(shared="plain"), start("b")) == "b"
    assert kept.get(SystemOptions(test_clock=True, shared="desk"), start("c")) == "a"
    kept.release(DESK)
    assert log == ["start a", "start b", "stop a"]
    kept.close()
    assert log == ["start a", "start b", "stop a", "stop b"]
