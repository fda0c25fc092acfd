"""streamproof report end to end: results folders (synthetic, written
exactly as results/README.md specifies) in, plots and index.html out;
every picture a valid PNG and SVG, the page rendered by headless Chromium
with every image loaded, and each way a results folder can be incomplete or
broken answered with a report that says so, or a clear error."""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, binary

sys.path.insert(0, str(REPO / "harness" / "report" / "tests"))
from synth_results import make_run  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Every plot of a one-run report and its pixel size (plots/*.gp defaults).
SINGLE_PLOTS = {
    "latency_percentiles": (1000, 600),
    "throughput": (1100, 500),
    "latency_e2e": (1100, 500),
    "latency_publish": (1100, 500),
    "backlog": (1100, 500),
    "anomalies": (1100, 500),
}


def report(*args, env=None, check_rc=0):
    """Runs sp-report; returns the CompletedProcess (rc checked unless None)."""
    p = subprocess.run([binary("sp-report"), *map(str, args)], capture_output=True, text=True,
                       timeout=120, env=env)
    if check_rc is not None:
        assert p.returncode == check_rc, f"rc {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}"
    return p


def png_size(path):
    """(width, height) from a PNG's IHDR; fails unless the file is a PNG."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def check_svg(path):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg"), f"{path}: root element {root.tag}"
    # Something is drawn: paths or polylines beyond the frame.
    drawn = [e for e in root.iter() if e.tag.endswith(("path", "polyline", "polygon", "rect"))]
    assert len(drawn) > 10, f"{path}: only {len(drawn)} drawn elements"


def check_plots(plots_dir, sizes):
    for name, size in sizes.items():
        png, svg = plots_dir / f"{name}.png", plots_dir / f"{name}.svg"
        assert png.stat().st_size > 2000, f"{png} is (nearly) empty"
        assert png_size(png) == size, f"{png}: {png_size(png)} != {size}"
        check_svg(svg)


def chromium(url_path, tmp_path, screenshot=None):
    """Loads a page from the file system in headless Chromium; returns the
    DOM after load (and takes a screenshot when asked)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (.ci/install-deps installs it)")
    profile = tmp_path / f"chromium-profile-{os.urandom(4).hex()}"
    profile.mkdir()
    url = Path(url_path).resolve().as_uri()
    args = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    dom = subprocess.run(args + ["--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    if screenshot:
        shot = subprocess.run(args + ["--window-size=1280,2400", f"--screenshot={screenshot}", url],
                              capture_output=True, text=True, timeout=120)
        assert shot.returncode == 0, shot.stderr[-2000:]
        w, h = png_size(screenshot)
        assert (w, h) == (1280, 2400)
    shutil.rmtree(profile, ignore_errors=True)
    return dom.stdout


def images_loaded(dom):
    """(expected, loaded, failed) from the body's data attributes."""
    body = re.search(r"<body[^>]*>", dom).group(0)

    def attr(name):
        m = re.search(name + r'="(\d+)"', body)
        assert m, f"body lacks {name}: {body}"
        return int(m.group(1))
    return attr("data-images"), attr("data-images-loaded"), attr("data-images-failed")


def check_offline(html):
    """Every link and image of the page is relative: it opens from the file
    system with no network."""
    for url in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert not re.match(r"^[a-z]+:", url) and not url.startswith("/"), f"non-relative URL {url}"
    assert "<script src" not in html and "<link" not in html


def test_report_of_a_run_with_faults_and_anomalies(tmp_path):
    run = make_run(tmp_path / "run", seconds=20, verdict="invalid",
                   faults=[(8, 10, "broker-crash", "kill", "broker"), (14, 15.5, "slow-link", "net", "link")],
                   anomalies={"redelivered": 40, "lost-write": 2})
    p = report(run)
    index = run / "index.html"
    assert p.stdout.strip() == f"report: {index.resolve()}"
    check_plots(run / "plots", SINGLE_PLOTS)

    # The fault windows the bands came from, converted from faults.jsonl.
    bands = (run / "plots" / "faults.csv").read_text().splitlines()
    assert bands[0] == "start_s,end_s,label,row,label_s"
    assert bands[1].startswith("8.000000,10.000000,broker-crash: kill broker,")
    assert bands[2].startswith("14.000000,15.500000,slow-link: net link,")
    log = (run / "plots" / "gnuplot.log").read_text()
    assert "warning" not in log.lower(), log
    anomalies = (run / "plots" / "anomalies.csv").read_text().splitlines()
    assert "lost-write,2,0" in anomalies and "redelivered,40,1" in anomalies

    html = index.read_text()
    check_offline(html)
    assert 'class="verdict verdict-invalid"' in html
    assert "sub-000 (at_least_once): 2 lost-write" in html          # the violation
    assert "history/consumer-0.hist" in html                         # an anomaly example
    assert "broker-crash: kill broker" in html and "killed by SIGKILL" in html  # fault tables
    summary = json.loads((run / "summary.json").read_text())
    assert "%.3f" % summary["aggregatedEndToEndLatency99pct"] in html  # corrected p99
    assert "%.3f" % summary["uncorrected"]["aggregatedEndToEndLatency99pct"] in html
    assert 'href="logs/broker.log"' in html

    dom = chromium(index, tmp_path, screenshot=tmp_path / "report.png")
    expected, loaded, failed = images_loaded(dom)
    assert (expected, loaded, failed) == (len(SINGLE_PLOTS), len(SINGLE_PLOTS), 0)


def test_report_again_replaces_the_first(tmp_path):
    run = make_run(tmp_path / "run", seconds=6)
    report(run)
    first = (run / "plots" / "throughput.png").stat().st_mtime_ns
    report(run, "--quiet")
    assert (run / "plots" / "throughput.png").stat().st_mtime_ns >= first
    assert not list(run.glob("*.tmp")) and not list((run / "plots").glob("*.tmp"))


def test_missing_optional_files_are_said_not_fatal(tmp_path):
    """No faults.jsonl and no verdict.json (a run made with --no-check): the
    report has no bands and no anomaly chart, and says why."""
    run = make_run(tmp_path / "run", seconds=6, omit=("faults.jsonl", "verdict.json"))
    report(run)
    check_plots(run / "plots", {k: v for k, v in SINGLE_PLOTS.items() if k != "anomalies"})
    assert not (run / "plots" / "anomalies.png").exists()
    assert not (run / "plots" / "faults.csv").exists()
    log = (run / "plots" / "gnuplot.log").read_text()
    assert "warning" not in log.lower(), log
    html = (run / "index.html").read_text()
    assert "no verdict.json: the run was not checked" in html
    assert "No faults.jsonl in this results folder" in html
    expected, loaded, failed = images_loaded(chromium(run / "index.html", tmp_path))
    assert (expected, loaded, failed) == (5, 5, 0)


def test_run_with_zero_consumed_messages(tmp_path):
    """Nothing consumed: e2e.hgrm holds no samples and the timeline's e2e
    cells are empty; the e2e plot is left out with the reason, the rest is
    drawn (the percentile plot with the publish curves only)."""
    run = make_run(tmp_path / "run", seconds=6, consumed=False)
    report(run)
    html = (run / "index.html").read_text()
    assert "no end-to-end latency samples (nothing was consumed)" in html
    assert "e2e.hgrm holds no samples" in html
    assert not (run / "plots" / "latency_e2e.png").exists()
    check_plots(run / "plots", {k: v for k, v in SINGLE_PLOTS.items() if k != "latency_e2e"})
    expected, loaded, failed = images_loaded(chromium(run / "index.html", tmp_path))
    assert (expected, loaded, failed) == (5, 5, 0)


def test_empty_results_folder_gives_a_page_that_says_so(tmp_path):
    run = tmp_path / "crashed-run"
    run.mkdir()
    report(run)
    html = (run / "index.html").read_text()
    assert "No summary.json in this results folder" in html
    assert "no timeline.csv" in html
    assert "not drawn: no latency samples" in html
    expected, loaded, failed = images_loaded(chromium(run / "index.html", tmp_path))
    assert (expected, loaded, failed) == (0, 0, 0)


def test_damaged_inputs_are_noted(tmp_path):
    """A faults.jsonl cut mid-line (harness killed), an .hgrm file that does
    not parse, a timeline row cut short: each is named in the notes, and
    what remains is plotted."""
    run = make_run(tmp_path / "run", seconds=6, faults=[(2, 3, "pause", "pause", "broker")])
    with open(run / "faults.jsonl", "a") as f:
        f.write('{"t_s": 4, "fault": "x", "act')
    (run / "publish-uncorrected.hgrm").write_text("       Value   Percentile   TotalCount 1/(1-Percentile)\n\n"
                                                   "       1.000     0.500000   oops\n")
    with open(run / "timeline.csv", "a") as f:
        f.write("9,measure,1\n")
    report(run)
    html = (run / "index.html").read_text()
    assert "faults.jsonl line 3: cut short" in html
    assert "publish-uncorrected.hgrm: line 3" in html
    assert "timeline.csv line" in html
    check_plots(run / "plots", {"latency_percentiles": (1000, 600), "throughput": (1100, 500)})


def test_report_into_another_folder_links_back_to_the_run(tmp_path):
    run = make_run(tmp_path / "runs" / "r1", seconds=6)
    out = tmp_path / "pages" / "r1"
    report(run, "--out", out, "--title", "nightly <run>")
    html = (out / "index.html").read_text()
    assert "nightly &lt;run&gt;" in html
    assert not (run / "index.html").exists()
    links = re.findall(r'href="([^"#]*)"', html)
    for rel in ("summary.json", "timeline.csv", "logs/broker.log"):
        assert f"../../runs/r1/{rel}" in links
    for link in links:
        assert (out / link).exists(), f"broken link {link}"


def test_several_runs_overlaid_with_a_comparison_table(tmp_path):
    a = make_run(tmp_path / "a" / "run", seconds=8, seed=1)
    b = make_run(tmp_path / "b" / "run", seconds=8, seed=2, spike_ms=80, spike_fraction=0.03)
    c = make_run(tmp_path / "c", seconds=8, seed=3, consumed=False)
    out = tmp_path / "cmp"
    report(a, b, c, "--out", out, "--each")
    multi = {"latency_percentiles_e2e": (1000, 600), "latency_percentiles_publish": (1000, 600),
             "throughput_runs": (1100, 500), "latency_e2e_p99_runs": (1100, 500)}
    check_plots(out / "plots", multi)
    html = (out / "index.html").read_text()
    check_offline(html)
    # Same folder name twice: told apart by their parents.
    assert "a/run" in html and "b/run" in html
    # Each run got its own report, linked relatively.
    for run in (a, b, c):
        assert (run / "index.html").exists()
    links = re.findall(r'href="([^"#]*)"', html)
    assert "../a/run/index.html" in links and "../c/index.html" in links
    for link in links:
        assert (out / link).exists(), f"broken link {link}"
    # The comparison table: b's e2e p99 far above a's, as a change.
    summ_a = json.loads((a / "summary.json").read_text())
    summ_b = json.loads((b / "summary.json").read_text())
    change = (summ_b["aggregatedEndToEndLatency99pct"] / summ_a["aggregatedEndToEndLatency99pct"] - 1) * 100
    assert "%.3f (+%.1f%%)" % (summ_b["aggregatedEndToEndLatency99pct"], change) in html
    # c has no end-to-end samples: left out of the e2e overlay, and said.
    assert "c: no samples in e2e.hgrm" in html
    expected, loaded, failed = images_loaded(chromium(out / "index.html", tmp_path))
    assert (expected, loaded, failed) == (4, 4, 0)


def test_gnuplot_failure_is_partial_and_named(tmp_path):
    """A plot whose gnuplot fails: the report is still written, exit 1, the
    page and the message name the plot and gnuplot's error."""
    gnuplot = shutil.which("gnuplot")
    assert gnuplot
    fake = tmp_path / "gnuplot"
    fake.write_text("#!/bin/sh\n"
                    'case "$3" in *anomalies.gp) echo "boom: no anomalies today" >&2; exit 1;; esac\n'
                    f'exec {gnuplot} "$@"\n')
    fake.chmod(0o755)
    run = make_run(tmp_path / "run", seconds=6)
    p = report(run, env={**os.environ, "SP_GNUPLOT": str(fake)}, check_rc=1)
    assert "1 plot failed" in p.stderr
    html = (run / "index.html").read_text()
    assert "anomalies:</b> failed: gnuplot anomalies.gp: exit status 1: boom: no anomalies today" in html
    log = (run / "plots" / "gnuplot.log").read_text()
    assert "boom: no anomalies today" in log and "throughput.gp" in log
    assert images_loaded(chromium(run / "index.html", tmp_path)) == (5, 5, 0)


def test_errors_are_clear(tmp_path):
    run = make_run(tmp_path / "run", seconds=4)
    p = report(check_rc=2)
    assert "RESULTS_DIR missing" in p.stderr
    p = report(run, "--bogus", check_rc=2)
    assert "unknown option --bogus" in p.stderr
    p = report(run, run, check_rc=2)
    assert "give --out DIR" in p.stderr
    other = make_run(tmp_path / "other", seconds=4)
    p = report(run, other, "--out", other, check_rc=2)
    assert "is one of the results folders" in p.stderr
    p = report(tmp_path / "nope", check_rc=2)
    assert str(tmp_path / "nope") in p.stderr and "No such file" in p.stderr
    p = report(run / "summary.json", check_rc=2)
    assert "not a directory" in p.stderr

    bad = make_run(tmp_path / "bad", seconds=4)
    (bad / "summary.json").write_text('{"workload": "w",\n "counts": {oops}}')
    p = report(bad, check_rc=2)
    assert f"{bad}/summary.json: line 2" in p.stderr

    no_gnuplot = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    p = report(run, env=no_gnuplot, check_rc=2)
    assert "gnuplot not found on PATH" in p.stderr and "gnuplot-nox" in p.stderr
    p = report(run, env={**os.environ, "SP_PLOTS_DIR": str(tmp_path)}, check_rc=2)
    assert "SP_PLOTS_DIR" in p.stderr and "common.gp" in p.stderr
    assert not (run / "index.html").exists()


def test_help_lists_options():
    p = report("--help")
    assert "--out DIR" in p.stdout and "gnuplot-nox" in p.stdout and "SP_PLOTS_DIR" in p.stdout


def test_scripts_run_by_hand_as_the_readme_says(tmp_path):
    """plots/README.md: a script runs from the plots folder of a report with
    relative paths, and a missing parameter is an error that names it."""
    run = make_run(tmp_path / "run", seconds=6, faults=[(2, 3, "k", "kill", "broker")])
    report(run)
    plots = run / "plots"
    script = os.path.relpath(REPO / "plots" / "throughput.gp", plots)
    p = subprocess.run(["gnuplot", "-e", "dir='..'; bands='faults.csv'; warmup_end_s=2; out='by-hand'", script],
                       cwd=plots, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert png_size(plots / "by-hand.png") == (1100, 500)
    check_svg(plots / "by-hand.svg")
    p = subprocess.run(["gnuplot", "-e", "dir='..'", script], cwd=plots, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode != 0 and "parameter out is missing" in p.stderr
    p = subprocess.run(["gnuplot", "-e", "files='../e2e.hgrm'; formats='svg'; out='only-svg'",
                        str(REPO / "plots" / "latency_percentiles.gp")],
                       cwd=plots, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert (plots / "only-svg.svg").exists() and not (plots / "only-svg.png").exists()
