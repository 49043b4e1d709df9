"""Records chosen by typing on the administration pages (issue 24, at any size): what was typed
resolved to exactly one record (an exact code, one name found, a name typed whole among
several), or refused with why and the records to choose from; and a page names what it shows
by one read by id per kind, never by reading "the first 500"."""
from types import SimpleNamespace

import pytest

from services.gateway.edge.http import QUERY
from services.gateway.pages import pickers
from services.gateway.pages.admin_registry import RegistryPagesApi
from services.gateway.pages.admin_users import UsersPagesApi
from shared import folding
from shared.errors import InvalidInput

BRANCHES = {f"px-{n:03}": f"Chi bộ phân xưởng {n:03}" for n in range(520)} | {
    "thon-1": "Chi bộ thôn 1", "thon-10": "Chi bộ thôn 10", "thon-1b": "Chi bộ thôn 1"}


def exact(code):
    return BRANCHES.get(code)


def search(words, limit):
    """The registry's rule: each word begins a word of the name, in code order, bounded."""
    found = [(code, f"{name} ({code})", name) for code, name in sorted(BRANCHES.items())
             if folding.matches(words, name)]
    return found[:limit]


def test_a_name_typed_without_diacritics_that_one_record_holds_is_that_record():
    assert pickers.resolve("phan xuong 517", "", exact, search) == ("px-517", "", ())
    assert pickers.resolve("  Chi bộ phân xưởng 003 ", "", exact, search).record_id == "px-003"


def test_an_exact_code_is_that_record_whatever_its_name_matches():
    assert pickers.resolve("px-511", "", exact, search).record_id == "px-511"
    # a code-like text that is no code is searched as words: nothing found
    assert pickers.resolve("px-999", "", exact, search) == ("", "no_match", ())


def test_several_found_are_refused_with_the_first_few_to_choose_from():
    found = pickers.resolve("phan xuong 51", "", exact, search)
    assert found.because == "several_match" and found.record_id == ""
    # "51" begins the words "510" to "519", not "051"
    assert [code for code, _ in found.candidates] == [f"px-51{n}" for n in range(10)]
    assert found.candidates[0] == ("px-510", "Chi bộ phân xưởng 510 (px-510)")
    # past the few shown, more words narrow it
    assert len(pickers.resolve("phan", "", exact, search).candidates) == pickers.CANDIDATES


def test_a_name_typed_whole_among_longer_names_is_that_one_unless_two_share_it():
    # "Chi bộ thôn 10" also holds the words of "Chi bộ thôn 1"; two units are named that
    found = pickers.resolve("chi bo thon 1", "", exact, search)
    assert found.because == "several_match"
    assert {code for code, _ in found.candidates} == {"thon-1", "thon-10", "thon-1b"}
    assert pickers.resolve("Chi bộ thôn 10", "", exact, search).record_id == "thon-10"


def test_nothing_found_or_nothing_searchable_is_refused_without_candidates():
    assert pickers.resolve("nha may", "", exact, search) == ("", "no_match", ())

    def refusing(words, limit):
        raise InvalidInput("nothing to search for", {"q": ["needs a letter"]})
    assert pickers.resolve("!!", "", exact, refusing) == ("", "no_match", ())


def test_a_code_picked_from_the_candidates_or_a_suggestion_wins_over_what_was_typed():
    assert pickers.resolve("phan xuong 51", "px-515", exact, search).record_id == "px-515"
    assert pickers.resolve("phan xuong 51", "px-gone", exact, search).because == "picked_gone"
    # not a code at all: never asked of the registry
    assert pickers.resolve("", "Px 515!", pytest.fail, search).because == "picked_gone"


