"""faults/points.md, faults/README.md and the fault-point registry agree.

The registries are reference/broker/fault_points.h and
reference/stream/fault_points.h; `spfaultctl points`
prints what the schedule checker was built with, `refbroker
--list-fault-points` what the broker has. Every point must be documented
in points.md with the registry's own description, and the README's
annotated example must be a valid schedule.
"""
import re
import subprocess
from pathlib import Path

import pytest

from conftest import BIN_DIR, REPO, binary

POINTS_MD = REPO / "faults" / "points.md"


def registry(section):
    out = subprocess.run([binary("spfaultctl"), "points"], capture_output=True, text=True,
                         check=True).stdout
    points, current = {}, None
    for line in out.splitlines():
        if line.startswith("# "):
            current = line[2:].split(" (")[0]
        elif current == section:
            name, _, where = line.partition("\t")
            points[name] = where
    return points


def documented(prefix):
    rows = re.findall(r"^\| `(" + prefix + r"[^`]+)` \| ([^|]+) \|", POINTS_MD.read_text(), re.M)
    return {name: where.strip() for name, where in rows}


def test_every_refbroker_point_is_documented_with_its_meaning():
    reg = registry("refbroker")
    assert len(reg) >= 9
    assert documented("refbroker/") == reg


def test_refbroker_binary_lists_the_same_points():
    path = BIN_DIR / "refbroker"
    if not path.exists():
        pytest.skip("refbroker is not built in this tree")
    out = subprocess.run([str(path), "--list-fault-points"], capture_output=True, text=True,
                         check=True).stdout
    listed = dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)
    assert listed == registry("refbroker")


def test_every_refstream_point_is_documented_with_its_meaning():
    reg = registry("refstream")
    assert len(reg) >= 3
    assert documented("refstream/") == reg


def test_refstream_binary_lists_the_same_points():
    out = subprocess.run([binary("refstream"), "--list-fault-points"], capture_output=True,
                         text=True, check=True).stdout
    listed = dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)
    assert listed == registry("refstream")


def test_posix_points_in_the_disk_table_exist():
    reg = registry("posix preload")
    assert len(reg) == 113
    for name in re.findall(r"`((?:posix|linux)/io/[a-z_/]+)`", POINTS_MD.read_text()):
        assert name in reg, name


def test_readme_example_is_a_valid_schedule(tmp_path):
    text = (REPO / "faults" / "README.md").read_text()
    example = re.search(r"```yaml\n(# Annotated example.*?)```", text, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example)
    r = subprocess.run([binary("spfaultctl"), "check", str(path), "--producers", "2",
                        "--consumers", "3", "--processor"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "# seed 42," in r.stdout
    for fault_id in ("broker-crash", "consumer-crash-loop", "disk-full", "skewed-clock", "rst"):
        assert fault_id in r.stdout
