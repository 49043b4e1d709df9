"""Every endpoint of the gateway with the status each role must get from it, against its own
and another's object: the table test_authorisation.py runs as every role. Paths and bodies are
functions of that module's ``World``, which holds the own and another's objects."""
import datetime as dt

from shared import contracts
from tests.answers import ANSWERED_BY_LETTER

# each role as the system fixture's headers name it (tests/integration/fixtures.py)
ROLES = ("anonymous", "cadre", "officer", "operator", "administrator")
NOI_PHAT = "vinh-phuc.binh-xuyen.tam-hop.noi-phat"          # binh is assigned here
HUONG_CANH_1 = "vinh-phuc.binh-xuyen.huong-canh.to-dan-pho-1"  # binh is not
OWN_AUTHORITY, OTHER_AUTHORITY = "ubnd-xa-tam-hop", "ubnd-huyen-binh-xuyen"


def visit_body(unit_id=NOI_PHAT, topic="infrastructure", **extra):
    return {"submission_id": contracts.new_id(), "unit_id": unit_id,
            "meeting_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
            "meeting_kind": "regular", "attendance": {"present": 20, "expected": 25},
            "assessment": {"leadership": 4, "education": 4, "combativeness": 4},
            "concerns": [{"topic": topic, "raised_by": "resident",
                          "summary": f"Ý kiến {contracts.new_id()}"}], **extra}


def statistics_of(authority_id):
    today = dt.date.today()
    return (f"/authorities/{authority_id}/statistics?period_from={today.isoformat()}"
            f"&period_to={(today + dt.timedelta(days=1)).isoformat()}")


def everyone(status, **exceptions):
    """Expected status per role: ``status`` for every signed-in role but the exceptions;
    anonymous always 401."""
    return {"anonymous": 401, **{role: exceptions.get(role, status) for role in ROLES[1:]}}


def n():
    return contracts.new_id()[:10]