def test_an_edit_form_keeps_the_record_it_showed_by_name_while_that_name_is_sent():
    # "Chi bộ thôn 1" names two branches: shown on thon-1b's form and sent back, it stays
    # thon-1b (by name alone it would be refused as several)
    assert pickers.resolve("Chi bộ thôn 1", "", exact, search).because == "several_match"
    assert pickers.resolve("chi bo thon 1", "", exact, search, "thon-1b").record_id == "thon-1b"
    # another name typed over it: what was typed decides; a suggestion chosen still wins
    assert pickers.resolve("Chi bộ thôn 10", "", exact, search, "thon-1b").record_id == "thon-10"
    assert pickers.resolve("Chi bộ thôn 1", "px-003", exact, search, "thon-1b").record_id == (
        "px-003")
    # emptied: nothing; a current code gone or not a code: the name is searched as typed
    assert pickers.resolve("", "", exact, search, "thon-1b") == ("", "", ())
    assert pickers.resolve("Chi bộ thôn 1", "", exact, search, "gone").because == "several_match"
    assert pickers.resolve("Chi bộ thôn 1", "", exact, search, "../x").because == (
        "several_match")


def test_an_edit_forms_current_code_never_reaches_the_service():
    form = {"unit_id": "Chi bộ thôn 1", "unit_id_current": "thon-1", "unit_id_pick": ""}
    resolved, because, _ = pickers.resolve_form(form, {"unit_id": "units"},
                                                {"units": (exact, search)})
    assert resolved == {"unit_id": "thon-1"} and because == {}


def test_nothing_typed_picks_nothing_and_leaves_the_form_reader_to_say_it_is_needed():
    assert pickers.resolve("", "", exact, pytest.fail) == ("", "", ())


def test_a_form_is_sent_with_codes_and_refused_beside_each_field_that_names_none_or_several():
    form = {"unit_id": "phan xuong 517", "unit_id_pick": "", "authority_id": "phan xuong 51",
            "topic": "land"}
    lookups = {"units": (exact, search), "authorities": (exact, search)}
    resolved, because, candidates = pickers.resolve_form(
        form, {"unit_id": "units", "authority_id": "authorities"}, lookups)
    assert resolved["unit_id"] == "px-517" and "unit_id_pick" not in resolved
    assert resolved["topic"] == "land"
    assert because == {"authority_id": "several_match"}
    assert len(candidates["authority_id"]) == pickers.CANDIDATES


# --- a page names what it shows: one read by id per kind ------------------------------------

class Service:
    """An RPC proxy that records each call and answers from ``answers[method](*args)``."""

    def __init__(self, calls, name, **answers):
        self.calls, self.name, self.answers = calls, name, answers

    def __getattr__(self, method):
        def call(*args):
            self.calls.append((f"{self.name}.{method}", args[0] if args else None))
            return self.answers[method](*args)
        return call


def names(key, ids, prefix):
    return [{key: i, "name": f"{prefix} {i}"} for i in ids]


def view_of():
    return SimpleNamespace(principal={"user_id": "admin"}, language="vi",
                           request=SimpleNamespace(environ={QUERY: {}}),
                           render=lambda template, status=200, **context: context)


def test_the_routing_rules_page_names_its_units_and_authorities_in_one_read_each():
    rules = [{"rule_id": f"r{n}", "topic": "land", "unit_id": f"px-{n:03}",
              "authority_id": f"ubnd-{n % 3}", "urgency": None, "effective_from": None,
              "effective_to": None} for n in range(60)]
    calls = []
    api = object.__new__(RegistryPagesApi)
    api.escalations = Service(calls, "escalations", list_routing_rules=lambda q: {
        "routing_rules": rules, "next_cursor": None}, authority_names=lambda q: {
        "authorities": [{"authority_id": i, "name": f"UBND {i}"} for i in q["authority_ids"]]})
    api.assignments = Service(calls, "assignments", list_levels=lambda: {"levels": []},
                              unit_names=lambda q: {"units": names("unit_id", q["unit_ids"],
                                                                   "Chi bộ")})
    page = api._rules_view(view_of())
    called = [method for method, _ in calls]
    assert sorted(called) == ["assignments.list_levels", "assignments.unit_names",
                              "escalations.authority_names", "escalations.list_routing_rules"]
    asked = dict(calls)
    assert asked["assignments.unit_names"]["unit_ids"] == [f"px-{n:03}" for n in range(60)]
    assert asked["escalations.authority_names"]["authority_ids"] == ["ubnd-0", "ubnd-1",
                                                                     "ubnd-2"]
    assert page["found"][0]["unit_name"] == "Chi bộ px-000"
    assert page["found"][0]["authority_name"] == "UBND ubnd-0"


