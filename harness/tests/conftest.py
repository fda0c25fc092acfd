"""Shared fixtures for streamproof's end-to-end tests.

Every server a test starts binds 127.0.0.1, dies with the test process
(PR_SET_PDEATHSIG) and is stopped by its PID in the fixture's finaliser, so a
failed or interrupted test leaves nothing running.

Binaries come from $SP_BIN_DIR (set by ctest), else <repo>/build/bin.
"""
import ctypes
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("SP_BIN_DIR", REPO / "build" / "bin"))
SANITIZED = os.environ.get("SP_SANITIZED", "0") in ("1", "ON", "TRUE", "true")
# Sanitizer builds run 2-5x slower: scale waits, never assertions on speed.
SLOWDOWN = 3.0 if SANITIZED else 1.0

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """preexec_fn: the child gets SIGKILL if the test process dies."""
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def binary(name):
    path = BIN_DIR / name
    if not path.exists():
        pytest.fail(f"{path} not built (set SP_BIN_DIR or build into {REPO}/build)")
    return str(path)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout_s, what, interval_s=0.02):
    """Polls cond() until it returns a truthy value; fails naming `what`."""
    deadline = time.monotonic() + timeout_s * SLOWDOWN
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(interval_s)
    pytest.fail(f"timed out after {timeout_s * SLOWDOWN:.1f}s waiting for {what}")


class Proc:
    """A child process with its output in a log file, stopped by PID."""

    def __init__(self, argv, log_path, env=None, cwd=None):
        self.argv = [str(a) for a in argv]
        self.log_path = Path(log_path)
        self.log = open(self.log_path, "ab")
        full_env = dict(os.environ)
        if SANITIZED:
            # leaks fail the process at exit; abort on the first error
            full_env.setdefault("ASAN_OPTIONS", "abort_on_error=1:detect_leaks=1")
            full_env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        full_env.update(env or {})
        self.popen = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=full_env, cwd=cwd,
                                      preexec_fn=_die_with_parent)
        self.pid = self.popen.pid

    def output(self):
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(errors="replace")

    def alive(self):
        return self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout_s=10):
        return self.popen.wait(timeout=timeout_s * SLOWDOWN)

    def stop(self, timeout_s=10):
        """SIGTERM, then SIGKILL if it does not exit in time. Returns the exit code."""
        if self.alive():
            os.kill(self.pid, signal.SIGCONT)  # a paused process cannot handle SIGTERM
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout_s * SLOWDOWN)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.popen.wait()
        self.log.close()
        return self.popen.returncode

    def kill9(self):
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            self.popen.wait()
        return self.popen.returncode


LISTEN_RE = re.compile(r"listening on (127\.0\.0\.1|[\d.]+):(\d+)")


class Broker(Proc):
    """A refbroker on 127.0.0.1:<free port> with its own data directory."""

    def __init__(self, data_dir, log_path, args=(), port=0, env=None):
        self.data_dir = Path(data_dir)
        self.extra = list(args)
        argv = [binary("refbroker"), "--listen", f"127.0.0.1:{port}",
                "--data-dir", str(self.data_dir)] + self.extra
        super().__init__(argv, log_path, env=env)
        m = wait_for(lambda: LISTEN_RE.search(self.output()) or (not self.alive() and "dead"),
                     10, f"refbroker to listen (log {log_path})")
        if m == "dead":
            pytest.fail(f"refbroker exited at start:\n{self.output()}")
        self.port = int(m.group(2))
        self.bootstrap = f"127.0.0.1:{self.port}"


@pytest.fixture
def bin_dir():
    return BIN_DIR


@pytest.fixture
def broker_factory(tmp_path):
    """Starts brokers on demand; all are stopped (by PID) at teardown."""
    started = []

    def start(data_dir=None, args=(), port=0, env=None, name="broker"):
        data_dir = data_dir or (tmp_path / f"{name}-data")
        b = Broker(data_dir, tmp_path / f"{name}.log", args=args, port=port, env=env)
        started.append(b)
        return b

    yield start
    for b in started:
        b.stop()


@pytest.fixture
def broker(broker_factory):
    """One refbroker with default flags."""
    return broker_factory()
