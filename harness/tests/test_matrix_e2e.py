"""streamproof matrix end to end (issue 7): the same workload under each
delivery semantics crossed with faults, every cell a real `streamproof run`
against the embedded refbroker, then one table, one plot and one page.

The quick tests run a reduced matrix (3 semantics x {none, consumer-crash},
short runs) and check what a researcher reads off it: at-most-once loses
under a consumer crash and is still valid, at-least-once redelivers and
loses nothing, exactly-once does neither; the table agrees with each cell's
own verdict.json; a cell that cannot run is reported with its exit code and
reason and the matrix exits non-zero. The full default matrix is `slow`.
"""
import csv
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import SLOWDOWN, binary, free_port, wait_for
from test_report_e2e import check_offline, check_svg, chromium, images_loaded, png_size
from test_run_support import assert_no_leftover_processes

EXIT_OK, EXIT_INVALID, EXIT_UNKNOWN, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
SEMANTICS = ("at_most_once", "at_least_once", "exactly_once")
# The reduced matrix: the shipped workload shortened (the consumer crash
# still kills twice: at 3 s and 5.5-6 s), every semantics, no fault and a
# consumer crash.
SHORT = ["--set", "warmup_s=1", "--set", "duration_s=6"]


def matrix(args, out, timeout_s=600, env=None):
    """Runs streamproof matrix ARGS --out OUT; returns the CompletedProcess."""
    full_env = dict(os.environ)
    full_env.pop("SP_TEST_CONSUMER_BUG", None)
    full_env.update(env or {})
    argv = [binary("streamproof"), "matrix", *map(str, args), "--out", str(out)]
    return subprocess.run(argv, capture_output=True, text=True, env=full_env, timeout=timeout_s * SLOWDOWN)


def explain(p):
    return f"exit {p.returncode}\nstdout:\n{p.stdout[-6000:]}\nstderr:\n{p.stderr[-6000:]}"


def cells(out):
    """matrix.csv as {(semantics, fault): row}."""
    with open(Path(out) / "matrix.csv", newline="") as f:
        return {(r["semantics"], r["fault"]): r for r in csv.DictReader(f)}


def runs(out):
    with open(Path(out) / "matrix-runs.csv", newline="") as f:
        return list(csv.DictReader(f))


def num(row, key):
    return float(row[key])


def verdict_counts(run_dir):
    """lost, duplicated, redelivered and the verdict straight from a cell's verdict.json."""
    import json
    v = json.loads((Path(run_dir) / "verdict.json").read_text())
    a = v["anomalies"]
    return (a["lost-write"]["count"] + a["unseen"]["count"], a["duplicate"]["count"], a["redelivered"]["count"],
            v["verdict"])


@pytest.fixture(scope="module")
def reduced(tmp_path_factory):
    """One reduced matrix shared by the tests that read it (about a minute
    in a sanitizer build)."""
    out = tmp_path_factory.mktemp("matrix") / "m"
    p = matrix(["--faults", "none,consumer-crash", *SHORT], out)
    return out, p


def test_reduced_matrix_shows_each_semantics_promise(reduced):
    out, p = reduced
    assert p.returncode == EXIT_OK, explain(p)
    table = cells(out)
    assert set(table) == {(s, f) for s in SEMANTICS for f in ("none", "consumer-crash")}
    for key, row in table.items():
        assert row["state"] == "ran", (key, row)
        assert row["verdict"] == "valid", (key, row)

    amo, alo, eo = (table[(s, "consumer-crash")] for s in SEMANTICS)
    # at-most-once: committed before processing, so a crash loses the rest of the batch
    assert num(amo, "lost") > 0, amo
    assert num(amo, "redelivered") == 0 and num(amo, "duplicated") == 0, amo
    # at-least-once: processed before committing, so a crash repeats, never loses
    assert num(alo, "redelivered") > 0, alo
    assert num(alo, "lost") == 0, alo
    # exactly-once: neither
    assert num(eo, "lost") == 0 and num(eo, "redelivered") == 0 and num(eo, "duplicated") == 0, eo
    for s in SEMANTICS:
        base = table[(s, "none")]
        assert num(base, "lost") == 0 and num(base, "redelivered") == 0 and num(base, "duplicated") == 0
        assert num(base, "consume_ratio") == 1 and num(base, "e2e_p99_ratio") == 1
        crash = table[(s, "consumer-crash")]
        # the cost columns are against the same semantics' no-fault cell
        assert num(crash, "e2e_p99_ratio") == pytest.approx(num(crash, "e2e_p99_ms") / num(base, "e2e_p99_ms"))
        assert num(crash, "consume_ratio") == pytest.approx(
            num(crash, "consume_msgs_per_s") / num(base, "consume_msgs_per_s"))

    # every consumer-crash run really injected its kills
    for r in runs(out):
        if r["fault"] == "consumer-crash":
            assert float(r["faults_injected"]) >= 2, r
        else:
            assert float(r["faults_injected"]) == 0, r