def test_a_users_page_names_its_scope_and_who_changed_it_in_one_read_each():
    calls = []
    api = object.__new__(UsersPagesApi)
    user = {"user_id": "u-officer", "username": "officer", "role": "authority_officer",
            "authority_id": "ubnd-9", "cadre_id": None}
    changes = [{"actor": f"u-{n}", "event_type": "user_role_changed"} for n in range(30)]
    api.accounts = Service(calls, "accounts", get_user=lambda *a: user,
                           user_names=lambda q, principal: {"users": [
                               {"user_id": i, "username": f"admin-{i}"} for i in q["user_ids"]]})
    api.monitor = Service(calls, "monitor", changes_of=lambda q, principal: {
        "changes": changes})
    api.escalations = Service(calls, "escalations", authority_names=lambda q: {
        "authorities": [{"authority_id": i, "name": "UBND xã 9"} for i in q["authority_ids"]]})
    api.assignments = Service(calls, "assignments")
    page = api._user_view(view_of(), "u-officer")
    assert [method for method, _ in calls] == [
        "accounts.get_user", "monitor.changes_of", "accounts.user_names",
        "escalations.authority_names"]  # no cadre bound: no cadre read
    assert page["scopes"] == {"ubnd-9": "UBND xã 9"}
    assert page["changes"][29]["actor_name"] == "admin-u-29"


def test_a_member_and_a_branch_typed_by_name_join_those_ticked_once():
    from services.gateway.pages import admin_forms
    form = {"working_group_id": "to-1", "name": "Tổ 1", "formed_by_unit_id": "bx",
            "starts_on": "2026-12-01", "member.binh": "yes", "member_add": "an",
            "branch.np": "yes", "branch_add": "np"}
    body, refused = admin_forms.group_to_form(form)
    assert refused == {} and body["member_cadre_ids"] == ["binh", "an"]
    assert body["unit_ids"] == ["np"]  # already ticked: once
    changes, _ = admin_forms.group_change({**form, "member_add": ""}, {
        "name": "Tổ 1", "member_cadre_ids": ["binh"], "unit_ids": [], "ends_on": None})
    assert changes == {"unit_ids": ["np"]}


def test_a_units_suggestions_say_where_each_sits_read_in_one_search_and_one_names_call():
    calls = []
    api = object.__new__(RegistryPagesApi)
    branches = [{"unit_id": f"park.px-{n}", "name": f"Chi bộ phân xưởng {n}",
                 "parent_id": "park"} for n in (510, 511)]
    api.assignments = Service(
        calls, "assignments", list_units=lambda q: {"units": branches, "next_cursor": None},
        unit_names=lambda q: {"units": names("unit_id", q["unit_ids"], "Đảng bộ")})
    found = api._search_records("units", "phan xuong 51", pickers.CANDIDATES + 1)
    assert found[0] == ("park.px-510", "Chi bộ phân xưởng 510 — Đảng bộ park",
                        "Chi bộ phân xưởng 510")
    assert calls == [("assignments.list_units", {"q": "phan xuong 51", "limit": 11}),
                     ("assignments.unit_names", {"unit_ids": ["park"]})]


def statistics_api(calls, authorities):
    from services.gateway.pages.admin import AdminPagesApi
    api = object.__new__(AdminPagesApi)
    api.escalations = Service(
        calls, "escalations",
        list_authorities=lambda q: {"authorities": authorities[:q["limit"]]},
        authority_names=lambda q: {"authorities": [
            a for a in authorities if a["authority_id"] in q["authority_ids"]]},
        search_authorities=lambda q: {"authorities": [
            a for a in authorities if folding.matches(q["q"], a["name"])][:q["limit"]]},
        statistics=lambda q, principal: {**q, "rows": []})
    return api


