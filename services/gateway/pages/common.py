"""The pages' frame: sign-in and sign-out, the home of each role, static files, and what every
page handler shares (its session, language, errors as pages).

A page handler calls ``self._page(request, action, build)``: the session cookie's token is
checked exactly as the API checks a bearer token (``Authenticator.principal_of_token``, then
``require(principal, action)``), and ``build(principal, view)`` renders with the RPCs the API's
handler would call. Not signed in: 303 to the sign-in page. A role that may not: 403, another's
object: 404, the broker away: 503, each as a page in the user's language.
"""
import time
from urllib.parse import quote

from kombu.exceptions import OperationalError
from marshmallow import Schema, fields, validate
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from services.gateway.api import Api
from services.gateway.edge.http import QUERY, form_args, http, json_response, query_args
from services.gateway.edge.route import Route
from services.gateway.pages import attach_form, i18n, render, session
from services.gateway.settings import settings
from shared.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    SausatError,
    TooManyRequests,
    Unauthorized,
    Unavailable,
)
from shared.reasons import reason

HTML = "text/html"
HTML_OR_JSON = ("text/html", "application/json")
# where each role starts
HOMES = {"cadre": "/app/units", "authority_officer": "/app/inbox",
         "administrator": "/app/admin/statistics", "operator": "/app/operator/queues"}
# each role's menu: (text key, path)
MENUS = {
    "cadre": (("nav_my_units", "/app/units"), ("nav_log_visit", "/app/visits/new"),
              ("nav_my_visits", "/app/visits"), ("nav_meetings", "/app/meetings"),
              ("nav_in_care", "/app/members-in-care")),
    "authority_officer": (("nav_inbox", "/app/inbox"),
                          ("nav_escalated", "/app/inbox?view=escalated_past"),
                          ("nav_named", "/app/inbox?view=named"),
                          ("nav_templates", "/app/templates"),
                          ("nav_roster", "/app/roster"),
                          ("nav_statistics", "/app/statistics")),
    "administrator": (("nav_statistics", "/app/admin/statistics"),
                      ("nav_users", "/app/admin/users"),
                      ("nav_units", "/app/admin/units"),
                      ("nav_cadres", "/app/admin/cadres"),
                      ("nav_groups", "/app/admin/working-groups"),
                      ("nav_authorities", "/app/admin/authorities"),
                      ("nav_routing", "/app/admin/routing-rules"),
                      ("nav_calendar", "/app/admin/calendar"),
                      ("nav_notifications", "/app/admin/notifications"),
                      ("nav_personal_data", "/app/admin/personal-data"),
                      ("nav_requests", "/app/admin/data-subject-requests"),
                      ("nav_imports", "/app/admin/imports"),
                      ("nav_coverage", "/app/admin/coverage")),
    "operator": (("nav_queues", "/app/operator/queues"), ("nav_events", "/app/operator/events"),
                 ("nav_dead_letters", "/app/operator/dead-letters"),
                 ("nav_alerts", "/app/operator/alerts"), ("nav_trace", "/app/operator/trace")),
}
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; form-action 'self'; frame-ancestors 'none'",
}


class LanguageQuery(Schema):
    lang = fields.String(validate=validate.OneOf(i18n.LANGUAGES), metadata={
        "description": "vi (the default) or en; remembered in a cookie"})


class SignInQuery(LanguageQuery):
    next = fields.String(validate=validate.Length(1, 400), metadata={
        "description": "the page to go to after signing in"})


class SignInForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))
    username = fields.String(load_default="", validate=validate.Length(max=200))
    password = fields.String(load_default="", validate=validate.Length(max=1000))
    next = fields.String(load_default="", validate=validate.Length(max=400))


class CsrfForm(Schema):
    csrf = fields.String(required=True, validate=validate.Length(1, 200))


class StaticPath(Schema):
    asset = fields.String(required=True, validate=validate.OneOf(sorted(render.STATIC_FILES)))


def page_route(summary, query=LanguageQuery, path=None, form=None, description="", files=None,
               max_body=None):
    """An HTML page (or a form's POST): reached with the session cookie, so public in the
    OpenAPI sense; without a session it answers 303 to the sign-in page. A form with a file
    field (``files``) may come as multipart, up to ``max_body`` bytes."""
    errors = (413, 415) if form is not None else ()
    return Route(summary, HTML, "pages", query=query, path=path, form=form, public=True,
                 files=files, max_body=max_body,
                 errors=errors, description=description or "A page (HTML); see docs/pages.md.",
                 also=((303, HTML, "done, or not signed in: where to go next"),
                       (403, HTML_OR_JSON, "the form is stale, or the role may not"),
                       (404, HTML_OR_JSON, "nothing this user may see by that id"),
                       (409, HTML_OR_JSON, "the case's state does not allow it now"),
                       (422, HTML_OR_JSON, "a form field is not valid, or a rule refuses "
                                           "it: shown beside the field"),
                       (503, HTML_OR_JSON, "a service does not answer now")))


