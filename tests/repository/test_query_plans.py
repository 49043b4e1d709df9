"""Every query the services make is answered from an index: the services run in containers on
the test RabbitMQ with the embedded store recording its statements, and SQLite's plan of each
statement must not scan a table (but walk the ``_id`` index, for a list in ``_id`` order), nor
sort or match row by row in Python what grows with use. No table is excepted."""
import datetime as dt
import re
import sqlite3

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from docstore import DocStoreClient, recording
from services.assignments.service import AssignmentsService
from services.escalations.service import EscalationsService
from services.monitor.service import MonitorService
from services.visits.service import VisitsService
from shared import contracts
from tests.interface.helpers import wait_for

GROWING = {"visits", "cases", "audit_trail", "processed_events", "dead_letter_actions",
           "alerts", "concern_cases", "attendances", "personal_data_reads"}

TREE = [
    {"unit_id": "vp", "name": "Tỉnh ủy Vĩnh Phúc", "level": "province"},
    {"unit_id": "vp.bx", "name": "Huyện ủy Bình Xuyên", "level": "district", "parent_id": "vp"},
    {"unit_id": "vp.bx.th", "name": "Đảng bộ xã Tam Hợp", "level": "grassroots",
     "parent_id": "vp.bx"},
    {"unit_id": "vp.bx.th.np", "name": "Chi bộ thôn Nội Phật", "level": "branch",
     "kind": "residential", "parent_id": "vp.bx.th"},
]


CADRE = {"user_id": "u-binh", "role": "cadre", "cadre_id": "tran-thi-binh"}
OFFICER = {"user_id": "u-th", "role": "authority_officer", "authority_id": "ubnd-th"}
HEAD = {**OFFICER, "user_id": "u-th-head", "authority_head": True}
# every read acts for a signed-in user: no caller is trusted for having no principal
OPERATOR = {"user_id": "u-operator", "role": "operator"}
ADMIN = {"user_id": "u-admin", "role": "administrator"}


def visit(**overrides):
    return {
        "submission_id": contracts.new_id(), "unit_id": "vp.bx.th.np",
        "meeting_date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
        "meeting_kind": "regular", "attendance": {"present": 27, "expected": 31},
        "assessment": {"leadership": 4, "education": 4, "combativeness": 3},
        "concerns": [{"topic": "infrastructure", "raised_by": "resident",
                      "summary": "Đường thôn xuống cấp"},
                     {"topic": "infrastructure", "raised_by": "party_member",
                      "summary": "Mương thoát nước tắc"},
                     {"topic": "land", "raised_by": "resident", "summary": "Ranh giới đất"},
                     {"topic": "land", "raised_by": "resident", "summary": "Sổ đỏ chậm"}],
        **overrides,
    }


