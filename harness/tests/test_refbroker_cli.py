"""refbroker's command line: bad flags fail with exit 2 and name the flag;
--help and --list-fault-points exit 0; --list-fault-points prints exactly
the registry in reference/broker/fault_points.h (name TAB meaning)."""
import re
import signal
import subprocess

import pytest

from conftest import REPO, binary
from kafka_util import rb


def run(*args):
    return subprocess.run([binary("refbroker")] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=30)


@pytest.mark.parametrize("flag,value", [
    ("--fsync", "sometimes"), ("--listen", "nowhere"), ("--default-partitions", "0"),
    ("--auto-create-topics", "maybe"), ("--segment-bytes", "12xb"), ("--bogus-flag", "1"),
])
def test_bad_flag_exits_2_naming_it(flag, value, tmp_path):
    r = run("--data-dir", str(tmp_path), flag, value)
    assert r.returncode == 2
    assert flag in r.stderr.decode()


def test_help_and_missing_data_dir():
    r = run("--help")
    assert r.returncode == 0 and b"--fsync" in r.stdout and b"--listen" in r.stdout
    r = run("--listen", "127.0.0.1:0")
    assert r.returncode == 2 and b"--data-dir" in r.stderr


def test_list_fault_points_matches_the_registry():
    r = run("--list-fault-points")
    assert r.returncode == 0
    printed = [l.split("\t") for l in r.stdout.decode().splitlines()]
    header = (REPO / "reference/broker/fault_points.h").read_text()
    names = dict(re.findall(r'#define (FP_\w+) "([^"]+)"', header))
    meanings = re.findall(r'X\((FP_\w+), "([^"]+)"\)', header)
    assert printed == [[names[k], v] for k, v in meanings]


def test_sigterm_and_sigint_stop_cleanly(rb):
    for sig in (signal.SIGTERM, signal.SIGINT):
        b = rb(name=f"sig{int(sig)}")
        b.signal(sig)
        assert b.wait() == 0
        assert "shutting down" in b.output() and "stopped" in b.output()
