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
from services.gateway.pages import admin_forms, i18n
from services.gateway.pages.admin_base import (
    NAMES_LIMIT,
    AdminPagesBase,
    NameSearch,
    csrf,
    done,
    done_query,
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


class AuthorityForm(Schema):
    csrf = csrf()
    authority_id, name, kind, level = text(200), text(400), text(80), text(80)
    unit_id, parent_authority_id, email = text(200), text(200), text(400)


class RetireForm(Schema):
    csrf = csrf()
    retired_on, confirm = text(40), text(20)


class RuleForm(Schema):
    csrf = csrf()
    rule_id, topic, unit_id, authority_id = text(200), text(80), text(200), text(200)
    urgency, effective_from, effective_to = text(40), text(40), text(40)


class HandOverForm(Schema):
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
        return view.render("admin_authorities.html", status, errors=errors or {},
                           values=values or {}, **self._listing(view, status, fetch_page),
                           **self._names(view))

    @http("POST", "/app/admin/authorities")
    def register_authority_page(self, request):
        return self._submit(request, admin_forms.authority_to_register,
                            self.escalations.register_authority, self._authorities_view,
                            lambda authority: f"/app/admin/authorities/"
                                              f"{authority['authority_id']}?done=registered")

    @http("GET", "/app/admin/authorities/<authority_id>")
    def authority_page(self, request, authority_id):
        return self._show(request, self._authority_view, authority_id)

    def _authority_view(self, view, authority_id, status=200, failed=None, errors=None,
                        values=None):
        names = self._names(view)
        authority = one(names["authorities"], "authority_id", authority_id)
        rules = [rule for rule in names["all_rules"] if rule["authority_id"] == authority_id]
        return view.render("admin_authority.html", status, authority=authority, rules=rules,
                           failed=failed, errors=errors or {}, values=values or {},
                           **self._record(view, authority_id, status), **names)

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
            lambda done: f"/app/admin/authorities/{authority_id}")

    # --- routing rules ----------------------------------------------------------------------

    @http("GET", "/app/admin/routing-rules")
    def routing_rules_page(self, request):
        return self._show(request, self._rules_view)

    def _rules_view(self, view, status=200, errors=None, values=None):
        names = self._names(view)
        named = [{**rule, "unit_name": names["unit_names"].get(rule["unit_id"], rule["unit_id"]),
                  "authority_name": names["authority_names"].get(rule["authority_id"],
                                                                 rule["authority_id"])}
                 for rule in names["all_rules"]]
        listing = self._listing(view, status, lambda query: admin_forms.page_of(
            named, query, "rule_id", "unit_name", "authority_name", "rule_id"))
        return view.render("admin_routing.html", status, errors=errors or {},
                           values=values or {}, **listing, **names)

    @http("POST", "/app/admin/routing-rules")
    def add_routing_rule_page(self, request):
        return self._submit(request, admin_forms.rule_to_add, self.escalations.add_routing_rule,
                            self._rules_view,
                            lambda rule: f"/app/admin/routing-rules/{rule['rule_id']}?done=added")

    @http("GET", "/app/admin/routing-rules/<rule_id>")
    def routing_rule_page(self, request, rule_id):
        return self._show(request, self._rule_view, rule_id)

    def _rule_view(self, view, rule_id, status=200, failed=None, errors=None, values=None):
        names = self._names(view)
        rule = one(names["all_rules"], "rule_id", rule_id)
        # a routing rule publishes no event: its own record says who added and ended it
        return view.render("admin_rule.html", status, rule=rule, failed=failed,
                           errors=errors or {}, values=values or {},
                           done=done(view, status),
                           users=self._user_names(view), **names)

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
                            f"{(changed.get('added') or {}).get('rule_id') or rule_id}")

    # --- what the forms and lists share -----------------------------------------------------

    def _names(self, view):
        """Authorities, units and rules, their names by id, and each form's choices worded."""
        authorities = self.escalations.list_authorities({"limit": NAMES_LIMIT})["authorities"]
        units = self.assignments.list_units({"limit": NAMES_LIMIT})["units"]
        rules = self.escalations.list_routing_rules({"limit": NAMES_LIMIT})["routing_rules"]
        levels = [level["level_id"] for level in self.assignments.list_levels()["levels"]]

        def worded(kind, values):
            return [(value, i18n.label(kind, value, view.language)) for value in values]
        return {"authorities": authorities, "all_rules": rules,
                "unit_names": admin_forms.names_of(units, "unit_id"),
                "authority_names": admin_forms.names_of(authorities, "authority_id"),
                "unit_choices": [(u["unit_id"], u["name"]) for u in units],
                "authority_choices": [(a["authority_id"], a["name"]) for a in authorities],
                "kind_choices": worded("authority_kind", AUTHORITY_KINDS),
                "level_choices": worded("level", levels),
                "topic_choices": worded("topic", (ANY_TOPIC, *CONCERN_TOPICS)),
                "urgency_choices": worded("urgency", URGENCIES)}
