"""Ctrl-C and SIGTERM: `streamproof run` stops every process it started
(broker, workers), keeps what it wrote, says where, and exits 130."""
import signal
import subprocess

import pytest

from conftest import SLOWDOWN, binary, wait_for
from test_run_support import assert_no_leftover_processes, logged_pids, workload


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_mid_run_stops_everything(tmp_path, sig):
    w = workload(tmp_path, name="long", duration_s=600, consumerPerSubscription=2)
    out = tmp_path / "r"
    p = subprocess.Popen([binary("streamproof"), "run", str(w), "--out", str(out)],
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # running: the workers have produced and consumed for a while
        wait_for(lambda: any(out.glob("hlog/consumer-*.hlog")) and
                 (out / "logs" / "consumer-1.log").exists(), 60, "the run to start")
        wait_for(lambda: len(logged_pids(out)) >= 4, 30, "broker and workers to log")
        pids = logged_pids(out)
        p.send_signal(sig)
        stdout, stderr = p.communicate(timeout=60 * SLOWDOWN)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 130, stderr
    assert "interrupted" in stderr and str(out) in stderr
    assert len(pids) >= 4
    assert_no_leftover_processes(out)
    meta = (out / "history" / "meta.json").read_text()
    assert '"producers"' in meta