def test_the_statistics_page_finds_any_authority_by_name_never_listing_the_first_500():
    authorities = [{"authority_id": f"ubnd-{n:03}", "name": f"UBND xã số {n:03}"}
                   for n in range(520)]
    calls = []
    view = view_of()
    view.request.environ[QUERY] = {"authority_id": "ubnd xa so 517"}
    page = statistics_api(calls, authorities)._statistics_view(view)
    assert page["authority_id"] == "ubnd-517" and page["picker"]["name"] == "UBND xã số 517"
    assert ("escalations.statistics", {"authority_id": "ubnd-517", **page["period"]}) in calls
    assert "escalations.list_authorities" not in [method for method, _ in calls]
    # nothing asked: the first in code order, one read of one
    calls.clear()
    view.request.environ[QUERY] = {}
    page = statistics_api(calls, authorities)._statistics_view(view)
    assert page["authority_id"] == "ubnd-000"
    assert ("escalations.list_authorities", {"limit": 1}) in calls
    # several named: the choices beside the field, no figures read
    calls.clear()
    view.request.environ[QUERY] = {"authority_id": "ubnd xa so 51"}
    page = statistics_api(calls, authorities)._statistics_view(view)
    assert page["statistics"] is None and page["picker"]["status"] == 422
    assert len(page["picker"]["values"][pickers.CANDIDATES_KEY]["authority_id"]) == 10
    assert "escalations.statistics" not in [method for method, _ in calls]


def test_a_case_is_redirected_to_an_authority_typed_by_name_or_refused_with_the_choices():
    from services.gateway.pages import officer_desk
    authorities = [{"authority_id": f"ubnd-{n:03}", "name": f"UBND xã số {n:03}"}
                   for n in range(520)]
    calls = []
    api = statistics_api(calls, authorities)
    form, refused = officer_desk.redirect_target(api, view_of(), {
        "authority_id": "ubnd xa so 519", "reason": "Không thuộc thẩm quyền xã"})
    assert refused is None and form == {"authority_id": "ubnd-519",
                                        "reason": "Không thuộc thẩm quyền xã"}
    form, (errors, values) = officer_desk.redirect_target(api, view_of(), {
        "authority_id": "UBND", "reason": "x"})
    assert form is None and errors["authority_id"].startswith("Nhiều mục khớp")
    assert values["reason"] == "x"  # what was typed comes back
    assert len(values[pickers.CANDIDATES_KEY]["authority_id"]) == pickers.CANDIDATES
    assert "escalations.list_authorities" not in [method for method, _ in calls]


def test_a_branch_brief_names_the_authorities_holding_its_concerns_by_id_at_any_number():
    from services.gateway.pages.cadre import CadrePagesApi
    holders = [f"ubnd-{n:03}" for n in range(250)]
    brief = {"answers_to_read_out": [{"holder_authority_id": holders[0]}],
             "overdue": [{"holder_authority_id": None}],
             "open_concerns": [{"holder_authority_id": h} for h in holders]}
    calls = []
    api = object.__new__(CadrePagesApi)
    api.escalations = Service(calls, "escalations", authority_names=lambda q: {
        "authorities": [{"authority_id": i, "name": f"UBND {i}"} for i in q["authority_ids"]]})
    names = api._authority_names(brief)
    assert names["ubnd-249"] == "UBND ubnd-249" and len(names) == 250
    assert [len(query["authority_ids"]) for _, query in calls] == [200, 50]
    assert api._authority_names({"open_concerns": []}) == {} and len(calls) == 2


def test_the_working_groups_page_searches_every_group_not_the_first_500():
    from services.gateway.pages.admin_groups import GroupsPagesApi
    groups = [{"working_group_id": f"to-{n:04}", "name": f"Tổ công tác {n:04}",
               "formed_by_unit_id": "bx", "member_cadre_ids": [], "unit_ids": []}
              for n in range(1200)]

    def pages(query):
        after = [g for g in groups if g["working_group_id"] > query.get("cursor", "")]
        more = len(after) > query["limit"]
        return {"working_groups": after[:query["limit"]],
                "next_cursor": after[query["limit"] - 1]["working_group_id"] if more else None}
    calls = []
    api = object.__new__(GroupsPagesApi)
    api.assignments = Service(calls, "assignments", list_working_groups=pages,
                              unit_names=lambda q: {"units": []},
                              cadre_names=lambda q: {"cadres": []})
    view = view_of()
    view.request.environ[QUERY] = {"q": "to cong tac 1117"}
    page = api._groups_view(view)
    assert [g["working_group_id"] for g in page["found"]] == ["to-1117"]
    assert [q.get("cursor") for m, q in calls if m.endswith("list_working_groups")] == [
        None, "to-0499", "to-0999"]
