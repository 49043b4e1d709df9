"""Flame graphs of each service under load: py-spy attached to every service process while a
phase runs, one SVG per process (``flame-<service>.svg``) beside the report.

py-spy reads another process's memory, which needs root (or ptrace rights); a py-spy that
cannot attach or write is reported, not fatal: the run's figures do not depend on it.
Sampling is ``--nonblocking`` (the services are not paused to be read), so the profiled
phase's own figures are close to, not equal to, an unprofiled one's. Example::

    with FlameGraphs({"gateway": 4242, ...}, out_dir) as graphs:
        run_the_load()
    graphs.written      # {"gateway": "flame-gateway.svg", ...}
    graphs.failed       # {"monitor": "py-spy exited with 1: ..."}
"""
import pathlib
import shutil
import signal
import subprocess
import sys
from logging import getLogger

_log = getLogger(__name__)

RATE = 100  # samples per second: py-spy's default


def py_spy():
    """py-spy beside this Python (the venv's, requirements.txt), else on PATH, else None."""
    beside = pathlib.Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


class FlameGraphs:
    def __init__(self, pids, out_dir, rate=RATE):
        self.pids = dict(pids)  # process name → pid
        self.out_dir = pathlib.Path(out_dir)
        self.rate = rate
        self.written, self.failed = {}, {}
        self._recorders = {}

    def __enter__(self):
        program = py_spy()
        if program is None:
            self.failed = {name: "py-spy is not installed (requirements.txt)"
                           for name in self.pids}
            return self
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for name, pid in self.pids.items():
            self._recorders[name] = subprocess.Popen(
                [program, "record", "--pid", str(pid), "--rate", str(self.rate),
                 "--nonblocking", "--format", "flamegraph", "--output", str(self.svg(name))],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return self

    def svg(self, name):
        return self.out_dir / f"flame-{name}.svg"

    def __exit__(self, *exc):
        # py-spy writes its graph when interrupted, as after Ctrl-C
        for recorder in self._recorders.values():
            if recorder.poll() is None:
                recorder.send_signal(signal.SIGINT)
        for name, recorder in self._recorders.items():
            try:
                output, _ = recorder.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                recorder.kill()
                output, _ = recorder.communicate()
            if self.svg(name).exists():
                self.written[name] = self.svg(name).name
            else:
                self.failed[name] = (f"py-spy exited with {recorder.returncode}: "
                                     f"{(output or '').strip()[-300:]}")
                _log.error("no flame graph of %s: %s", name, self.failed[name])
