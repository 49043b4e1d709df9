"""What the run ran on, and what each service process used, read from /proc.

Example::

    describe_machine(rabbitmq_version="3.10.8")   # {"cores": 2, "memory": "23.4 GiB", ...}
    cpu_seconds(pid)                                # utime + stime so far, in seconds
    rss_megabytes(pid)                              # resident set size now
    broker_pid()                                    # RabbitMQ's VM, or None
    settle()                                        # back when the machine is quiet
"""
import logging
import os
import pathlib
import platform
import subprocess
import time

from shared.config import ROOT

_log = logging.getLogger("bench")

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
QUIET_CORES = 0.3  # busy below this (in cores, over a second) counts as quiet
SETTLE_SECONDS = 60  # waited at most


def _first(path, prefix):
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def git_commit():
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                capture_output=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, text=True,
                               capture_output=True, timeout=10).stdout.strip()
        return commit + (" (with uncommitted changes)" if dirty else "") if commit else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def describe_machine(rabbitmq_version):
    memory_kb = _first("/proc/meminfo", "MemTotal")
    memory = f"{int(memory_kb.split()[0]) / 1024**2:.1f} GiB" if memory_kb != "?" else "?"
    return {
        "cores": os.cpu_count(),
        "memory": memory,
        "CPU": _first("/proc/cpuinfo", "model name"),
        "OS": _os_name(),
        "Python": platform.python_version(),
        "RabbitMQ": rabbitmq_version,
        "git commit": git_commit(),
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _os_name():
    try:
        with open("/etc/os-release") as handle:
            for line in handle:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def cpu_seconds(pid):
    """User plus system CPU time of process ``pid`` so far (fields 14 and 15 of stat)."""
    with open(f"/proc/{pid}/stat") as handle:
        # the command name (field 2) may hold spaces: split after its closing parenthesis
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def broker_pid(base=None):
    """The pid of the RabbitMQ node deploy/rabbitmq.sh runs (its ``rabbitmq.pid`` under
    ``RABBITMQ_BASE``), or None when there is no live Erlang VM behind it (another broker:
    its CPU is then not measured). Its CPU is the whole node's, other vhosts' work included."""
    base = pathlib.Path(base or os.environ.get("RABBITMQ_BASE") or ROOT / "var" / "rabbitmq")
    try:
        pid = int((base / "rabbitmq.pid").read_text().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            alive = b"beam" in handle.read()
    except (OSError, ValueError):
        return None
    return pid if alive else None


def rss_megabytes(pid):
    value = _first(f"/proc/{pid}/status", "VmRSS")
    return int(value.split()[0]) / 1024 if value != "?" else None


def cpu_ticks():
    """The machine's CPU ticks so far, all and stolen (``/proc/stat``): time the hypervisor gave
    to others while this machine's processes were ready to run, which makes each slower."""
    fields = [int(x) for x in pathlib.Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return {"all": sum(fields[:8]), "steal": fields[7], "idle": fields[3] + fields[4]}


def settle(busy_below=QUIET_CORES, longest=SETTLE_SECONDS):
    """Wait until the machine is quiet: a load leaves work behind (mails, the audit, the
    brief's copies, checkpoints) that would otherwise compete with the next one. Measured
    without it, whichever of two loads went second was the slower in 5 of 6 rounds."""
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        before = cpu_ticks()
        time.sleep(1.0)
        after = cpu_ticks()
        spent = after["all"] - before["all"]
        idle = after["idle"] - before["idle"]
        cores = os.cpu_count() or 1
        if spent and (spent - idle) / spent * cores < busy_below:
            return
    _log.warning("the machine did not fall quiet within %d s; measuring anyway", longest)
