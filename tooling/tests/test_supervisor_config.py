"""The generated supervisord configuration, read back by supervisord's own parser, and the
status lines built from what supervisord reports."""
import os
import signal
import stat
import subprocess
import sys

import pytest
from supervisor.datatypes import RestartUnconditionally
from supervisor.options import ServerOptions

from tooling import supervise
from tooling.supervise import main, process_lines
from tooling.supervisor_config import (
    Layout,
    SettingError,
    discover_services,
    own_broker_user,
    recorded_environment,
    render,
)


def parsed(tmp_path, environ):
    """The program processes supervisord would run for this environment: name -> config."""
    layout = Layout(tmp_path / "var")
    layout.log_dir.mkdir(parents=True)
    layout.run_dir.mkdir()
    layout.config.write_text(render(layout, environ, python="/opt/python"))
    options = ServerOptions()
    options.realize(args=["-c", str(layout.config)])
    return {process.name: (group.name, process)
            for group in options.process_group_configs for process in group.process_configs}


def test_one_restarting_program_per_service_logging_to_var_log(tmp_path):
    processes = parsed(tmp_path, {})
    assert sorted(processes) == sorted([*discover_services(), "health_watch"])
    group, visits = processes["visits"]
    assert visits.command == ("/opt/python -m nameko run --config deploy/config.yml "
                              "services.visits.service:VisitsService")
    assert visits.stdout_logfile == str(tmp_path / "var" / "log" / "visits.log")
    assert visits.autorestart is RestartUnconditionally
    assert (visits.startsecs, visits.stopwaitsecs) == (1, 15)
    assert visits.redirect_stderr and visits.killasgroup
    # nothing overridden but its metrics port (on by default, one per process): the rest is
    # deploy/config.yml's defaults
    assert set(visits.environment) == {"OPERATIONS_ADDRESS", "OPERATIONS_PORT_OFFSET"}


def test_the_gateway_starts_after_every_other_service(tmp_path):
    processes = parsed(tmp_path, {})
    gateway = processes["gateway"][1]
    assert all(gateway.priority > processes[name][1].priority
               for name in discover_services() if name != "gateway")
    assert discover_services()[-1] == "gateway"


def test_config_overrides_reach_every_service_as_they_were_given(tmp_path):
    environ = {"AMQP_URI": "amqp://u:50%off,x@localhost:5672/v", "EVENT_RETRY_DELAYS": "0.2,0.5",
               "GATEWAY_ADDRESS": "127.0.0.1:18080", "HOME": "/root", "PYTHONWARNINGS": "ignore"}
    processes = parsed(tmp_path, environ)
    expected = {name: environ[name] for name in
                ("AMQP_URI", "EVENT_RETRY_DELAYS", "GATEWAY_ADDRESS", "PYTHONWARNINGS")}
    metrics = ("OPERATIONS_ADDRESS", "OPERATIONS_PORT_OFFSET")  # each process's own port
    assert {name: {key: value for key, value in config.environment.items()
                   if key not in metrics}
            for name, (_, config) in processes.items()} == {name: expected for name in processes}
    recorded = recorded_environment((tmp_path / "var" / "supervisord.conf").read_text())
    assert {key: value for key, value in recorded.items() if key not in metrics} == expected


def test_instances_run_as_numbered_processes_with_a_log_each(tmp_path):
    processes = parsed(tmp_path, {"INSTANCES_VISITS": "2", "INSTANCES_ESCALATIONS": "1"})
    assert [name for name, (group, _) in processes.items() if group == "visits"] == [
        "visits-0", "visits-1"]
    assert processes["visits-1"][1].stdout_logfile.endswith("/log/visits-1.log")
    assert processes["escalations"][0] == "escalations"


@pytest.mark.parametrize("environ, named", [
    ({"INSTANCES_GATEWAY": "2"}, "INSTANCES_GATEWAY=2: the gateway binds one port"),
    ({"INSTANCES_VISIT": "2"}, "INSTANCES_VISIT: there is no such service"),
    ({"INSTANCES_VISITS": "0"}, "INSTANCES_VISITS='0': must be a whole number from 1"),
    ({"INSTANCES_VISITS": "two"}, "INSTANCES_VISITS='two'"),
    ({"AMQP_URI": 'amqp://a"b@host/'}, "AMQP_URI="),
    ({"STORE_URI": "embedded:var/data ;old"}, "STORE_URI="),
    ({"HEALTH_RESTART_SECONDS": "soon"}, "HEALTH_RESTART_SECONDS='soon': must be 0"),
    ({"HEALTH_RESTART_SECONDS": "2"}, "or seconds from 5 to 86400"),
])
def test_a_setting_that_cannot_work_is_refused_by_name_and_nothing_started(
        tmp_path, capsys, environ, named):
    with pytest.raises(SettingError) as refused:
        render(Layout(tmp_path / "var"), environ)
    assert named in str(refused.value)

    # the command refuses before it declares a queue or writes a file
    environ = {"VAR_DIR": str(tmp_path / "var"), "AMQP_URI": "amqp://nowhere.invalid/", **environ}
    assert main(["start"], environ) == 2
    assert named in capsys.readouterr().err
    assert not (tmp_path / "var").exists()