def exercise_every_service(container_factory, config):
    config = {**config, "RETENTION_SWEEP_SECONDS": 0.1}  # the retention sweep's query too
    for service in (AssignmentsService, VisitsService, EscalationsService, MonitorService):
        container_factory(service, config).start()
    with ServiceRpcProxy("assignments", config, timeout=15) as assignments, \
            ServiceRpcProxy("visits", config, timeout=15) as visits, \
            ServiceRpcProxy("escalations", config, timeout=15) as escalations, \
            ServiceRpcProxy("monitor", config, timeout=15) as monitor:
        for unit in TREE:
            assignments.register_unit(unit)
        assignments.register_unit(TREE[0])  # a re-run import
        assignments.register_cadre({"cadre_id": "tran-thi-binh", "full_name": "Trần Thị Bình",
                                    "home_unit_id": "vp",
                                    "positions": ["province_committee_member"]})
        assignments.assign_cadre({"cadre_id": "tran-thi-binh", "unit_id": "vp.bx.th.np",
                                  "starts_on": (dt.date.today() - dt.timedelta(days=30))
                                  .isoformat()})
        assignments.get_unit("vp.bx")
        every_page(assignments.list_units, "units")
        assignments.list_assignments("tran-thi-binh")
        escalations.register_authority({"authority_id": "ubnd-th", "name": "UBND xã Tam Hợp",
                                        "kind": "peoples_committee", "level": "grassroots",
                                        "unit_id": "vp.bx.th"})
        escalations.add_routing_rule({"rule_id": "infra-th", "topic": "infrastructure",
                                      "unit_id": "vp.bx.th", "authority_id": "ubnd-th"})
        every_page(escalations.list_authorities, "authorities")
        every_page(escalations.list_routing_rules, "routing_rules")
        wait_for(lambda: _known(visits, "vp.bx.th.np"), what="visits learning the units")
        wait_for(lambda: visits.knows_assignment("tran-thi-binh", "vp.bx.th.np"),
                 what="visits learning the assignment")
        body = visit()
        logged = visits.log_visit(body, CADRE)
        assert visits.log_visit(body, CADRE)["replayed"] is True
        visits.get_visit(logged["visit_id"], CADRE)
        concern_id = logged["concerns"][0]["concern_id"]
        visits.get_concern(concern_id, CADRE)
        for concern in logged["concerns"]:
            wait_for(lambda: _has_case(escalations, concern["concern_id"]),
                     what="the concern's case")
        case = escalations.get_case_for_concern(concern_id, CADRE)
        escalations.get_case(case["case_id"], OFFICER)
        escalations.act_on_case(case["case_id"], "acknowledge", {}, OFFICER)
        exercise_similar_cases(visits, escalations, case)
        for query in ({"status": "routed"}, {}, {"topic": "infrastructure"},
                      {"unit_id": "vp.bx.th"}, {"status": "acknowledged", "unit_id": "vp.bx"},
                      {"view": "escalated_past"},
                      {"view": "escalated_past", "status": "routed"}, {"view": "named"},
                      # the inbox's text search: each word a range of the multikey index
                      {"q": "duong thon"}, {"q": case["case_id"]},
                      # "sắp quá hạn": half the time gone, walked in the inbox's order
                      {"due": "at_risk"}, {"due": "at_risk", "status": "routed"}):
            every_page(escalations.inbox, "cases", {"authority_id": "ubnd-th", **query},
                       OFFICER)
        # the head lists the confidential cases too (no filter), an officer those named on
        every_page(escalations.inbox, "cases", {"authority_id": "ubnd-th"}, HEAD)
        # the desk: the officers a head assigns to, reply templates changed and deleted
        escalations.list_officers({"authority_id": "ubnd-th"}, HEAD)
        template = escalations.add_reply_template({
            "authority_id": "ubnd-th", "kind": "answer", "topic": "*", "title": "Mẫu",
            "text": "Đã xử lý."}, OFFICER)
        escalations.change_reply_template(template["template_id"], {"title": "Mẫu mới"}, OFFICER)
        escalations.list_reply_templates({"authority_id": "ubnd-th", "topic": "land"}, OFFICER)
        escalations.delete_reply_template(template["template_id"], OFFICER)
        every_page(escalations.list_unrouted, "cases", {}, ADMIN)
        exercise_tiers_and_calendar(escalations, case)
        exercise_visits_that_close_the_loop(visits, logged, case)
        escalations.statistics({"authority_id": "ubnd-th",
                                "period_from": dt.date.today().isoformat(),
                                "period_to": (dt.date.today() + dt.timedelta(days=1))
                                .isoformat()}, OFFICER)
        exercise_the_registry(assignments, escalations)
        wait_for(lambda: monitor.recent_events({"limit": 50}, OPERATOR)["events"],
                 what="audited events")
        every_page(monitor.recent_events, "events", None, OPERATOR)
        wait_for(lambda: _traced(monitor, concern_id), what="the concern's trace")
        every_page(monitor.dead_letter_actions, "actions", None, OPERATOR)
        # who changed what, per record (the administration pages' change log)
        wait_for(lambda: monitor.changes_of({"entity_id": "vp.bx.th.np"}, ADMIN)["changes"],
                 what="a unit's changes")
        every_page(monitor.changes_of, "changes", {"entity_id": "vp.bx.th.np"}, ADMIN)
        exercise_the_personal_data_log(assignments, monitor)
        monitor.list_alerts({"state": "all"}, OPERATOR)
        monitor.list_alerts({}, OPERATOR)
        # what the operations port and the gauges count
        from services.escalations.metrics import case_figures
        assert case_figures(_escalations_db(config))[("sausat_cases", "acknowledged")] == 1
        for proxy in (assignments, visits, escalations, monitor):
            proxy.health()