# (name, method, path, body, expected status per role). Paths and bodies are functions of the
# world so that own and another's objects, and fresh ids for allowed writes, fit each call.
TABLE = [
    ("health", "GET", lambda w: "/health", None, {role: 200 for role in ROLES}),
    ("me", "GET", lambda w: "/me", None, everyone(200)),
    ("units", "GET", lambda w: "/units", None, everyone(200)),
    ("authorities", "GET", lambda w: "/authorities", None, everyone(200)),
    ("routing rules", "GET", lambda w: "/routing-rules", None, everyone(200)),
    ("register unit", "POST", lambda w: "/units", lambda w: {
        "unit_id": f"vinh-phuc.binh-xuyen.tam-hop.u{n()}", "name": "Chi bộ mới",
        "level": "branch", "kind": "residential", "parent_id": "vinh-phuc.binh-xuyen.tam-hop"},
     everyone(403, administrator=201)),
    ("register cadre", "POST", lambda w: "/cadres", lambda w: {
        "cadre_id": f"cadre-{n()}", "full_name": "Phạm Văn Đức", "home_unit_id": "vinh-phuc",
        "positions": ["province_committee_member"]}, everyone(403, administrator=201)),
    ("assign cadre", "POST", lambda w: "/assignments", lambda w: {
        "cadre_id": "nguyen-van-an", "unit_id": "vinh-phuc.binh-xuyen.huong-canh",
        "starts_on": "2026-01-01"}, everyone(403, administrator=201)),
    ("register authority", "POST", lambda w: "/authorities", lambda w: {
        "authority_id": f"auth-{n()}", "name": "Phòng TN-MT", "kind": "department",
        "level": "district", "unit_id": "vinh-phuc.binh-xuyen"},
     everyone(403, administrator=201)),
    ("add routing rule", "POST", lambda w: "/routing-rules", lambda w: {
        "rule_id": f"rule-{n()}", "topic": "economy", "unit_id": f"vinh-phuc.u{n()}",
        "authority_id": OTHER_AUTHORITY}, everyone(403, administrator=201)),
    ("create user", "POST", lambda w: "/users", lambda w: {
        "username": f"user-{n()}", "display_name": "Người mới", "password": "new-user-pass-1",
        "role": "operator"}, everyone(403, administrator=201)),
    ("create user of an unknown cadre", "POST", lambda w: "/users", lambda w: {
        "username": f"user-{n()}", "display_name": "Người mới", "password": "new-user-pass-1",
        "role": "cadre", "cadre_id": "no-such-cadre"}, everyone(403, administrator=400)),
    ("list users", "GET", lambda w: "/users", None, everyone(403, administrator=200)),
    ("get user", "GET", lambda w: f"/users/{w.target_user}", None,
     everyone(403, administrator=200)),
    ("change user role", "PATCH", lambda w: f"/users/{w.target_user}", lambda w: {
        "role": "authority_officer", "authority_id": OTHER_AUTHORITY},
     everyone(403, administrator=200)),
    ("reset password", "POST", lambda w: f"/users/{w.target_user}/password-reset",
     lambda w: {"new_password": f"reset-{n()}"}, everyone(403, administrator=200)),
    ("change own password, wrong current", "POST", lambda w: "/me/password", lambda w: {
        "current_password": "not-my-password", "new_password": "whatever-new-1"},
     everyone(400)),
    ("log visit where assigned", "POST", lambda w: "/visits", lambda w: visit_body(),
     everyone(403, cadre=201)),
    ("log visit where not assigned", "POST", lambda w: "/visits",
     lambda w: visit_body(unit_id=HUONG_CANH_1), everyone(403)),
    ("log visit naming a cadre", "POST", lambda w: "/visits",
     lambda w: visit_body(cadre_id="le-van-cuong"), everyone(403, cadre=400)),
    ("own visit", "GET", lambda w: f"/visits/{w.own_visit['visit_id']}", None,
     everyone(403, cadre=200)),
    ("another's visit", "GET", lambda w: f"/visits/{w.other_visit['visit_id']}", None,
     everyone(403, cadre=404)),
    ("own concern", "GET", lambda w: f"/concerns/{w.own_concern}", None,
     everyone(403, cadre=200, officer=200)),
    ("another's concern", "GET", lambda w: f"/concerns/{w.other_concern}", None,
     everyone(403, cadre=404, officer=404)),
    ("own inbox", "GET", lambda w: f"/authorities/{OWN_AUTHORITY}/inbox", None,
     everyone(403, officer=200)),
    ("another's inbox", "GET", lambda w: f"/authorities/{OTHER_AUTHORITY}/inbox", None,
     everyone(403, officer=404)),
    # binh carried the concern of the own authority's case; cuong that of the other's
    ("own authority's case", "GET", lambda w: f"/cases/{w.own_case}", None,
     everyone(403, cadre=200, officer=200)),
    ("another authority's case", "GET", lambda w: f"/cases/{w.other_case}", None,
     everyone(403, cadre=404, officer=404)),
    ("acknowledge own authority's case", "POST",
     lambda w: f"/cases/{w.case_to_acknowledge}/acknowledge", lambda w: {},
     everyone(403, officer=200)),
    ("acknowledge another authority's case", "POST",
     lambda w: f"/cases/{w.other_case}/acknowledge", lambda w: {}, everyone(403, officer=404)),
    ("answer own authority's case", "POST", lambda w: f"/cases/{w.case_to_answer}/answer",
     lambda w: {"answer": "Xã đã sửa xong", **ANSWERED_BY_LETTER}, everyone(403, officer=200)),
    ("answer another authority's case", "POST", lambda w: f"/cases/{w.other_case}/answer",
     lambda w: {"answer": "Huyện đã xử lý", **ANSWERED_BY_LETTER}, everyone(403, officer=404)),
    # only the holder's head names who reads a confidential case (no officer here heads one)
    ("name officers on own authority's case", "PUT",
     lambda w: f"/cases/{w.own_case}/named-officers", lambda w: {"user_ids": []},
     everyone(403)),
    ("name officers on another authority's case", "PUT",
     lambda w: f"/cases/{w.other_case}/named-officers", lambda w: {"user_ids": []},
     everyone(403, officer=404)),
    ("take another authority's case", "POST", lambda w: f"/cases/{w.other_case}/take",
     lambda w: {}, everyone(403, officer=404)),
    # assigning a case to a named officer: the holder's head only (no officer here heads one)
    ("assign own authority's case (not its head)", "POST",
     lambda w: f"/cases/{w.own_case}/assign", lambda w: {"user_id": w.target_user},
     everyone(403)),
    ("assign another authority's case", "POST", lambda w: f"/cases/{w.other_case}/assign",
     lambda w: {"user_id": w.target_user}, everyone(403, officer=404)),
    ("own authority's officers", "GET", lambda w: f"/authorities/{OWN_AUTHORITY}/officers",
     None, everyone(403, officer=200)),
    ("another authority's officers", "GET",
     lambda w: f"/authorities/{OTHER_AUTHORITY}/officers", None, everyone(403, officer=404)),
    ("change an own reply template", "PATCH", lambda w: f"/reply-templates/{w.own_template}",
     lambda w: {"title": f"Mẫu {n()}"}, everyone(403, officer=200)),
    ("change another's reply template", "PATCH",
     lambda w: f"/reply-templates/{w.other_template}", lambda w: {"title": "Mẫu khác"},
     everyone(403, officer=404)),
    ("delete an own reply template", "DELETE",
     lambda w: f"/reply-templates/{w.template_to_delete}", None, everyone(403, officer=200)),
    ("delete another's reply template", "DELETE",
     lambda w: f"/reply-templates/{w.other_template}", None, everyone(403, officer=404)),
    ("own reply templates", "GET", lambda w: f"/authorities/{OWN_AUTHORITY}/reply-templates",
     None, everyone(403, officer=200)),
    ("another's reply templates", "GET",
     lambda w: f"/authorities/{OTHER_AUTHORITY}/reply-templates", None,
     everyone(403, officer=404)),
    ("add an own reply template", "POST",
     lambda w: f"/authorities/{OWN_AUTHORITY}/reply-templates",
     lambda w: {"kind": "answer", "topic": "*", "title": "Đã giải quyết",
                "text": "Đơn vị đã giải quyết."}, everyone(403, officer=201)),
    ("add another's reply template", "POST",
     lambda w: f"/authorities/{OTHER_AUTHORITY}/reply-templates",
     lambda w: {"kind": "answer", "topic": "*", "title": "Đã giải quyết",
                "text": "Đơn vị đã giải quyết."}, everyone(403, officer=404)),
    # a case's severity tier: the holder's officers, with a reason (the state stays)
    ("change the tier of own authority's case", "POST", lambda w: f"/cases/{w.own_case}/tier",
     lambda w: {"tier": "complex", "reason": "Cần khảo sát thực địa"},
     everyone(403, officer=200)),
    ("change the tier of another authority's case", "POST",
     lambda w: f"/cases/{w.other_case}/tier", lambda w: {"tier": "urgent", "reason": "Gấp"},
     everyone(403, officer=404)),
    # the working calendar: administrators keep it (a far day: no open case moves)
    ("working calendar", "GET", lambda w: f"/calendar?authority_id={OWN_AUTHORITY}", None,
     everyone(403, administrator=200)),
    ("add a calendar entry", "POST", lambda w: "/calendar/entries",
     lambda w: {"day": "2031-03-04", "kind": "morning_only", "reason": f"Thông báo {n()}"},
     everyone(403, administrator=200)),
    ("remove a missing calendar entry", "DELETE", lambda w: "/calendar/entries/2031-03-05",
     None, everyone(403, administrator=404)),
    ("office hours", "PUT", lambda w: f"/authorities/{OWN_AUTHORITY}/office-hours",
     lambda w: {"sessions": [["07:30", "11:30"], ["13:00", "17:00"]],
                "reason": "Giờ hành chính"}, everyone(403, administrator=200)),
    ("unrouted cases", "GET", lambda w: "/cases/unrouted", None,
     everyone(403, officer=200, operator=200, administrator=200)),
    ("own authority's statistics", "GET", lambda w: statistics_of(OWN_AUTHORITY), None,
     everyone(403, officer=200, administrator=200)),
    ("another authority's statistics", "GET", lambda w: statistics_of(OTHER_AUTHORITY), None,
     everyone(403, officer=404, administrator=200)),
    ("queues", "GET", lambda w: "/monitor/queues", None, everyone(403, operator=200)),
    ("event metadata", "GET", lambda w: "/monitor/events", None, everyone(403, operator=200)),
    ("a concern's trace", "GET", lambda w: f"/monitor/trace/{w.own_concern}", None,
     everyone(403, operator=200)),
    ("dead letters", "GET", lambda w: "/monitor/dead-letters", None,
     everyone(403, operator=200)),
    ("replay a missing dead letter", "POST", lambda w: "/monitor/dead-letters/replay",
     lambda w: {"letter_ids": ["0" * 24], "reason": "handler fixed"},
     everyone(403, operator=404)),
    ("discard a missing dead letter", "POST", lambda w: "/monitor/dead-letters/discard",
     lambda w: {"letter_ids": ["0" * 24], "reason": "test"}, everyone(403, operator=404)),
    ("dead letter actions", "GET", lambda w: "/monitor/dead-letter-actions", None,
     everyone(403, operator=200)),
    ("alerts", "GET", lambda w: "/monitor/alerts", None, everyone(403, operator=200)),
    ("stale wait queues", "GET", lambda w: "/monitor/wait-queues", None,
     everyone(403, operator=200)),
    # addresses, and subjects that quote concerns: administrators only
    ("mail sent", "GET", lambda w: "/notifications", None, everyone(403, administrator=200)),
    # sending a failed or rejected mail again: operators and administrators (a missing one: 404)
    ("retry a missing mail", "POST", lambda w: "/notifications/no-such-mail/retry",
     lambda w: {"reason": "tên đơn vị đã sửa"}, everyone(403, operator=404, administrator=404)),
    # who read personal data, which records, when (DESIGN §6): administrators only
    ("requests from the people concerned", "GET", lambda w: "/data-subject-requests", None,
     everyone(403, administrator=200)),
    ("record a request from a person", "POST", lambda w: "/data-subject-requests",
     lambda w: {"kind": "access", "name": f"Người {n()}", "received_on": "2026-12-01"},
     everyone(403, administrator=201)),
    ("personal data reads", "GET", lambda w: "/audit/personal-data", None,
     everyone(403, administrator=200)),
    ("API description", "GET", lambda w: "/openapi.json", None, {role: 200 for role in ROLES}),
    # Party members (issue 29): the branch's cadres and administrators; another branch's
    # members answer 404 to a cadre, as for no such branch (services/members/access)
    ("own branch's members", "GET", lambda w: f"/units/{NOI_PHAT}/members", None,
     everyone(403, cadre=200, administrator=200)),
    ("another branch's members", "GET", lambda w: f"/units/{HUONG_CANH_1}/members", None,
     everyone(403, cadre=404, administrator=200)),
    ("another branch's absence flags", "GET",
     lambda w: f"/units/{HUONG_CANH_1}/absence-flags", None,
     everyone(403, cadre=404, administrator=200)),
    # a code read as a number (123 for 00123) is refused by name, nothing changed
    ("import members with a code as a number", "POST", lambda w: "/members/imports",
     lambda w: {"items": [{"member_code": 123, "organisation_code": "0101.003",
                           "full_name": "Nguyễn Văn An"}]},
     everyone(403, administrator=400)),
]
CASES = [(name, method, path, body, role, expected[role])
         for name, method, path, body, expected in TABLE for role in ROLES]
