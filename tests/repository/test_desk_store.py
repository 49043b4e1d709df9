"""The authority's desk in the escalations store, on every backend (issue 24): who the
authority's officers are, learned from accounts' events; the inbox searched by the words of a
summary or a case's code; every branch the authority's cases came from, not one page's."""
import datetime as dt

from services.escalations import cases, officers, queries, store
from shared import contracts
from shared.contracts import parse_event
from tests.repository.test_inbox_counts import create_indexes

DAY = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
QUERY = {"status": None, "topic": None, "unit_id": None, "limit": 50, "cursor": None}


def learn(db, event_type, payload):
    officers.learn(db, parse_event(event_type.new(payload)))


def test_the_officers_of_an_authority_follow_accounts_events_once_each(database):
    create_indexes(database)
    hung = {"user_id": "u-hung", "username": "hung", "display_name": "Nguyễn Văn Hùng",
            "role": "authority_officer", "cadre_id": None, "authority_id": "ubnd-th"}
    learn(database, contracts.USER_CREATED, hung)
    learn(database, contracts.USER_CREATED, {**hung, "user_id": "u-an", "display_name": "Lê An"})
    learn(database, contracts.USER_CREATED, {**hung, "user_id": "u-binh", "role": "cadre",
                                             "cadre_id": "b", "authority_id": None,
                                             "display_name": "Bình"})
    assert [o["display_name"] for o in store.officers_of(database, "ubnd-th")] == [
        "Lê An", "Nguyễn Văn Hùng"]
    learn(database, contracts.USER_DISABLED, {"user_id": "u-an"})
    learn(database, contracts.USER_CREATED, {**hung, "user_id": "u-an", "display_name": "Lê An"})
    learn(database, contracts.USER_ROLE_CHANGED, {"user_id": "u-hung", "role": "authority_officer",
                                                  "authority_id": "ubnd-bx",
                                                  "authority_head": True})
    # disabled stays disabled though user_created came again; Hùng moved to the district
    assert store.officers_of(database, "ubnd-th") == []
    moved = store.find_officer(database, "u-hung")
    assert (moved["authority_id"], moved["authority_head"]) == ("ubnd-bx", True)


def _case(i, summary, unit_path):
    return {"_id": f"{i:032x}", "concern_id": f"k{i}", "authority_id": "a", "status": "routed",
            "topic": "land", "unit_id": unit_path[-1], "unit_path": unit_path,
            "summary": summary, "search": cases.summary_search(summary),
            "due_sort": DAY, "routed_at": DAY + dt.timedelta(minutes=i)}


def test_the_inbox_finds_cases_by_words_of_their_summary_or_by_code(database):
    create_indexes(database)
    for i, summary in enumerate(["Đường thôn Nội Phật xuống cấp", "Mương thoát nước tắc",
                                 "Đường liên xã hỏng"]):
        database.cases.insert_one(_case(i, summary, ["vp", "vp.th"]))

    def found(text):
        page = store.inbox_page(database, "a", "holding", {**QUERY, **queries.searched(text)})
        return sorted(case["summary"] for case in page["items"])

    assert found("duong") == ["Đường liên xã hỏng", "Đường thôn Nội Phật xuống cấp"]
    assert found("ĐƯỜNG th") == ["Đường thôn Nội Phật xuống cấp"]
    assert found("muong tac") == ["Mương thoát nước tắc"]
    assert found("cầu") == []
    assert found(f"{1:032x}") == ["Mương thoát nước tắc"]
    assert cases.summary_search("x " * 500)["words"] == ["x"]
    assert len(cases.summary_search(" ".join(f"w{i}" for i in range(500)))["words"]) == \
        cases.SEARCHED_WORDS


def test_every_branch_the_authoritys_cases_came_from_is_listed(database):
    create_indexes(database)
    paths = [["vp", "vp.th", f"vp.th.b{i % 7}"] for i in range(70)]
    for i, path in enumerate(paths):
        case = _case(i, "x", path)
        assert store.open_case(database, case, contracts.CASE_ROUTED.new({
            "case_id": case["_id"], "concern_id": case["concern_id"], "authority_id": "a",
            "rule_id": "r", "acknowledge_by": dt.date(2026, 12, 4)}))
    assert store.units_of(database, "a") == [("vp.th", False)] + [
        (f"vp.th.b{i}", True) for i in range(7)]
    assert store.units_of(database, "someone-else") == []