ROUTES = {
    ("GET", "/"): page_route("The pages: to one's home page"),
    ("GET", "/app"): page_route("The home page of the signed-in user's role"),
    ("GET", "/app/sign-in"): page_route("The sign-in page", query=SignInQuery),
    ("POST", "/app/sign-in"): page_route(
        "Sign in from the page: the session cookie holds the API's access token",
        form=SignInForm),
    ("POST", "/app/sign-out"): page_route("Sign out: the user's tokens stop working",
                                          form=CsrfForm),
    ("GET", "/app/sw.js"): Route(
        "The cadre's app shell worker: the visit form and the last briefs readable offline",
        ("application/javascript",), "pages", local=True, public=True,
        description="A service worker (static/sw.js); served here so that its scope is /app/."),
    ("GET", "/app/notice"): page_route(
        "The personal data processing notice, to read out or print at the meeting",
        description="Open to everyone, signed in or not (Law 91/2025/QH15)."),
    ("GET", "/app/static/<asset>"): Route(
        "A static file of the pages (CSS, JavaScript)", ("text/css", "application/javascript"),
        "pages", path=StaticPath, local=True, public=True),
}


class PageSupport(DependencyProvider):
    """The gateway's token secret (for CSRF tokens), whether cookies are ``Secure``, and the
    file limits the visit form says."""

    def setup(self):
        config = settings(self.container.config)
        self.secret = config["TOKEN_SECRET"]
        self.secure_mode = config["PAGES_COOKIE_SECURE"].lower()
        self.attachment_limits = attach_form.form_limits(config)

    def get_dependency(self, worker_ctx):
        return self


class View:
    """What a page handler renders with: the language, the principal, the CSRF token."""

    def __init__(self, api, request, language, principal=None, token=None):
        self.api, self.request, self.language = api, request, language
        self.principal, self.token = principal, token

    def render(self, template, status=200, **context):
        csrf = (session.csrf_token(self.api.page_support.secret, self.token)
                if self.token else "")
        html = render.render(template, self.language, user=self.principal, csrf=csrf,
                             menu=MENUS.get((self.principal or {}).get("role"), ()),
                             here=self.request.path, **context)
        return Response(html, status=status, mimetype=HTML)

    def t(self, key, **values):
        return i18n.text(key, self.language, **values)

    def errors(self, error):
        """A service's refusal as ``{form field: message}`` in this language."""
        return i18n.flat_fields(getattr(error, "reasons", {}), self.language)


def page_status(error):
    """A refusal shown on a page: a bad field is 422 there (400 is the edge's JSON refusal of
    a request that broke the route's description)."""
    return 422 if error.status == 400 else error.status


def redirect(location, status=303):
    response = Response(f'<!DOCTYPE html><a href="{location}">{location}</a>\n', status=status,
                        mimetype=HTML)
    response.headers["Location"] = location
    return response


