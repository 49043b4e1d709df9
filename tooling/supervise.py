"""Start, stop and watch the services under supervisord; what deploy/services.sh runs.

The promise: ``start`` leaves supervisord running with every service (or the one named) started,
and is harmless to repeat; supervisord restarts a service that exits, whatever killed it;
``status`` tells what supervisord knows (a killed process is never shown as running) and what the
gateway's /health answers, so a process that is alive but hung says so; ``stop`` leaves no
process behind. Runtime files live in ``$VAR_DIR`` (the checkout's ``var/`` by default).

Exit codes of ``status``: 0 every service running and healthy, 1 running but the health check
is not "ok", 3 a service (or supervisord) not running.

Example::

    $ .venv/bin/python -m tooling.supervise start
    $ .venv/bin/python -m tooling.supervise status visits
    visits        RUNNING   pid 41873, uptime 0:02:10  health ok (outbox_pending=0)
"""
import argparse
import datetime as dt
import os
import pathlib
import signal
import subprocess
import sys
import time
import xmlrpc.client

import requests
from supervisor.xmlrpc import SupervisorTransport

from tooling import prometheus_config
from tooling.supervisor_config import (
    ROOT,
    Layout,
    SettingError,
    discover_services,
    health_url,
    own_broker_user,
    recorded_environment,
    render,
)

HEALTH_TIMEOUT_SECONDS = 6  # the gateway gives each service 3 s
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 60
UP_STATES = ("RUNNING",)
OK, NOT_HEALTHY, NOT_RUNNING = 0, 1, 3  # exit codes


def layout_from(environ):
    return Layout(pathlib.Path(environ.get("VAR_DIR") or ROOT / "var").resolve())


