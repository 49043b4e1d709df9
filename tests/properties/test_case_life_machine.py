"""The case state machine under any sequence of actions by any side (hypothesis stateful).

A case is raised (routed by a rule, held for triage, or held by nobody), then hypothesis
drives it with every action of ``case_life.ACTIONS`` taken by whoever: the holder's officer,
another authority's officer, the cadre who carried the concern, another cadre, an
administrator, or the system's deadline sweep, with good or broken arguments, as the clock
moves on by up to ten days a step.
Each attempt goes the way the escalations service takes it (role permission, the side's right
to act now, ``apply_action``, one conditional ``store.commit``) against a real document in the
reference store (mongomock). After every step:

- the state is one of ``STATES`` and the step was a row of ``TRANSITIONS`` (from that state,
  for that action, to one of its targets, by a side the row names);
- a refusal left the stored case exactly as it was, and the case given to ``apply_action`` is
  never modified in place;
- an action the table allows, by a side its row names, with good arguments, is accepted unless
  one of the rules beside the table refuses it (the reopen window, a redirect to the holder,
  a duplicate of itself or of a closed case, the standing committee already flagged);
- the timeline is the route followed by exactly the accepted actions (reminders included), each
  line starting where the one before ended, with one event in the outbox per line;
- the sweep looks at the case exactly while a deadline runs on it, and the answer deadline
  never moves earlier while the case stays with the same holder.
"""
import copy
import datetime as dt

import mongomock
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from services.escalations import access, case_clock, case_life, cases, store
from services.escalations.case_life import (
    ACTIONS,
    HOLDER,
    RAISER,
    STATES,
    SYSTEM,
    TRANSITIONS,
)
from services.escalations.policy import load_policy_file
from services.escalations.routing import RoutingRule
from shared.authorisation import Principal, may, require
from shared.errors import Conflict, Forbidden, InvalidInput, RuleViolated, SausatError
from tests.answers import ANSWERED_BY_LETTER
from tests.properties.profiles import examples

POLICY = load_policy_file()
VN = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN)  # a Monday
# who answers to whom: a commune's committee, its district's, the province's; and a department
PARENTS = {"ubnd-xa": "ubnd-huyen", "ubnd-huyen": "ubnd-tinh", "ubnd-tinh": None,
           "so-tai-nguyen": "ubnd-tinh"}
RAISING_USER = "u-cadre"
ACTORS = ("holder", "other_officer", "raising_cadre", "other_cadre", "administrator", "system")
GOOD_ARGS = {
    "request_information": {"question": "Đoạn đường nào?"},
    "provide_information": {"information": "Đoạn 300 m trước cổng trường"},
    "redirect": {"reason": "thuộc thẩm quyền huyện"},
    "answer": {"answer": "Đã đưa vào kế hoạch sửa chữa", **ANSWERED_BY_LETTER},
    "close": {"outcome": "resolved", "note": "Chi bộ đồng ý"},
    "reopen": {"reason": "Chưa sửa như đã hứa"},
    "escalate": {"reason": "quá hạn"},
}
# rules beside the table that may refuse an allowed action with good arguments
SIDE_RULES = {"reopen": RuleViolated, "redirect": RuleViolated, "mark_duplicate": RuleViolated,
              "answer": RuleViolated, "escalate": Conflict}


def row_for(state, action):
    return next((row for row in TRANSITIONS if row.action == action and state in row.sources),
                None)