def test_cells_are_ordinary_recheckable_results_folders(reduced):
    out, p = reduced
    assert p.returncode == EXIT_OK, explain(p)
    for r in runs(out):
        run_dir = out / r["results"]
        assert (run_dir / "summary.json").is_file() and (run_dir / "verdict.json").is_file()
        assert (run_dir / "index.html").is_file(), "the run's own report"
        assert_no_leftover_processes(run_dir)
        # the table says what the folder says
        lost, dup, redelivered, verdict = verdict_counts(run_dir)
        assert (float(r["lost"]), float(r["duplicated"]), float(r["redelivered"]), r["verdict"]) == \
            (lost, dup, redelivered, verdict)
        # and the folder can be checked again offline, with the same verdict
        check = subprocess.run([binary("streamproof"), "check", str(run_dir), "--quiet"], capture_output=True,
                               text=True, timeout=120 * SLOWDOWN)
        assert check.returncode == 0, check.stdout + check.stderr
        assert verdict_counts(run_dir) == (lost, dup, redelivered, verdict)


def test_table_plot_and_page(reduced, tmp_path):
    out, p = reduced
    assert p.returncode == EXIT_OK, explain(p)
    # printed: the table with one line per cell, the files
    for s in SEMANTICS:
        assert any(line.startswith(s) and "consumer-crash" in line and "valid" in line
                   for line in p.stdout.splitlines()), p.stdout
    assert f"page:  {out}/index.html" in p.stdout
    md = (out / "matrix.md").read_text()
    assert "| semantics | fault | verdict | lost |" in md
    rows = [line for line in md.splitlines() if line.startswith(tuple(f"| {s} |" for s in SEMANTICS))]
    assert len(rows) == 6 + 3  # the matrix, then the cost of each semantics without faults
    assert "![loss, duplication and cost per cell](matrix.png)" in md

    assert png_size(out / "matrix.png") == (1400, 1000)
    assert (out / "matrix.png").stat().st_size > 20000
    check_svg(out / "matrix.svg")
    log = (out / "logs" / "gnuplot.log").read_text()
    assert "warning" not in log.lower() and "error" not in log.lower(), log

    html = (out / "index.html").read_text()
    check_offline(html)
    for r in runs(out):
        assert f'href="{r["results"]}/index.html"' in html  # each cell's own report
        assert f'href="{r["log"]}"' in html
    assert 'href="matrix.csv"' in html and 'href="matrix.md"' in html
    dom = chromium(out / "index.html", tmp_path, screenshot=tmp_path / "page.png")
    expected, loaded, failed = images_loaded(dom)
    assert expected == 1 and loaded == 1 and failed == 0


def test_a_cell_that_cannot_run_is_reported_and_fails_the_matrix(tmp_path):
    """Nothing listens at --bootstrap: the no-fault cell's run cannot reach
    the broker (exit 4); the broker crash cannot be injected into a remote
    broker at all (not available). The matrix still writes its table and
    page, says why, and exits 4."""
    out = tmp_path / "m"
    port = free_port()
    p = matrix(["--semantics", "at_least_once", "--faults", "none,broker-crash", "--bootstrap",
                f"127.0.0.1:{port}", *SHORT], out, timeout_s=120)
    assert p.returncode == EXIT_FAILED, explain(p)
    table = cells(out)
    none, crash = table[("at_least_once", "none")], table[("at_least_once", "broker-crash")]
    assert none["state"] == "failed" and none["runs_failed"] == "1"
    assert f"cannot reach the broker at 127.0.0.1:{port}" in none["reason"]
    assert crash["state"] == "not available" and "embedded refbroker" in crash["reason"]
    (run,) = [r for r in runs(out) if r["fault"] == "none"]
    assert run["exit_code"] == "4" and (out / run["log"]).is_file()
    assert "FAILED (exit 4)" in p.stdout
    assert "cannot reach the broker" in (out / "matrix.md").read_text()
    html = (out / "index.html").read_text()
    assert "FAILED (exit 4)" in html and "cannot reach the broker" in html
    assert not (out / "matrix.png").exists()  # nothing ran: nothing to plot, and the page says so
    assert "No plot" in html


