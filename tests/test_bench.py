"""The benchmark keeps running: its synthetic tenant is a valid stack file that previews with no mandatory violation
(the bench prints figures; this only checks it still measures what it claims to)."""

import json
import os
import subprocess
import sys

from conftest import ROOT


def test_the_benchmark_tenant_previews_clean():
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", "scale.py"), "--pum", "60"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["resources"] > 40 and figures["mandatory"] == 0


def test_the_audit_benchmark_keeps_measuring_a_complete_export():
    done = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", "audit.py"), "40"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["resources"] > 40 and figures["mandatory"] > 0  # its standing GAs are found