class CaseLife(RuleBasedStateMachine):

    def __init__(self):
        super().__init__()
        self.db = mongomock.MongoClient(tz_aware=True)["cases_machine"]
        self.accepted = []
        self.refusals = []

    @initialize(routing=st.sampled_from(["rule", "triage", "nobody"]),
                holder=st.sampled_from(sorted(PARENTS)),
                urgency=st.sampled_from(["normal", "urgent"]),
                topic=st.sampled_from(["land", "public_order", "infrastructure"]),
                raised_by_user=st.sampled_from([RAISING_USER, None]))
    def raise_concern(self, routing, holder, urgency, topic, raised_by_user):
        concern = {"concern_id": "c1", "unit_id": "vp.bx.tam-hop.noi-phat",
                   "unit_path": ["vp", "vp.bx", "vp.bx.tam-hop", "vp.bx.tam-hop.noi-phat"],
                   "topic": topic, "summary": "Đường thôn xuống cấp", "raised_by": "resident",
                   "raised_on": START.date(), "urgency": urgency}
        # routed by a rule; or no rule covers it: held by the triage authority, or by nobody
        rule_ = RoutingRule("r1", topic, "vp.bx", holder) if routing == "rule" else None
        triage = holder if routing == "triage" else None
        case, event = cases.new_case(concern, "e0", rule_, triage, POLICY, START,
                                     raised_by_user=raised_by_user)
        self.db.cases.insert_one({**case, "outbox": [event]})
        self.case_id = case["_id"]
        self.at = START

    # --- reading ---------------------------------------------------------------------------

    def stored(self):
        return self.db.cases.find_one({"_id": self.case_id})

    def principal(self, actor, case):
        holder = case.get("authority_id") or "van-phong-khong-ai"
        return {
            "holder": Principal("officer-1", "authority_officer", authority_id=holder),
            "other_officer": Principal("officer-2", "authority_officer",
                                       authority_id=f"{holder}-khac"),
            "raising_cadre": Principal(RAISING_USER, "cadre", cadre_id="tran-thi-binh"),
            "other_cadre": Principal("u-other", "cadre", cadre_id="le-van-cuong"),
            "administrator": Principal("admin-1", "administrator"),
        }[actor]

    def arguments(self, action, case, good, redirect_to, original_status, original_is_self):
        if action == "close":  # the same booleans pick the outcome when closing
            args = {**GOOD_ARGS["close"], "outcome": "resolved" if original_is_self
                    else "unresolved"}
        elif action == "redirect":
            args = {**GOOD_ARGS["redirect"], "authority_id": redirect_to}
        elif action == "escalate":
            args = {**GOOD_ARGS["escalate"],
                    "parent_authority_id": PARENTS.get(case.get("authority_id"))}
        elif action == "mark_duplicate":
            original = case["_id"] if original_is_self else "k-original"
            args = {"original": {"_id": original, "status": original_status}}
        elif action == "answer" and case["status"] == case_life.DUPLICATE_OF:
            args = {**GOOD_ARGS["answer"], "original_case_id": case.get("duplicate_of")}
        else:
            args = dict(GOOD_ARGS.get(action, {}))
        if not good:  # break it: blank out every text, drop what names another party
            args = {key: ("   " if isinstance(item, str) else None) for key, item in args.items()}
            if action == "close":
                args["outcome"] = "maybe"
        return args

    # --- acting ----------------------------------------------------------------------------

    @rule(data=st.data(), good=st.sampled_from([True, True, True, False]),
          wait=st.integers(0, 3 * 24 * 3600), redirect_to=st.sampled_from(sorted(PARENTS)),
          original_status=st.sampled_from(STATES), original_is_self=st.booleans())
    def act_as_the_table_allows(self, data, good, wait, redirect_to, original_status,
                                original_is_self):
        """An action the state allows, by a side its row names: the life a case mostly has."""
        case = self.stored()
        action = data.draw(st.sampled_from(case_life.allowed_actions(case["status"])))
        sides = row_for(case["status"], action).sides
        actor = data.draw(st.sampled_from(sorted(
            {HOLDER: "holder", RAISER: "raising_cadre", SYSTEM: "system"}[side]
            for side in sides)))
        self.act(action, actor, good, wait, redirect_to, original_status, original_is_self)

    @rule(action=st.sampled_from(ACTIONS), actor=st.sampled_from(ACTORS),
          good=st.booleans(), wait=st.integers(0, 10 * 24 * 3600),
          redirect_to=st.sampled_from(sorted(PARENTS)),
          original_status=st.sampled_from(STATES), original_is_self=st.booleans())
    def act(self, action, actor, good, wait, redirect_to, original_status, original_is_self):
        """Any action, by anyone, with good or broken arguments."""
        self.at += dt.timedelta(seconds=wait)
        case = self.stored()
        before = copy.deepcopy(case)
        state = case["status"]
        row = row_for(state, action)
        args = self.arguments(action, case, good, redirect_to, original_status,
                              original_is_self)
        try:
            if actor == "system":
                who, user = cases.SYSTEM_ACTOR, None
                case_life.transition(state, action)  # 409 first, as for everyone
                if SYSTEM not in row.sides:
                    raise Forbidden("the system does not take this action", {"action": [action]})
            else:
                principal = self.principal(actor, case)
                require(principal, f"cases.{action}")
                access.check_principal(case, action, principal)
                who, user = {"user_id": principal.user_id, "role": principal.role}, \
                    principal.user_id
            outcome = case_life.apply_action(case, action, who, self.at, POLICY, **args)
            assert case == before, "apply_action changed the case it was given"
            store.commit(self.db, case, outcome, actor=user)
        except SausatError as refusal:
            assert case == before, "a refused action changed the case it was given"
            assert self.stored() == before, f"refused {action} changed the stored case"
            self.judge_refusal(refusal, action, actor, state, row, good)
            return
        after = self.stored()
        assert row is not None, f"{action} from {state} is not in the table yet was accepted"
        assert after["status"] in row.targets
        assert self.side_of(actor, before) in row.sides
        if after["authority_id"] == before["authority_id"] and before.get("answer_by") \
                and after.get("answer_by") and action != "reopen":
            assert after["answer_by"] >= before["answer_by"], "the answer deadline moved earlier"
        self.accepted.append(action)

    def side_of(self, actor, case):
        if actor == "system":
            return SYSTEM
        principal = self.principal(actor, case)
        if principal.role == "authority_officer" and case.get("authority_id") \
                and principal.authority_id == case["authority_id"]:
            return HOLDER
        if principal.role == "cadre" and case.get("raised_by_user") == principal.user_id:
            return RAISER
        return None

    def judge_refusal(self, refusal, action, actor, state, row, good):
        self.refusals.append(type(refusal).__name__)
        if actor != "system" and not may(self.principal(actor, self.stored()), f"cases.{action}"):
            assert isinstance(refusal, Forbidden)  # a role that may never do it: 403 first
            return
        if row is None:  # then the table decides, whoever asks
            assert isinstance(refusal, Conflict)
            assert refusal.fields == {"action": [action], "state": [state]}
            return
        side = self.side_of(actor, self.stored())
        if side not in row.sides:
            assert isinstance(refusal, Forbidden), (action, actor, state, refusal)
            return
        if not good and action not in ("acknowledge", "start"):
            assert isinstance(refusal, InvalidInput) and refusal.fields, refusal
            return
        allowed_refusal = SIDE_RULES.get(action)
        assert allowed_refusal is not None and isinstance(refusal, allowed_refusal), \
            f"{actor} ({side}) may {action} a {state} case, yet: {refusal!r}"

    @precondition(lambda self: hasattr(self, "case_id"))
    @rule(wait=st.integers(0, 20 * 24 * 3600))
    def sweep(self, wait):
        """The deadline sweep: a reminder, or an escalation one level up, when one is due."""
        self.at += dt.timedelta(seconds=wait)
        case = self.stored()
        what = case_clock.due(case, self.at)
        if what is None:
            return
        if what in ("remind", "warn"):  # a reminder, or an early warning (issue 25)
            note = (case_clock.note_deadline_near if what == "remind"
                    else case_clock.note_warning)
            store.commit(self.db, case, note(case, self.at, POLICY))
            self.accepted.append(what)
            return
        outcome = case_life.apply_action(case, "escalate", cases.SYSTEM_ACTOR, self.at, POLICY,
                                         reason=case_clock.breach_reason(case),
                                         parent_authority_id=PARENTS.get(case["authority_id"]))
        store.commit(self.db, case, outcome)
        self.accepted.append("escalate")

    # --- what always holds -----------------------------------------------------------------

    @invariant()
    def the_state_is_one_the_table_knows(self):
        if hasattr(self, "case_id"):
            assert self.stored()["status"] in STATES

    @invariant()
    def the_timeline_is_exactly_the_accepted_actions(self):
        if not hasattr(self, "case_id"):
            return
        case = self.stored()
        timeline = case["timeline"]
        assert [entry["action"] for entry in timeline] == ["route", *self.accepted]
        for earlier, later in zip(timeline, timeline[1:]):
            assert later["from_state"] == earlier["to_state"]
            if later["action"] not in ("remind", "warn"):
                row = row_for(later["from_state"], later["action"])
                assert row is not None and later["to_state"] in row.targets
        assert timeline[-1]["to_state"] == case["status"]
        assert len(case["outbox"]) == len(timeline)  # one event per line, none doubled
        assert case["version"] == len(timeline)

    @invariant()
    def the_sweep_looks_exactly_while_a_deadline_runs(self):
        if not hasattr(self, "case_id"):
            return
        case = self.stored()
        assert (case["next_deadline_at"] is None) == (case_clock.pending_deadline(case) is None)
        status = case["status"]
        assert (case.get("awaiting_since") is not None) == (
            status == case_life.AWAITING_INFORMATION)
        assert (case.get("closed_at") is not None) == (status in case_life.CLOSED)
        if status == case_life.DUPLICATE_OF:
            assert case["duplicate_of"] not in (None, case["_id"])


CaseLife.TestCase.settings = settings(max_examples=examples(30), stateful_step_count=25,
                                      deadline=None)
test_case_life_under_any_sequence_of_actions = CaseLife.TestCase
