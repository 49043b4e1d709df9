"""The administrator's authorities and routing rules: searched lists with their names, forms
to register and change an authority, retire it from a day, add a routing rule, end it or hand
it to another authority from a day, and who changed what.

Each form calls the RPC the API's handler calls (``escalations.register_authority``,
``change_authority``, ``retire_authority``, ``add_routing_rule``, ``change_routing_rule``)
with the signed-in administrator; a refusal comes back beside its field and changes nothing.
An authority's changes are its events in the monitor's audit trail; a routing rule publishes
none, so its own record says who added it, whom it took over from and who ended it.
"""
from marshmallow import Schema

from services.gateway.edge.http import http
from services.gateway.pages import admin_forms, i18n, pickers
from services.gateway.pages.admin_base import (
    AdminPagesBase,
    NameSearch,
    csrf,
    done,
    done_query,
    every_page,
    one,
    text,
)
from services.gateway.pages.common import page_route
from shared.contracts import CONCERN_TOPICS, URGENCIES, Id
from shared.contracts.rpc.cases import ANY_TOPIC, AUTHORITY_KINDS

AUTHORITY_CHANGES = ("registered", "changed", "retired")
RULE_CHANGES = ("added", "ended", "handed_over")


class AuthorityPath(Schema):
    authority_id = Id(required=True)


class RulePath(Schema):
    rule_id = Id(required=True)


AuthorityDone = done_query("AuthorityDone", AUTHORITY_CHANGES)


RuleDone = done_query("RuleDone", RULE_CHANGES)


# typed by name or code (pages/pickers.py): the unit and authorities of these forms
AUTHORITY_PICKERS = {"unit_id": "units", "parent_authority_id": "authorities"}
RULE_PICKERS = {"unit_id": "units", "authority_id": "authorities"}
HAND_OVER_PICKERS = {"authority_id": "authorities"}


class AuthorityForm(Schema.from_dict(pickers.pick_fields(*AUTHORITY_PICKERS))):
    csrf = csrf()
    authority_id, name, kind, level = text(200), text(400), text(80), text(80)
    unit_id, parent_authority_id, email = text(200), text(200), text(400)


class RetireForm(Schema):
    csrf = csrf()
    retired_on, confirm = text(40), text(20)


class RuleForm(Schema.from_dict(pickers.pick_fields(*RULE_PICKERS))):
    csrf = csrf()
    rule_id, topic, unit_id, authority_id = text(200), text(80), text(200), text(200)
    urgency, effective_from, effective_to = text(40), text(40), text(40)


class HandOverForm(Schema.from_dict(pickers.pick_fields(*HAND_OVER_PICKERS))):
    csrf = csrf()
    authority_id, changed_on, new_rule_id = text(200), text(40), text(200)


ROUTES = {
    ("GET", "/app/admin/authorities"): page_route(
        "Administrator: authorities, searched, and the form to register one", query=NameSearch),
    ("POST", "/app/admin/authorities"): page_route(
        "Administrator: register an authority from the page", form=AuthorityForm),
    ("GET", "/app/admin/authorities/<authority_id>"): page_route(
        "Administrator: an authority, its rules, its forms and who changed what",
        path=AuthorityPath, query=AuthorityDone),
    ("POST", "/app/admin/authorities/<authority_id>"): page_route(
        "Administrator: change an authority", path=AuthorityPath, form=AuthorityForm),
    ("POST", "/app/admin/authorities/<authority_id>/retire"): page_route(
        "Administrator: retire an authority from a day (confirmed)", path=AuthorityPath,
        form=RetireForm),
    ("GET", "/app/admin/routing-rules"): page_route(
        "Administrator: routing rules, searched, and the form to add one", query=NameSearch),
    ("POST", "/app/admin/routing-rules"): page_route(
        "Administrator: add a routing rule from the page", form=RuleForm),
    ("GET", "/app/admin/routing-rules/<rule_id>"): page_route(
        "Administrator: a routing rule, its history and the forms to end or hand it over",
        path=RulePath, query=RuleDone),
    ("POST", "/app/admin/routing-rules/<rule_id>/end"): page_route(
        "Administrator: end a routing rule on its last day", path=RulePath, form=RuleForm),
    ("POST", "/app/admin/routing-rules/<rule_id>/hand-over"): page_route(
        "Administrator: hand a routing rule to another authority from a day", path=RulePath,
        form=HandOverForm),
}


