"""A case's timeline reads as sentences — who did what, and why — from the catalogue: the
lines the case state machine and the router really write, shown as the escalations service
dumps them (with each line's authority named), never a raw action code, slug or English."""
import datetime as dt
import re
from types import SimpleNamespace

from services.escalations import case_clock, case_life, cases
from services.gateway.pages import render
from services.gateway.pages.timeline import sentences
from shared.contracts.rpc.cases import CaseWithTimeline
from tests.unit.test_case_life import AT, POLICY, act, case_in

NAMES = {"ubnd-xa-tam-hop": "UBND xã Tam Hợp", "ubnd-huyen-binh-xuyen": "UBND huyện Bình Xuyên"}
# a slug, an action code or an English word of the old timeline
RAW = re.compile(r"infrastructure|tam-hop|reject_answer|accept_answer|request_information|"
                 r"routing rule|members|deadline|satisfied|\bcase\b")


def dumped(entries):
    """The timeline as the gateway receives it: named by the service, through the contract."""
    case = cases.shown({**case_in("routed"), "timeline": entries}, AT, NAMES)
    return CaseWithTimeline().dump(case)["timeline"]


def routed_line():
    concern = {"concern_id": "c1", "unit_id": "thon-noi-phat", "unit_path": [],
               "topic": "infrastructure", "summary": "Đường thôn", "raised_by": "resident",
               "raised_on": dt.date(2026, 11, 20)}
    rule = SimpleNamespace(rule_id="infrastructure-tam-hop", authority_id="ubnd-xa-tam-hop")
    case, _ = cases.new_case(concern, "e1", rule, None, POLICY, AT)
    return case["timeline"][0]


def test_each_line_says_who_did_what_and_why_in_vietnamese():
    asked = act(case_in("acknowledged"), "request_information",
                question="Đoạn đường nào bị hỏng?").entry
    rejected = act(case_in("answered"), "reject_answer").entry
    reminded = case_clock.note_deadline_near(case_in("acknowledged"), AT, POLICY).entry
    escalated = case_life.apply_action(
        case_in("routed"), "escalate", cases.SYSTEM_ACTOR, AT, POLICY,
        parent_authority_id="ubnd-huyen-binh-xuyen", reason="passed",
        because=case_clock.breach_because(case_in("routed"))).entry
    lines = sentences(dumped([routed_line(), asked, rejected, reminded, escalated]), "vi")
    assert [(line["sentence"], line["quoted"]) for line in lines] == [
        ("Hệ thống chuyển ý kiến đến UBND xã Tam Hợp, theo quy tắc chuyển ý kiến lĩnh vực Hạ tầng",
         None),
        ("Cán bộ UBND xã Tam Hợp đề nghị bổ sung thông tin", "Đoạn đường nào bị hỏng?"),
        ("Đảng viên chưa hài lòng với trả lời; vụ việc được mở lại tại UBND xã Tam Hợp, khi "
         "nghe đọc trả lời tại buổi sinh hoạt ngày 18/12/2026", "Đường vẫn chưa sửa"),
        ("Hệ thống nhắc hạn cho UBND xã Tam Hợp, vì sắp đến hạn trả lời (16/12/2026)", None),
        ("Hệ thống chuyển vụ việc lên cấp trên là UBND huyện Bình Xuyên, vì đã quá hạn tiếp "
         "nhận (30/11/2026)", None),
    ]
    for line in lines:
        assert not RAW.search(line["sentence"]), line


def test_the_case_page_shows_the_sentences_not_the_codes():
    timeline = dumped([routed_line(), act(case_in("answered"), "reject_answer").entry])
    html = render.render("_timeline.html", "vi", case={"timeline": timeline})
    assert "theo quy tắc chuyển ý kiến lĩnh vực Hạ tầng" in html
    assert "vụ việc được mở lại tại UBND xã Tam Hợp" in html
    assert "<q>Đường vẫn chưa sửa</q>" in html
    assert not RAW.search(html), html
    english = render.render("_timeline.html", "en", case={"timeline": timeline})
    assert "The members were not satisfied with the answer" in english


def test_a_line_from_before_the_sentences_or_an_action_newer_than_the_catalogue_still_reads():
    old = {"at": AT, "user_id": "officer-1", "role": "authority_officer", "action": "answer",
           "to_state": "answered", "why": None, "authority_id": "ubnd-xa-tam-hop"}
    newer = {**old, "action": "summon", "to_state": "summoned"}
    lines = sentences(dumped([old, newer]), "vi")
    # the first line has no holder before it: the officer is named by role
    assert lines[0] == {"at": lines[0]["at"], "sentence": "Cán bộ cơ quan trả lời",
                        "quoted": None}
    assert lines[1]["sentence"] == "Cán bộ UBND xã Tam Hợp: summon → summoned"


def test_a_line_stored_before_its_reason_had_a_code_does_not_quote_the_systems_english():
    stored = {"at": AT, "user_id": "system", "role": "system", "action": "route",
              "to_state": "routed", "why": "routing rule infrastructure-tam-hop",
              "authority_id": "ubnd-xa-tam-hop"}
    withdrawn = {**stored, "action": "withdraw", "to_state": "withdrawn",
                 "why": "Chi bộ đã tự giải quyết"}
    lines = sentences(dumped([stored, withdrawn]), "vi")
    assert lines[0] == {"at": lines[0]["at"], "quoted": None,
                        "sentence": "Hệ thống chuyển ý kiến đến UBND xã Tam Hợp"}
    assert lines[1]["quoted"] == "Chi bộ đã tự giải quyết"  # the branch's own words


def test_an_escalation_without_a_reason_is_told_in_words_on_the_page_and_in_the_mail():
    from services.escalations.acting import ESCALATED_BY_HOLDER
    from services.notifications.messages import escalation_reason
    because = {"code": "escalated_by_holder"}
    line = act(case_in("acknowledged"), "escalate", reason=ESCALATED_BY_HOLDER,
               parent_authority_id="ubnd-huyen-binh-xuyen", because=because).entry
    [shown] = sentences(dumped([line]), "vi")
    assert shown == {"at": shown["at"], "quoted": None,
                     "sentence": "Cán bộ cơ quan chuyển vụ việc lên cấp trên là UBND huyện Bình "
                                 "Xuyên, theo đề nghị của cơ quan đang giải quyết"}
    assert escalation_reason(ESCALATED_BY_HOLDER, because) == (
        "cơ quan đang giải quyết đề nghị chuyển lên cấp trên")
