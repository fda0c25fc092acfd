"""Report and compare on real runs of `streamproof run` (embedded
refbroker, a broker kill and restart mid-run): every plot drawn and valid,
the fault band where faults.jsonl says, the page rendered by headless
Chromium with every image loaded, and compare reading the real files.

Skipped until the streamproof command with `run` is built into SP_BIN_DIR;
`streamproof report`/`compare` are used when wired in, else the test
programs sp-report/sp-compare (the same functions)."""
import json
import subprocess
import textwrap

import pytest

from conftest import BIN_DIR, SLOWDOWN, binary
from test_report_e2e import SINGLE_PLOTS, check_offline, check_plots, chromium, images_loaded

WORKLOAD = """\
name: report-e2e
seed: 7
topics: 1
partitionsPerTopic: 2
producersPerTopic: 1
subscriptionsPerTopic: 1
consumerPerSubscription: 1
messageSize: 128
producerRate: 400
warmup_s: 1
duration_s: 6
drain_timeout_s: 60
semantics: at_least_once
producer:
  acks: all
broker:
  fsync: always
"""

FAULTS = """\
faults:
  - id: broker-crash
    kind: kill
    target: broker
    at_s: 3
    restart_after_s: 1
"""


def streamproof_command(sub):
    """argv prefix for `streamproof <sub>`, or the test program when the
    subcommand is not built into streamproof yet."""
    sp = BIN_DIR / "streamproof"
    probe = subprocess.run([str(sp), sub, "--help"], capture_output=True, text=True, timeout=30)
    if probe.returncode == 0:
        return [str(sp), sub]
    return [binary(f"sp-{sub}")]


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    if not (BIN_DIR / "streamproof").exists():
        pytest.skip("streamproof (with `run`) is not built in SP_BIN_DIR")
    tmp = tmp_path_factory.mktemp("real")
    (tmp / "w.yaml").write_text(WORKLOAD)
    (tmp / "f.yaml").write_text(FAULTS)
    out = tmp / "run"
    p = subprocess.run([str(BIN_DIR / "streamproof"), "run", str(tmp / "w.yaml"), "--faults", str(tmp / "f.yaml"),
                        "--out", str(out), "--quiet"], cwd=tmp, capture_output=True, text=True,
                       timeout=240 * SLOWDOWN)
    # 0: valid; 5: valid but the generator fell behind (a loaded sanitizer build)
    assert p.returncode in (0, 5), f"rc {p.returncode}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return out


def test_report_of_a_real_run(real_run, tmp_path):
    p = subprocess.run(streamproof_command("report") + [str(real_run)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    check_plots(real_run / "plots", SINGLE_PLOTS)
    bands = (real_run / "plots" / "faults.csv").read_text().splitlines()
    assert len(bands) == 2 and bands[0] == "start_s,end_s,label,row,label_s"
    start, end, label = bands[1].split(",")[:3]
    assert label == "broker-crash: kill broker"
    faults = [json.loads(line) for line in (real_run / "faults.jsonl").read_text().splitlines()]
    inject = next(f for f in faults if f["action"] == "inject")
    heal = next(f for f in faults if f["action"] == "heal")
    assert abs(float(start) - inject["t_s"]) < 1e-5 and abs(float(end) - heal["t_s"]) < 1e-5
    html = (real_run / "index.html").read_text()
    check_offline(html)
    summary = json.loads((real_run / "summary.json").read_text())
    assert f'verdict-{summary["verdict"]}' in html
    assert "%.3f" % summary["aggregatedPublishLatency99pct"] in html
    assert "Every file the report reads was present and readable." in html
    expected, loaded, failed = images_loaded(chromium(real_run / "index.html", tmp_path,
                                                      screenshot=tmp_path / "real.png"))
    assert (expected, loaded, failed) == (len(SINGLE_PLOTS), len(SINGLE_PLOTS), 0)


def test_compare_reads_real_runs(real_run):
    """Every headline figure of a real summary.json is found (no n/a), and a
    run compared with itself passes the count and verdict gates."""
    p = subprocess.run(streamproof_command("compare") + [
        str(real_run), str(real_run), "--max-regress", "forbidden-anomalies=0,nacked=0,p99=0%"],
        capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    table = p.stdout.split("\n\n")[1]
    names = [line.split(" ", 1)[0] for line in table.splitlines()[1:]]
    for name in ("throughput", "consume-throughput", "publish.p50", "publish.p99", "publish.p99.9",
                 "publish.max", "e2e.p50", "e2e.p99", "e2e.p99.9", "e2e.max", "publish-uncorrected.p99",
                 "e2e-uncorrected.p99", "late-fraction", "nacked", "indeterminate", "consumer-errors",
                 "forbidden-anomalies", "allowed-anomalies", "verdict"):
        assert name in names, f"{name} missing from\n{table}"
    assert "n/a" not in table, table
    assert textwrap.dedent(p.stdout).strip().splitlines()[-1] == "PASS: 4 limits held, verdict no worse"