def test_processor_column_runs_the_shipped_processor(tmp_path):
    """The shipped workload has a stream processor (processor: section):
    the processor-crash column runs, the processor is killed and restarted
    twice, and the cell is valid, its stream output included."""
    import json
    out = tmp_path / "m"
    p = matrix(["--semantics", "at_least_once,exactly_once", "--faults", "processor-crash", *SHORT], out)
    assert p.returncode == EXIT_OK, explain(p)
    for sem in ("at_least_once", "exactly_once"):
        row = cells(out)[(sem, "processor-crash")]
        assert row["state"] == "ran" and row["verdict"] == "valid", row
        # the processor column: its output exactly the recomputed one, after restarts
        assert row["processor_verdict"] == "valid", row
        assert num(row, "processor_findings") == 0 and num(row, "processor_restarts") >= 1, row
        assert num(row, "processor_results_written") == num(row, "processor_results_expected") > 0, row
        # the printed table says so too: "exact W/E, N restart(s)"
        line = next(x for x in p.stdout.splitlines() if x.startswith(sem) and "processor-crash" in x)
        m = re.search(r"exact (\d+)/(\d+), (\d+) restarts?", line)
        assert m, line
        assert m.group(1) == m.group(2) and int(m.group(3)) >= 1, line
        assert int(m.group(1)) == num(row, "processor_results_expected"), (line, row)
    assert "| processor |" in (out / "matrix.md").read_text()
    for r in runs(out):
        run_dir = out / r["results"]
        faults = [json.loads(x) for x in (run_dir / "faults.jsonl").read_text().splitlines()]
        assert any(f["target"] == "processor" and f["action"] == "inject" and f["result"] == "ok" for f in faults)
        v = json.loads((run_dir / "verdict.json").read_text())
        assert v["stream"]["verdict"] == "valid" and v["stream"]["totals"]["input_records"] > 0
        # the run's row is what its folder says
        summary = json.loads((run_dir / "summary.json").read_text())
        assert float(r["processor_restarts"]) == summary["processor"]["restarts"] >= 1, r
        assert float(r["processor_results_written"]) == v["stream"]["totals"]["written"]["output"], r
        assert float(r["processor_findings"]) == sum(f["count"] for f in v["stream"]["findings"].values()), r


def test_processor_column_without_a_stream_processor(tmp_path):
    """A workload without a stream processor (here the shipped one with
    processor.job=null) makes streamproof run refuse the processor
    schedule: the column says "not available", once, and the matrix does
    not count it as a failure."""
    out = tmp_path / "m"
    p = matrix(["--semantics", "at_least_once,exactly_once", "--faults", "processor-crash",
                "--set", "processor.job=null", *SHORT], out)
    assert p.returncode == EXIT_OK, explain(p)
    table = cells(out)
    assert {row["state"] for row in table.values()} == {"not available"}, table
    for row in table.values():
        assert "not available" in row["reason"] and "no stream processor" in row["reason"]
    # tried once: the second semantics is not run against the same workload again
    assert len(list((out / "logs").glob("*.processor-crash.*.log"))) == 1
    assert "processor-crash (every semantics): not available" in p.stdout