def test_the_health_watch_listens_to_ticks_and_logs_apart(tmp_path):
    group, watch = parsed(tmp_path, {"HEALTH_RESTART_SECONDS": "30"})["health_watch"]
    assert watch.command == "/opt/python -m tooling.health_watch"
    assert watch.stderr_logfile == str(tmp_path / "var" / "log" / "health_watch.log")
    assert watch.environment == {"HEALTH_RESTART_SECONDS": "30"}


def test_a_runtime_folder_too_long_for_a_unix_socket_is_refused(tmp_path):
    with pytest.raises(SettingError, match="VAR_DIR=.*too long"):
        render(Layout(tmp_path / ("x" * 100)), {})


def info(name, state, pid=0, group=None, **extra):
    return {"name": name, "group": group or name, "statename": state, "pid": pid,
            "start": 1000, "now": 1065, "exitstatus": 0, "description": "", "spawnerr": "", **extra}


def test_status_lines_show_the_new_pid_and_health_never_a_dead_one():
    lines = process_lines([
        info("visits", "STARTING", pid=4321),
        info("escalations", "RUNNING", pid=99, start=0),
        info("monitor", "FATAL", exitstatus=1, description="Exited too quickly"),
        info("assignments", "BACKOFF"),
    ], health={"visits": {"service": "visits", "status": "not answering"},
                         "escalations": {"service": "escalations", "status": "ok",
                                         "outbox_pending": 3}})
    assert lines == [
        "visits        STARTING  pid 4321, uptime 0:01:05  health not answering",
        "escalations   RUNNING   pid 99, uptime 0:17:45  health ok (outbox_pending=3)",
        "monitor       FATAL     exit status 1; Exited too quickly",
        "assignments   BACKOFF   exited too quickly; retrying",
    ]


def test_stop_also_ends_services_the_pid_file_script_started(tmp_path, capsys):
    # a system started before supervision (var/run/<service>.pid) must not keep the port
    run_dir = tmp_path / "var" / "run"
    run_dir.mkdir(parents=True)
    # the command line as the former script ran it; the process itself only sleeps
    unsupervised = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "run",
                                     "services.visits.service:VisitsService"])
    unrelated = subprocess.Popen(["sleep", "60"])  # holds a pid a stale pid file names
    try:
        (run_dir / "visits.pid").write_text(f"{unsupervised.pid}\n")
        (run_dir / "monitor.pid").write_text(f"{unrelated.pid}\n")
        assert main(["stop"], {"VAR_DIR": str(tmp_path / "var")}) == 0
        assert unsupervised.wait(timeout=5) == -signal.SIGTERM
        assert unrelated.poll() is None
    finally:
        unsupervised.kill()
        unrelated.kill()
        unrelated.wait()
    assert not (run_dir / "visits.pid").exists() and not (run_dir / "monitor.pid").exists()
    assert f"visits: stopped (pid {unsupervised.pid}, started without supervision)" in (
        capsys.readouterr().out)


def test_the_services_get_the_token_key_files_path_never_the_key(tmp_path):
    # deploy/up.sh: the key stays in var/secrets; each service reads it at start
    key_file = str(tmp_path / "secrets" / "token_secret")
    processes = parsed(tmp_path, {"TOKEN_SECRET_FILE": key_file, "DEPLOYMENT_MODE": "production",
                                  "TOKEN_PREVIOUS_SECRETS": ""})
    for name in discover_services():
        environment = processes[name][1].environment
        assert environment["TOKEN_SECRET_FILE"] == key_file
        assert environment["DEPLOYMENT_MODE"] == "production"
        assert "TOKEN_SECRET" not in environment


def test_each_service_connects_as_its_own_broker_user_at_the_given_broker(tmp_path):
    # issue 19: the passwords deploy/secrets.sh keeps, at the environment's broker and vhost
    secrets_dir = tmp_path / "secrets"
    (secrets_dir / "rabbitmq").mkdir(parents=True)
    for name in ("visits", "gateway"):
        (secrets_dir / "rabbitmq" / name).write_text(f"{name}-password-0123456789\n")
    environ = {"AMQP_URI": "amqp://guest:guest@localhost:5672/vh", "BROKER_USER_SUFFIX": "-t1",
               "SAUSAT_SECRETS_DIR": str(secrets_dir)}
    assert own_broker_user(environ, "visits") == {
        "AMQP_URI": "amqp://visits-t1:visits-password-0123456789@localhost:5672/vh",
        "DECLARE_TOPOLOGY": "false"}
    assert own_broker_user(environ, "monitor") == {}  # no password kept: AMQP_URI as given


def test_the_written_config_is_owner_only_for_it_holds_the_services_passwords(
        tmp_path, monkeypatch):
    # var/supervisord.conf carries each service's AMQP_URI with its password
    layout = Layout(tmp_path / "var")
    monkeypatch.setattr(supervise.subprocess, "run", lambda *args, **kwargs: None)
    monkeypatch.setattr(supervise, "wait_for", lambda *args, **kwargs: True)
    monkeypatch.setattr(supervise, "supervisord_pid", lambda layout: 1)
    for umask in (0o022, 0o000):
        previous = os.umask(umask)
        try:
            if layout.config.exists():
                layout.config.chmod(0o644)  # an older, readable one: made owner-only again
            supervise.launch(layout, {"TOKEN_SECRET": "k" * 40})
        finally:
            os.umask(previous)
        assert stat.S_IMODE(layout.config.stat().st_mode) == 0o600
        assert "[program:gateway]" in layout.config.read_text()