def exercise_similar_cases(visits, escalations, case):
    """The visit form's similar open cases, and a concern attached to one (issue 25): its
    case's life followed by each concern that raised it."""
    escalations.similar_cases({"unit_id": "vp.bx.th.np", "unit_path": [u["unit_id"] for u in TREE],
                               "topic": "infrastructure"}, CADRE)
    joined = visits.log_visit(visit(meeting_date=(dt.date.today() - dt.timedelta(days=1))
                                    .isoformat(),
                                    concerns=[{"topic": "infrastructure", "raised_by": "resident",
                                               "summary": "Đường thôn", "joins_case_id":
                                               case["case_id"]}]), CADRE)
    wait_for(lambda: escalations.get_case(case["case_id"], OFFICER)["raisings"],
             what="the concern joining the case")  # raised again at the same branch
    escalations.get_case_for_concern(joined["concerns"][0]["concern_id"], CADRE)


def exercise_the_personal_data_log(assignments, monitor):
    """Reads of cadres' contacts, then the log by reader, by record and by period."""
    assignments.register_cadre({"cadre_id": "le-van-cuong", "full_name": "Lê Văn Cường",
                                "home_unit_id": "vp", "email": "cuong@example.vn",
                                "positions": ["province_committee_member"]})
    for _ in range(2):
        assignments.get_cadre("le-van-cuong", OFFICER)
    wait_for(lambda: len(monitor.personal_data_reads({}, ADMIN)["reads"]) == 2,
             what="the reads recorded")
    today = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0)
    period = {"from": today.isoformat(), "to": (today + dt.timedelta(days=1)).isoformat()}
    for query in ({}, {"user_id": "u-th"}, {"record_id": "le-van-cuong"}, period,
                  {"user_id": "u-th", **period}, {"record_id": "le-van-cuong", **period}):
        assert every_page(monitor.personal_data_reads, "reads", query, ADMIN) == 2


def exercise_tiers_and_calendar(escalations, case):
    """A tier changed; the calendar read and edited, nationally and for one authority (each
    edit reads the open cases it may move)."""
    escalations.change_case_tier(case["case_id"], {"tier": "complex", "reason": "Khảo sát"},
                                 OFFICER)
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    for authority_id in (None, "ubnd-th"):
        escalations.add_calendar_entry({"day": day, "kind": "day_off", "reason": "Nghỉ bù",
                                        "authority_id": authority_id}, ADMIN)
        escalations.working_calendar({"authority_id": authority_id} if authority_id else {},
                                     ADMIN)
        escalations.remove_calendar_entry({"day": day, "authority_id": authority_id}, ADMIN)
    escalations.set_office_hours("ubnd-th", {"sessions": [["07:00", "11:00"],
                                                          ["13:30", "17:00"]],
                                             "reason": "Giờ mùa hè"}, ADMIN)