@pytest.mark.parametrize("args, message", [
    (["--semantics", "twice"], "unknown semantics 'twice'"),
    (["--set", "semantics=exactly_once"], "use --semantics"),
    (["--set", "duratoin_s=3"], "duratoin_s"),
    (["--faults", "none,consumer-crsh"], "no such schedule in faults/matrix/"),
    (["--set", "duration_s=1", "--set", "warmup_s=0"], "the 'consumer-crash' cells would run without a fault"),
])
def test_usage_errors_stop_before_any_run(tmp_path, args, message):
    out = tmp_path / "m"
    p = matrix(args, out, timeout_s=30)
    assert p.returncode == EXIT_USAGE, explain(p)
    assert message in p.stderr, p.stderr
    assert not out.exists(), "nothing may start before the inputs are checked"


def test_out_must_be_empty(tmp_path):
    out = tmp_path / "m"
    out.mkdir()
    (out / "old").write_text("x")
    p = matrix([], out, timeout_s=30)
    assert p.returncode == EXIT_USAGE and "refusing to mix" in p.stderr, explain(p)


def test_interrupt_stops_the_running_cell(tmp_path):
    """Ctrl-C: the running cell's run is stopped (with everything it
    started), the rest is not run, the table says so, exit 130."""
    out = tmp_path / "m"
    env = dict(os.environ)
    env.pop("SP_TEST_CONSUMER_BUG", None)
    proc = subprocess.Popen([binary("streamproof"), "matrix", "--faults", "none", "--semantics", "at_least_once,exactly_once",
                             "--set", "duration_s=60", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        log = out / "logs" / "at_least_once.none.1.log"
        wait_for(lambda: log.exists() and "load starts" in _all_logs(out / "at_least_once" / "none" / "run-1"),
                 60, "the first cell's producers to start")
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=90 * SLOWDOWN)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == EXIT_INTERRUPTED, f"{proc.returncode}\n{stdout}\n{stderr}"
    assert_no_leftover_processes(out / "at_least_once" / "none" / "run-1")
    table = cells(out)
    assert table[("at_least_once", "none")]["state"] == "failed"
    assert "interrupted" in table[("at_least_once", "none")]["reason"]
    assert table[("exactly_once", "none")]["state"] == "not run"
    assert "interrupted" in (out / "matrix.md").read_text()


def _all_logs(run_dir):
    logs = Path(run_dir) / "logs"
    return "".join(p.read_text(errors="replace") for p in logs.glob("*.log")) if logs.is_dir() else ""


@pytest.mark.slow
def test_repeat_reports_medians_and_spread(tmp_path):
    out = tmp_path / "m"
    p = matrix(["--semantics", "at_least_once", "--faults", "none", "--repeat", "3", *SHORT], out)
    assert p.returncode == EXIT_OK, explain(p)
    (row,) = cells(out).values()
    assert row["runs"] == "3" and row["runs_completed"] == "3" and row["runs_valid"] == "3"
    p99s = sorted(float(r["e2e_p99_ms"]) for r in runs(out))
    assert len(p99s) == 3
    assert float(row["e2e_p99_ms"]) == pytest.approx(p99s[1])
    assert float(row["e2e_p99_min"]) == pytest.approx(p99s[0])
    assert float(row["e2e_p99_max"]) == pytest.approx(p99s[2])
    assert "valid 3/3" in p.stdout


@pytest.mark.slow
def test_full_default_matrix(tmp_path):
    """`streamproof matrix` with no workload: the shipped default, all 3 x 4 cells."""
    out = tmp_path / "m"
    start = time.monotonic()
    p = matrix([], out, timeout_s=1800)
    assert p.returncode == EXIT_OK, explain(p)
    table = cells(out)
    assert len(table) == 12
    for (s, f), row in table.items():
        if f == "processor-crash":
            assert row["state"] in ("ran", "not available"), row
            continue
        assert row["state"] == "ran" and row["verdict"] == "valid", row
        if s == "exactly_once":
            assert num(row, "lost") == num(row, "redelivered") == num(row, "duplicated") == 0, row
    assert num(table[("at_most_once", "consumer-crash")], "lost") > 0
    assert num(table[("at_least_once", "consumer-crash")], "redelivered") > 0
    assert num(table[("at_least_once", "broker-crash")], "lost") == 0
    for s in SEMANTICS:
        assert num(table[(s, "broker-crash")], "duplicated") == 0, "an idempotent producer never duplicates"
    png_size(out / "matrix.png")
    print(f"full matrix: {time.monotonic() - start:.0f} s")