class RegistryPagesApi(AdminPagesBase):
    # --- authorities ------------------------------------------------------------------------

    @http("GET", "/app/admin/authorities")
    def authorities_page(self, request):
        return self._show(request, self._authorities_view)

    def _authorities_view(self, view, status=200, errors=None, values=None):
        def fetch_page(query):
            if query.get("q"):  # the registry's search: the first page found
                return self.escalations.search_authorities(
                    {"q": query["q"], "limit": query["limit"]})["authorities"], None
            page = self.escalations.list_authorities(query)
            return page["authorities"], page["next_cursor"]
        listing = self._listing(view, status, fetch_page)
        return view.render("admin_authorities.html", status, errors=errors or {},
                           values=values or {}, **listing,
                           **self._names(view, listing["found"]))

    @http("POST", "/app/admin/authorities")
    def register_authority_page(self, request):
        return self._submit(request, admin_forms.authority_to_register,
                            self.escalations.register_authority, self._authorities_view,
                            lambda authority: f"/app/admin/authorities/"
                                              f"{authority['authority_id']}?done=registered",
                            AUTHORITY_PICKERS)

    @http("GET", "/app/admin/authorities/<authority_id>")
    def authority_page(self, request, authority_id):
        return self._show(request, self._authority_view, authority_id)

    def _authority_view(self, view, authority_id, status=200, failed=None, errors=None,
                        values=None):
        authority = self.escalations.get_authority(authority_id)
        rules = [rule for rule in self._all_rules() if rule["authority_id"] == authority_id]
        return view.render("admin_authority.html", status, authority=authority, rules=rules,
                           failed=failed, errors=errors or {}, values=values or {},
                           **self._record(view, authority_id, status),
                           **self._names(view, [authority], rules))

    @http("POST", "/app/admin/authorities/<authority_id>")
    def change_authority_page(self, request, authority_id):
        def read(form):
            authority = self.escalations.get_authority(authority_id)
            return admin_forms.authority_change(form, authority)
        return self._authority_change(request, authority_id, "changed", read,
                                      self.escalations.change_authority)

    @http("POST", "/app/admin/authorities/<authority_id>/retire")
    def retire_authority_page(self, request, authority_id):
        return self._authority_change(request, authority_id, "retired", admin_forms.retiring,
                                      self.escalations.retire_authority)

    def _authority_change(self, request, authority_id, change, read, call):
        return self._change(
            request, change, read,
            lambda body, principal: call(authority_id, body, principal),
            lambda view, *refusal: self._authority_view(view, authority_id, *refusal),
            lambda done: f"/app/admin/authorities/{authority_id}",
            AUTHORITY_PICKERS if change == "changed" else None)

    # --- routing rules ----------------------------------------------------------------------

    @http("GET", "/app/admin/routing-rules")
    def routing_rules_page(self, request):
        return self._show(request, self._rules_view)

    def _rules_view(self, view, status=200, errors=None, values=None):
        rules = self._all_rules()
        names = self._names(view, (), rules)
        named = [{**rule, "unit_name": names["unit_names"].get(rule["unit_id"], rule["unit_id"]),
                  "authority_name": names["authority_names"].get(rule["authority_id"],
                                                                 rule["authority_id"])}
                 for rule in rules]
        listing = self._listing(view, status, lambda query: admin_forms.page_of(
            named, query, "rule_id", "unit_name", "authority_name", "rule_id"))
        return view.render("admin_routing.html", status, errors=errors or {},
                           values=values or {}, **listing, **names)

    @http("POST", "/app/admin/routing-rules")
    def add_routing_rule_page(self, request):
        return self._submit(request, admin_forms.rule_to_add, self.escalations.add_routing_rule,
                            self._rules_view,
                            lambda rule: f"/app/admin/routing-rules/{rule['rule_id']}?done=added",
                            RULE_PICKERS)

    @http("GET", "/app/admin/routing-rules/<rule_id>")
    def routing_rule_page(self, request, rule_id):
        return self._show(request, self._rule_view, rule_id)

    def _rule_view(self, view, rule_id, status=200, failed=None, errors=None, values=None):
        rule = one(self._all_rules(), "rule_id", rule_id)
        # a routing rule publishes no event: its own record says who added and ended it
        return view.render("admin_rule.html", status, rule=rule, failed=failed,
                           errors=errors or {}, values=values or {},
                           done=done(view, status),
                           users=self._user_names(view, [rule.get("actor"),
                                                         rule.get("ended_by")]),
                           **self._names(view, (), [rule]))

    @http("POST", "/app/admin/routing-rules/<rule_id>/end")
    def end_routing_rule_page(self, request, rule_id):
        return self._rule_change(request, rule_id, "ended", admin_forms.rule_ending)

    @http("POST", "/app/admin/routing-rules/<rule_id>/hand-over")
    def hand_over_routing_rule_page(self, request, rule_id):
        return self._rule_change(request, rule_id, "handed_over", admin_forms.rule_handover)

    def _rule_change(self, request, rule_id, change, read):
        return self._change(
            request, change, read,
            lambda body, principal: self.escalations.change_routing_rule(rule_id, body,
                                                                         principal),
            lambda view, *refusal: self._rule_view(view, rule_id, *refusal),
            lambda changed: "/app/admin/routing-rules/"
                            f"{(changed.get('added') or {}).get('rule_id') or rule_id}",
            HAND_OVER_PICKERS if change == "handed_over" else None)

    # --- what the forms and lists share -----------------------------------------------------

    def _all_rules(self):
        """The routing rules, read whole (small by nature: a topic and a commune each at
        most), a page of 500 at a time."""
        return every_page(self.escalations.list_routing_rules, {}, "routing_rules")

    def _names(self, view, authorities, rules=()):
        """The names of exactly the units and authorities these authorities and rules name
        (one read by id per kind), and the small fixed sets' choices worded."""
        units = {a.get("unit_id") for a in authorities} | {r["unit_id"] for r in rules}
        named = {a.get("parent_authority_id") for a in authorities} | {
            r["authority_id"] for r in rules}
        levels = [level["level_id"] for level in self.assignments.list_levels()["levels"]]

        def worded(kind, values):
            return [(value, i18n.label(kind, value, view.language)) for value in values]
        return {"unit_names": self._names_of(view, "units", units),
                "authority_names": self._names_of(view, "authorities", named),
                "kind_choices": worded("authority_kind", AUTHORITY_KINDS),
                "level_choices": worded("level", levels),
                "topic_choices": worded("topic", (ANY_TOPIC, *CONCERN_TOPICS)),
                "urgency_choices": worded("urgency", URGENCIES)}