def exercise_the_registry(assignments, escalations):
    """Reorganisation, as_of reads, search, ends and hand-overs (after the visit was logged)."""
    assignments.register_unit({"unit_id": "vp.bx.th.yl", "name": "Chi bộ thôn Yên Lan",
                               "level": "branch", "parent_id": "vp.bx.th"})
    assignments.reorganise({"operation_id": "bx-gone", "kind": "merge",
                            "effective_on": "2025-07-01", "unit_ids": ["vp.bx"],
                            "into": {"unit_id": "vp"}})
    assignments.get_unit("vp.bx.th.np", "2025-06-30")
    every_page(assignments.list_units, "units", {"as_of": "2025-06-30"})
    every_page(assignments.list_reorganisations, "reorganisations")
    assignments.search({"q": "noi phat", "as_of": "2025-06-30"})
    assignments.list_unit_assignments("vp.bx.th.np", dt.date.today().isoformat())
    mine = assignments.list_assignments("tran-thi-binh")[0]
    assignments.end_assignment(mine["assignment_id"], {"ends_on": dt.date.today().isoformat(),
                                                       "reason": "nghỉ hưu"})
    escalations.search_authorities({"q": "ubnd tam hop"})
    every_page(escalations.list_authorities, "authorities", {"as_of": "2025-07-01"})
    every_page(escalations.list_routing_rules, "routing_rules", {"as_of": "2025-07-01"})
    escalations.change_routing_rule("infra-th", {"authority_id": "ubnd-th",
                                                 "changed_on": "2027-01-01",
                                                 "new_rule_id": "infra-th-2027"})
def exercise_visits_that_close_the_loop(visits, logged, case):
    """The brief, the lists, the meeting record, amendments and versions (issue 8)."""
    admin = {"user_id": "u-admin", "role": "administrator"}
    wait_for(lambda: visits.branch_brief("vp.bx.th.np", {}, CADRE)["open_concerns"][0]["case_id"],
             what="the case in the brief")
    every_page(lambda q, *a: visits.branch_brief("vp.bx.th.np", q, *a), "open_concerns",
               {}, CADRE)
    for query in ({}, {"unit_id": "vp.bx.th.np"},
                  {"period_from": "2026-01-01", "period_to": "2026-12-31"}):
        every_page(visits.list_visits, "visits", query, CADRE)
        every_page(visits.list_visits, "visits", query, admin)
    every_page(visits.unscheduled_visits, "visits", {}, admin)
    every_page(visits.unscheduled_visits, "visits", {"unit_id": "vp.bx.th.np"}, admin)
    visits.meeting_record("vp.bx.th.np", {"year": dt.date.today().year}, CADRE)
    amended = visits.amend_visit(logged["visit_id"], {
        "submission_id": contracts.new_id(),
        "concerns": [{"concern_id": c["concern_id"]} for c in logged["concerns"]],
        "withdrawals": [{"concern_id": logged["concerns"][-1]["concern_id"], "reason": "r"}]},
        CADRE)
    visits.get_visit_version(logged["visit_id"], amended["version"] - 1, CADRE)


def every_page(method, items, query=None, *args):
    """Read a list a page of one item at a time (the cursor's query too), to its end."""
    query, seen = {**(query or {}), "limit": 1}, 0
    while True:
        page = method(query, *args)
        seen += len(page[items])
        if page["next_cursor"] is None:
            return seen
        query["cursor"] = page["next_cursor"]


def _known(visits, unit_id):
    try:
        return visits.get_unit(unit_id)
    except Exception:
        return None


def _traced(monitor, concern_id):
    try:
        return monitor.trace(concern_id, OPERATOR)["steps"]
    except Exception:
        return None


def _escalations_db(config):
    client = DocStoreClient(config["STORE_URI"][len("embedded:"):])
    return client["escalations"]


def _has_case(escalations, concern_id):
    try:
        return escalations.get_case_for_concern(concern_id, CADRE)
    except Exception:
        return None


def plan(path, sql, params):
    connection = sqlite3.connect(path)
    connection.create_function("ds_match", 2, lambda doc, node: 0)
    try:
        return [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, params)]
    finally:
        connection.close()


def table_exists(path, table):
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  (table,)).fetchone() is not None
    finally:
        connection.close()


