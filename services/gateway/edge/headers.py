"""The security headers every answer carries, whoever wrote it: a JSON answer, a page, /docs, an
error, a refusal of the web server itself. An answer keeps the headers it set (the pages' own
Content-Security-Policy, the /docs files' cache); each one it did not set is added here::

    with_security_headers([("Content-Type", "application/json")], environ, "auto")
    # + nosniff, DENY, same-origin, frame-ancestors 'none', no-store (+ HSTS over https)
"""

# on every answer: no guessing of types, no framing, no full address told to other sites
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # what an answer with no policy of its own may do: be framed by nobody
    "Content-Security-Policy": "frame-ancestors 'none'",
    # answers hold signed-in data: no shared cache, no copy left on a phone
    "Cache-Control": "no-store",
}
# one year; browsers only heed it over https, and we only send it then
HSTS = ("Strict-Transport-Security", "max-age=31536000")
# what the web server's own refusals carry (written before any app runs, over plain bytes)
REFUSAL_HEADERS = "".join(f"{name}: {value}\r\n" for name, value in ALWAYS.items())


def is_secure(mode, environ):
    """Whether the browser reached us over https (itself or through a proxy saying so), as
    ``PAGES_COOKIE_SECURE`` says to decide: ``auto`` follows the request, ``always``,
    ``never``. It sets the cookies' ``Secure`` flag and decides HSTS."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    forwarded = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
    return environ.get("wsgi.url_scheme") == "https" or forwarded == "https"


def with_security_headers(headers, environ, secure_mode):
    """``headers`` (WSGI ``(name, value)`` pairs) with each security header they lack."""
    present = {name.lower() for name, _ in headers}
    added = [(name, value) for name, value in ALWAYS.items() if name.lower() not in present]
    if is_secure(secure_mode, environ) and HSTS[0].lower() not in present:
        added.append(HSTS)
    return [*headers, *added]