class PagesApi(Api):
    page_support = PageSupport()

    # --- what every page does ---------------------------------------------------------------

    def _language(self, request):
        asked = query_args(request).get("lang") if _has_query(request) else None
        return i18n.pick(asked or request.cookies.get(session.LANGUAGE_COOKIE))

    def _page(self, request, action, build):
        """Check the session, then ``build(view)``; every refusal as a page."""
        language = self._language(request)
        view = View(self, request, language)
        token = request.cookies.get(session.SESSION_COOKIE)
        try:
            if not token:
                raise Unauthorized("sign in first")
            view.principal = self.auth.principal_of_token(token, self.accounts, action)
            view.token = token
            response = build(view)
        except Unauthorized:
            target = request.full_path.rstrip("?")
            response = redirect(f"/app/sign-in?next={quote(target, safe='')}")
            if token:
                response.delete_cookie(session.SESSION_COOKIE, path="/")
        except session.CsrfRefused:
            response = view.render("error.html", 403, message=view.t("csrf_failed"))
        except (SausatError, OperationalError) as error:
            response = self._error_page(view, error)
        return self._finish(request, response)

    def _from_script(self, request, action, call):
        """A page script's JSON request: the session cookie and ``X-CSRF-Token`` checked as a
        form's, then ``call(principal)`` answers ``(body, status)``. Refusals come back in the
        one error shape, the message and ``fields`` in the user's language."""
        language = self._language(request)
        token = request.cookies.get(session.SESSION_COOKIE)
        try:
            if not token:
                expired = i18n.text("session_expired", language)
                raise Unauthorized(expired, {"session": [reason("session_expired", expired)]})
            principal = self.auth.principal_of_token(token, self.accounts, action)
            try:
                session.check_csrf(self.page_support.secret, token,
                                   request.headers.get(session.CSRF_HEADER))
            except session.CsrfRefused:
                refused = i18n.text("csrf_failed", language)
                raise Forbidden(refused, {session.CSRF_FIELD: [reason("csrf_failed", refused)]}
                                ) from None
            body, status = call(principal)
        except SausatError as error:
            body, status = error.to_body(), error.status
            body["message"] = i18n.refusal(error, language)
            if error.fields:
                body["fields"] = i18n.flat_fields(error.reasons, language)
        return self._finish(request, json_response(body, status))

    def _error_page(self, view, error):
        if isinstance(error, Forbidden):
            return view.render("error.html", 403, message=view.t("forbidden"))
        if isinstance(error, NotFound):
            return view.render("error.html", 404, message=view.t("not_found"))
        if isinstance(error, (Unavailable, OperationalError)):
            return view.render("error.html", 503, message=view.t("unavailable"))
        if isinstance(error, SausatError) and error.status in (400, 409, 422):
            return view.render("error.html", page_status(error), message=i18n.refusal(
                error, view.language), fields=view.errors(error))
        raise error

    def _finish(self, request, response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        asked = query_args(request).get("lang") if _has_query(request) else None
        if asked:
            response.set_cookie(session.LANGUAGE_COOKIE, asked, max_age=365 * 86400,
                                **self._cookie_options(request, with_age=False))
        return response

    def _cookie_options(self, request, max_age=None, with_age=True):
        options = session.cookie_options(
            session.is_secure(self.page_support.secure_mode, request.environ), max_age)
        if not with_age:
            options.pop("max_age")
        return options

    def _check_csrf(self, view):
        session.check_csrf(self.page_support.secret, view.token,
                           form_args(view.request)[session.CSRF_FIELD])

    # --- home, sign-in, sign-out ------------------------------------------------------------

    @http("GET", "/")
    def pages_root(self, request):
        return self._finish(request, redirect("/app"))

    @http("GET", "/app")
    def pages_home(self, request):
        return self._page(request, "self", lambda view: redirect(HOMES[view.principal["role"]]))

    @http("GET", "/app/sign-in")
    def sign_in_page(self, request):
        view = View(self, request, self._language(request))
        pre = request.cookies.get(session.PRE_SESSION_COOKIE) or session.new_pre_session()
        response = self._sign_in_form(view, pre, next_page=query_args(request).get("next", ""))
        response.set_cookie(session.PRE_SESSION_COOKIE, pre,
                            **self._cookie_options(request, with_age=False))
        return self._finish(request, response)

    def _sign_in_form(self, view, pre, status=200, errors=None, username="", next_page=""):
        return view.render("sign_in.html", status, errors=errors or {}, username=username,
                           next_page=session.safe_next(next_page),
                           sign_in_csrf=session.csrf_token(self.page_support.secret, "pre:" + pre))

    @http("GET", "/app/notice")
    def notice_page(self, request):
        """Public: shown where data is collected, printable for the meeting."""
        view = View(self, request, self._language(request))
        return self._finish(request, view.render("notice.html"))

    @http("POST", "/app/sign-in")
    def sign_in_submit(self, request):
        view = View(self, request, self._language(request))
        form = form_args(request)
        pre = request.cookies.get(session.PRE_SESSION_COOKIE, "")
        try:
            session.check_csrf(self.page_support.secret, "pre:" + pre if pre else "",
                               form[session.CSRF_FIELD])
        except session.CsrfRefused:
            return self._finish(request, view.render("error.html", 403,
                                                     message=view.t("csrf_failed")))
        credentials = {"username": form["username"], "password": form["password"]}
        try:
            signed_in = self.accounts.sign_in(credentials, self._client_address(request))
        except TooManyRequests as error:
            errors = {"username": view.t("too_many_attempts", seconds=error.retry_after)}
            return self._finish(request, self._sign_in_form(
                view, pre, 429, errors, form["username"], form["next"]))
        except Unauthorized:
            errors = {"password": view.t("sign_in_failed")}
            return self._finish(request, self._sign_in_form(
                view, pre, 401, errors, form["username"], form["next"]))
        except InvalidInput as error:
            return self._finish(request, self._sign_in_form(
                view, pre, 422, view.errors(error), form["username"], form["next"]))
        except (Unavailable, OperationalError) as error:
            return self._finish(request, self._error_page(view, error))
        response = redirect(session.safe_next(form["next"]))
        lifetime = max(1, int(signed_in["expires_at"] - time.time()))
        response.set_cookie(session.SESSION_COOKIE, signed_in["access_token"],
                            **self._cookie_options(request, lifetime))
        response.delete_cookie(session.PRE_SESSION_COOKIE, path="/")
        return self._finish(request, response)

    @http("POST", "/app/sign-out")
    def sign_out_submit(self, request):
        def build(view):
            self._check_csrf(view)
            self.auth.revoked(self.accounts.sign_out(view.principal))
            response = redirect("/app/sign-in")
            response.delete_cookie(session.SESSION_COOKIE, path="/")
            return response
        return self._page(request, "self", build)

    @http("GET", "/app/sw.js")
    def pages_service_worker(self, request):
        response = Response(render.SERVICE_WORKER.read_bytes(),
                            mimetype="application/javascript")
        response.headers["Cache-Control"] = "no-cache"  # a new worker is picked up at once
        # the pages' policy binds the worker too: it fetches from this site only
        return self._finish(request, response)

    @http("GET", "/app/static/<asset>")
    def pages_static(self, request, asset):
        content, media_type = render.static_file(asset)
        response = Response(content, mimetype=media_type)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _has_query(request):
    return QUERY in request.environ