def full_scans(sql, steps):
    """The tables a plan reads whole: a SCAN with no index, or an index walked with no LIMIT
    (but the ``_id`` index walked in order: a list in ``_id`` order is that index's walk)."""
    scanned = []
    for step in steps:
        found = re.match(r"SCAN (\w+)(.*)", step)
        if found and not found.group(1).startswith("json_each"):
            if "USING" not in found.group(2) or (
                    " LIMIT " not in sql and not walks_the_id_index(sql, step)):
                scanned.append(found.group(1))
    return scanned


def walks_the_id_index(sql, step):
    """The plan walks the table's ``_id`` index (SQLite's index of its UNIQUE id column) in
    ``_id`` order, with no other condition and no sort of its own."""
    table = table_of(sql)
    return (re.fullmatch(rf"SCAN {table} USING (COVERING )?INDEX sqlite_autoindex_{table}_1",
                         step) is not None
            and re.search(r" WHERE 1 ORDER BY id(?: DESC)?$", sql) is not None)


def sorts_apart(steps):
    """Whether the rows are sorted after being found (a cost that grows with the matches)."""
    return any("USE TEMP B-TREE" in step for step in steps)


def table_of(sql):
    return re.search(r'(?:FROM|UPDATE) "?(\w+)', sql).group(1)


@pytest.fixture
def statements(container_factory, config):
    with recording() as recorded:
        exercise_every_service(container_factory, config)
    return recorded


def one_row_by_id(steps):
    return len(steps) == 1 and re.fullmatch(r"SEARCH \w+ USING INDEX sqlite_autoindex_\w+_1 "
                                            r"\(id=\?\)", steps[0]) is not None


def test_every_query_the_services_make_is_answered_from_an_index(statements):
    queries = {(path, sql): params for path, sql, params in statements
               if re.match(r"\s*(SELECT|UPDATE|DELETE)", sql) and "_docstore" not in sql}
    tables = {table_of(sql) for _, sql in queries}
    assert {"visits", "cases", "audit_trail", "processed_events", "units"} <= tables
    offending = []
    for (path, sql), params in queries.items():
        table = table_of(sql)
        if not table_exists(path, table):
            continue  # a read of a collection nothing was written to yet: nothing to scan
        steps = plan(path, sql, params)
        # ds_match: a path through an array matched row by row in Python, not by an index
        # (but for the one row a document's id finds: the relay clearing an outbox it read)
        if full_scans(sql, steps) or (table in GROWING and (
                sorts_apart(steps) or ("ds_match" in sql and not one_row_by_id(steps)))):
            offending.append((sql, steps))
    assert not offending, "\n".join(f"{sql}\n    {steps}" for sql, steps in offending)


def test_the_inbox_query_walks_its_index_in_order(tmp_path):
    db = DocStoreClient(tmp_path)["escalations"]
    db.cases.create_index([("authority_id", 1), ("status", 1), ("routed_at", -1)])
    steps = db.cases.explain({"authority_id": "a", "status": "routed"},
                             sort=[("routed_at", -1)], limit=20)
    assert steps and not sorts_apart(steps), steps
    assert any("USING INDEX cases__authority_id_1_status_1_routed_at_-1" in s for s in steps)
    # and without the index, the same query would scan: the check can fail
    bare = DocStoreClient(tmp_path)["other"]
    bare.cases.insert_one({"_id": 1})
    assert full_scans("SELECT ... LIMIT 20", bare.cases.explain({"authority_id": "a"}))


def test_a_list_in_id_order_is_the_id_index_walked_and_nothing_else_is(tmp_path):
    db = DocStoreClient(tmp_path)["registry"]
    db.units.insert_one({"_id": "vp", "name": "x"})
    with recording() as statements:
        list(db.units.find({}).sort("_id", 1))
        list(db.units.find({"name": "x"}).sort("_id", 1))
    (_, whole, _), (_, filtered, params) = statements
    assert full_scans(whole, db.units.explain({}, sort=[("_id", 1)])) == []
    assert full_scans(filtered, db.units.explain({"name": "x"}, sort=[("_id", 1)])) == ["units"]
