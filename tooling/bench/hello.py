"""A hello-world WSGI app on the gateway's web server (eventlet's, as nameko's WebServer sets
it up), for the ceiling a gateway request cannot beat. Run as a process of its own::

    python -m tooling.bench.hello 127.0.0.1:0    # prints "listening on 127.0.0.1:PORT"
                                                 # and serves until killed
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import logging  # noqa: E402
import sys  # noqa: E402

from eventlet import wsgi  # noqa: E402
from nameko.web.server import HttpOnlyProtocol  # noqa: E402

BODY = b'{"hello": "world"}\n'


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    sock = eventlet.listen((host, int(port)))
    print(f"listening on {host}:{sock.getsockname()[1]}", flush=True)
    # the arguments nameko.web.server.WebServer.get_wsgi_server passes
    server = wsgi.Server(sock, sock.getsockname(), hello, protocol=HttpOnlyProtocol,
                         debug=False, log=logging.getLogger(__name__))
    pool = eventlet.GreenPool(1000)
    while True:
        client, address = sock.accept()
        pool.spawn_n(server.process_request, [address, client, wsgi.STATE_IDLE])


if __name__ == "__main__":
    main()