def rpc(layout):
    """supervisord's XML-RPC interface over its unix socket."""
    transport = SupervisorTransport(None, None, f"unix://{layout.socket}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor


def answering(layout):
    """True when a supervisord answers on this layout's socket."""
    try:
        return rpc(layout).getState()["statename"] == "RUNNING"
    except (OSError, xmlrpc.client.Error):
        return False


def alive(pid):
    """A process that exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def command_line(pid):
    """The process's command line (so a pid reused by another program is left alone)."""
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def supervisord_pid(layout):
    try:
        return int(layout.pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def wait_for(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def processes(layout, service=None):
    """supervisord's process infos, in the order services start (the gateway last)."""
    order = {name: index for index, name in enumerate(discover_services())}
    infos = rpc(layout).getAllProcessInfo()
    return sorted((info for info in infos if service is None or info["group"] == service),
                  key=lambda info: (order.get(info["group"], len(order)), info["name"]))


def check_service(service):
    known = discover_services()
    if service is not None and service not in known:
        raise SettingError(f"unknown service {service!r}; services: {', '.join(known)}")


def stop_unsupervised(layout):
    """Stop services that the former pid-file script started (var/run/<service>.pid)."""
    for pidfile in sorted(layout.run_dir.glob("*.pid")):
        if pidfile == layout.pidfile or pidfile.stem not in discover_services():
            continue
        try:
            pid = int(pidfile.read_text().strip())
        except ValueError:
            pid = None
        if pid and alive(pid) and f"services.{pidfile.stem}.service" in command_line(pid):
            os.kill(pid, signal.SIGTERM)
            if not wait_for(lambda: not alive(pid), 15):
                os.kill(pid, signal.SIGKILL)
            print(f"{pidfile.stem}: stopped (pid {pid}, started without supervision)")
        pidfile.unlink()


def launch(layout, environ):
    """Write the configuration and start supervisord with it (it starts every program)."""
    text = render(layout, environ, python=sys.executable)
    for folder in (layout.var, layout.run_dir, layout.log_dir):
        folder.mkdir(parents=True, exist_ok=True)
    scrape = prometheus_config.write_supervised(layout.prometheus_dir, environ)
    layout.config.touch(mode=0o600)  # it may hold the broker's password
    layout.config.chmod(0o600)
    layout.config.write_text(text)
    # returns once supervisord has daemonised, or at once with its error on stderr
    subprocess.run([sys.executable, "-m", "supervisor.supervisord", "-c", str(layout.config)],
                   cwd=ROOT, env=environ)
    if not wait_for(lambda: answering(layout), 20):
        log = layout.log_dir / "supervisord.log"
        tail = log.read_text()[-2000:] if log.exists() else "(no log)"
        raise SettingError(f"supervisord did not answer on {layout.socket}:\n{tail}")
    print(f"supervisord: started (pid {supervisord_pid(layout)}, config {layout.config})")
    print(f"prometheus: scrape configuration and alert rules in {scrape.parent}")


def start(layout, environ, service=None):
    check_service(service)
    render(layout, environ)  # refuses a bad setting before anything is touched
    # every queue exists before any service publishes
    # as the deploy user where it has a password (a service's own user may only use queues)
    declared = subprocess.run([sys.executable, "-m", "shared.topology"], cwd=ROOT,
                              env={**environ, **own_broker_user(environ, "deploy")})
    if declared.returncode != 0:
        raise SettingError("nothing started: declaring the topology failed (above): a setting "
                           "of deploy/config.yml refused, or RabbitMQ not reachable at AMQP_URI")
    if answering(layout):
        wanted = render(layout, environ, python=sys.executable)
        if layout.config.exists() and layout.config.read_text() != wanted:
            print("supervisord: already running with another configuration (environment or "
                  "INSTANCES_*); `deploy/services.sh restart` applies the new one")
    else:
        stop_unsupervised(layout)
        launch(layout, environ)
    supervisor = rpc(layout)
    for info in processes(layout, service):
        if info["statename"] in ("STOPPED", "EXITED", "FATAL"):
            try:
                supervisor.startProcess(f"{info['group']}:{info['name']}", False)
            except xmlrpc.client.Fault as fault:  # e.g. started meanwhile by autorestart
                print(f"{info['name']}: {fault.faultString}")
    settled = wait_for(lambda: all(info["statename"] in ("RUNNING", "FATAL", "EXITED")
                                   for info in processes(layout, service)),
                       START_TIMEOUT_SECONDS, 0.2)
    for line in process_lines(processes(layout, service)):
        print(line)
    if not settled:
        print(f"still starting after {START_TIMEOUT_SECONDS} s; see {layout.log_dir}")
    up = all(info["statename"] in UP_STATES for info in processes(layout, service))
    return OK if up else NOT_RUNNING


def stop(layout, service=None):
    check_service(service)
    if not answering(layout):
        pid = supervisord_pid(layout)
        if pid and alive(pid):
            raise SettingError(f"supervisord (pid {pid}) does not answer on {layout.socket}; "
                               f"stop it with: kill {pid}")
        stop_unsupervised(layout)
        print("supervisord: not running")
        return OK
    supervisor = rpc(layout)
    if service is not None:
        if any(info["statename"] not in ("STOPPED", "EXITED", "FATAL")
               for info in processes(layout, service)):
            supervisor.stopProcessGroup(service, True)
        print(f"{service}: stopped")
        return OK
    pids = [info["pid"] for info in processes(layout) if info["pid"]]
    supervisor.stopAllProcesses(True)  # each gets TERM, then KILL after stopwaitsecs
    pid = supervisord_pid(layout)
    supervisor.shutdown()
    gone = wait_for(lambda: not any(alive(p) for p in [pid, *pids] if p), STOP_TIMEOUT_SECONDS)
    print("supervisord: stopped, with every service" if gone else
          f"supervisord: asked to stop, yet a process is still alive: {[pid, *pids]}")
    return OK if gone else NOT_RUNNING


def health_report(layout):
    """The gateway's /health answer as ``(summary, {service: entry})``; None when it gave none."""
    url = health_url(recorded_environment(layout.config.read_text()))
    try:
        response = requests.get(url, timeout=HEALTH_TIMEOUT_SECONDS)
        report = response.json()
    except requests.RequestException as error:
        return f"gateway {url}: no answer ({type(error).__name__})", None
    except ValueError:
        return f"gateway {url}: {response.status_code}, not JSON", None
    return (f"gateway {url}: {response.status_code} {report.get('status')}",
            report.get("services", {}))


def uptime(seconds):
    return str(dt.timedelta(seconds=max(0, int(seconds))))


def process_lines(infos, health=None):
    """One line per process: supervisord's state, pid and uptime (as of supervisord's ``now``
    in each info), and its service's health."""
    lines = []
    for info in infos:
        state = info["statename"]
        if state in ("RUNNING", "STARTING", "STOPPING") and info["pid"]:
            detail = f"pid {info['pid']}, uptime {uptime(info['now'] - info['start'])}"
        elif state == "BACKOFF":
            detail = "exited too quickly; retrying"
        elif state in ("EXITED", "FATAL"):
            detail = f"exit status {info['exitstatus']}; {info['description'] or info['spawnerr']}"
        else:
            detail = info["description"]
        line = f"{info['name']:<13} {state:<9} {detail}"
        if health is not None and info["group"] in health:
            entry = dict(health[info["group"]])
            status = entry.pop("status", "?")
            entry.pop("service", None)
            extra = ", ".join(f"{key}={value}" for key, value in entry.items())
            line += f"  health {status}" + (f" ({extra})" if extra else "")
        lines.append(line)
    return lines


def status(layout, service=None):
    check_service(service)
    if not answering(layout):
        print(f"supervisord: not running (no answer on {layout.socket})")
        for name in [service] if service else discover_services():
            print(f"{name:<13} STOPPED")
        return NOT_RUNNING
    infos = processes(layout, service)
    gateway_up = any(info["group"] == "gateway" and info["statename"] == "RUNNING"
                     for info in processes(layout, "gateway"))
    summary, health = (health_report(layout) if gateway_up
                       else ("gateway not running: no health check", None))
    for line in process_lines(infos, health):
        print(line)
    print(summary)
    if not all(info["statename"] in UP_STATES for info in infos):
        return NOT_RUNNING
    services = set(discover_services()) - {"gateway"}
    if health is None or any(health.get(info["group"], {}).get("status") != "ok"
                             for info in infos if info["group"] in services):
        return NOT_HEALTHY
    return OK


def main(argv=None, environ=None):
    parser = argparse.ArgumentParser(prog="deploy/services.sh", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["start", "stop", "restart", "status"])
    parser.add_argument("service", nargs="?", help="one service; all of them when left out")
    args = parser.parse_args(argv)
    environ = dict(os.environ if environ is None else environ)
    layout = layout_from(environ)
    try:
        if args.command == "start":
            return start(layout, environ, args.service)
        if args.command == "stop":
            return stop(layout, args.service)
        if args.command == "restart":
            stop(layout, args.service)
            return start(layout, environ, args.service)
        return status(layout, args.service)
    except SettingError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
