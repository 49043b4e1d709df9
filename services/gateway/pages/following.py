"""The public receipt page: anyone holding a concern's receipt code follows it there, without
an account, on any phone, without JavaScript (a plain GET form).

``GET /follow`` shows the form; ``GET /follow?code=...`` the case as ``escalations`` answers it
to anyone (its ``public_view``: topic, state in plain words, holder, deadline, dates, and the
summary and answer only as written for publication). A code with nothing to show, unknown or
not, answers the same page ("chưa có thông tin công khai"); a mistyped one 422 with "kiểm tra
lại mã"; too many lookups from one address 429 with Retry-After. The gateway's only
unauthenticated read of cases (docs/security.md).
"""
from marshmallow import Schema, fields, validate

from services.gateway.edge.http import form_args, http, query_args
from services.gateway.edge.route import Route
from services.gateway.pages.common import HTML, LanguageQuery, PagesApi, View
from shared.errors import InvalidInput, TooManyRequests, Unavailable


class UnsubscribeQuery(LanguageQuery):
    token = fields.String(required=True, validate=validate.Length(10, 100), metadata={
        "description": "the token of the link in the raiser's mail"})


class UnsubscribeForm(Schema):
    token = fields.String(required=True, validate=validate.Length(10, 100))


class FollowQuery(LanguageQuery):
    code = fields.String(validate=validate.Length(max=40), metadata={
        "description": "the receipt code as typed (spaces, dashes and small letters forgiven)"})


ROUTES = {
    ("GET", "/follow"): Route(
        "Anyone: follow a concern by its receipt code, without signing in", HTML, "pages",
        query=FollowQuery, public=True, errors=(),
        description="The public receipt page (no sign-in, no JavaScript): the topic, the "
                    "state in plain words, the authority holding it, its deadline and dates; "
                    "the summary and the answer only once written for publication. An "
                    "unknown code answers like one with nothing published.",
        also=((422, HTML, "not a receipt code: check it again"),
              (429, HTML, "too many lookups from this address: try again after Retry-After"),
              (503, HTML, "a service does not answer now"))),
    ("GET", "/follow/unsubscribe"): Route(
        "The raiser: stop the mails about a concern (the link in the mail), confirmed by a "
        "button", HTML, "pages", query=UnsubscribeQuery, public=True, errors=(),
        description="No sign-in: the token in the link is the raiser's alone. A GET changes "
                    "nothing (mail scanners open links); the button posts the form."),
    ("POST", "/follow/unsubscribe"): Route(
        "The raiser: delete their mail address (no more mails about the concern)", HTML,
        "pages", form=UnsubscribeForm, public=True, errors=(413, 415),
        description="The address is deleted at once; a token already used (or unknown) "
                    "answers that no address is kept, alike."),
}


class FollowPagesApi(PagesApi):
    @http("GET", "/follow")
    def follow_page(self, request):
        view = View(self, request, self._language(request))
        typed = query_args(request).get("code")
        if typed is None:
            return self._finish(request, view.render("follow.html", typed="", case=None))
        try:
            case = self.escalations.follow_receipt(
                {"code": typed, "client_address": self._client_address(request)})
        except InvalidInput:
            response = view.render("follow.html", 422, typed=typed, case=None,
                                   error=view.t("receipt_code_mistyped"))
        except TooManyRequests as error:
            response = view.render("follow.html", 429, typed=typed, case=None,
                                   error=view.t("too_many_lookups"))
            response.headers["Retry-After"] = str(error.retry_after)
        except Unavailable as error:
            response = self._error_page(view, error)
        else:
            response = view.render("follow.html", typed=case["receipt_code"], case=case)
        return self._finish(request, response)

    @http("GET", "/follow/unsubscribe")
    def unsubscribe_page(self, request):
        view = View(self, request, self._language(request))
        return self._finish(request, view.render(
            "unsubscribe.html", token=query_args(request)["token"], done=None))

    @http("POST", "/follow/unsubscribe")
    def unsubscribe_submit(self, request):
        view = View(self, request, self._language(request))
        try:
            removed = self.visits.unsubscribe_raiser(form_args(request)["token"])
        except Unavailable as error:
            return self._finish(request, self._error_page(view, error))
        return self._finish(request, view.render("unsubscribe.html", token="",
                                                 done="removed" if removed else "none"))
