"""Issue 17, bounds: a program that hangs, prints, exits or is interrupted; `--output` written atomically and never
left looking current after a failure; and a process that previews indefinitely."""

import json
import os
import pickle
import subprocess
import sys
import time

import pytest
from clihelp import plain_project, preview, run_cli
from conftest import SAMPLE_PACK
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from pum.engine import run_preview
from pum.errors import ProgramError

GA_PROGRAM = """import pulumi_azuread as azuread
azuread.DirectoryRoleAssignment("ga", role_id="62e90394-69f5-4237-9190-012177145e10", principal_object_id="x")
"""


def _pum(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "pum", *args], capture_output=True, text=True, timeout=timeout)


def test_a_hanging_program_times_out_with_exit_3(tmp_path):
    project = plain_project(tmp_path / "p", program="import time\nx = 1\ntime.sleep(600)\n")
    started = time.monotonic()
    result = _pum("preview", "--cwd", project, "--stack", "dev", "--policy-pack", SAMPLE_PACK, "--timeout", "1")
    assert result.returncode == 3, result.stderr
    assert time.monotonic() - started < 30
    assert "did not finish within 1 s (it was at __main__.py:3)" in result.stderr and "Traceback" not in result.stderr


def test_a_program_stuck_in_a_busy_loop_times_out_too(tmp_path):
    project = plain_project(tmp_path / "p", program="while True:\n    pass\n")
    code, _, err = preview(project, "--timeout", "0.5")
    assert code == 3 and "did not finish within 0.5 s" in err


def test_the_timeout_is_a_number_of_seconds(tmp_path):
    project = plain_project(tmp_path / "p")
    for bad in ("-1", "soon", "nan"):
        assert preview(project, "--timeout", bad)[0] == 2


def test_the_programs_stdout_goes_to_stderr_so_json_stays_json(tmp_path):
    program = "print('hello from the program')\nimport os\nos.write(1, b'raw fd write\\n')\n" + GA_PROGRAM
    project = plain_project(tmp_path / "p", program=program)
    result = _pum("preview", "--cwd", project, "--stack", "dev", "--policy-pack", SAMPLE_PACK, "--format", "json")
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["mandatory"] >= 1
    assert "hello from the program" in result.stderr and "raw fd write" in result.stderr


@pytest.mark.parametrize("code", ["0", "None", "1", "'bye'"])
def test_sys_exit_in_the_program_is_a_program_failure_and_its_report_says_so(tmp_path, code):
    project = plain_project(tmp_path / "p", program=GA_PROGRAM + f"import sys\nsys.exit({code})\n")
    report = tmp_path / "report.sarif"
    report.write_text("an earlier run's report")
    exit_code, out, err = preview(project, "--format", "sarif", "--output", str(report))
    assert exit_code == 3 and not out
    assert f"__main__.py:4: the program exited early (sys.exit({eval(code)!r}))" in err
    (invocation,) = json.loads(report.read_text())["runs"][0]["invocations"]  # not the earlier run's report
    assert invocation["executionSuccessful"] is False and "exited early" in str(invocation)


def test_keyboard_interrupt_in_the_program_is_a_program_failure(tmp_path):
    project = plain_project(tmp_path / "p", program=GA_PROGRAM + "raise KeyboardInterrupt\n")
    code, _, err = preview(project)
    assert code == 3 and "interrupted (KeyboardInterrupt)" in err


def test_a_callable_program_that_exits_fails_the_preview():
    def program():
        raise SystemExit(0)

    with pytest.raises(ProgramError, match="exited early"):
        run_preview(program, policy_packs=[])


def test_output_is_replaced_atomically_and_says_so_after_a_failure(tmp_path):
    project = plain_project(tmp_path / "p")
    report = tmp_path / "report.json"
    report.write_text("old")
    assert preview(project, "--format", "json", "--output", str(report))[0] == 1
    assert json.loads(report.read_text())["project"] == "plain-program"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []  # no temporary left
    with open(os.path.join(project, "__main__.py"), "a") as handle:
        handle.write("raise RuntimeError('broken')\n")
    assert preview(project, "--format", "json", "--output", str(report))[0] == 3
    assert json.loads(report.read_text())["error"]["kind"] == "program"  # the earlier report does not survive


@pytest.mark.parametrize(
    "target, fragment",
    [
        ("missing/report.json", "the directory"),
        (".", "is a directory"),
        ("Pulumi.yaml/report.json", "does not exist"),
    ],
)
def test_an_output_that_cannot_be_written_is_exit_2_before_the_run(tmp_path, target, fragment):
    project = plain_project(tmp_path / "p")
    code, _, err = preview(project, "--output", os.path.join(project, target))
    assert code == 2 and fragment in err and "Traceback" not in err


def test_an_argparse_error_also_removes_a_stale_report(tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("old")
    code, _, _ = run_cli("preview", "--format", "yaml", "--output", str(report))
    assert code == 2 and not report.exists()


class _Provider(ResourceProvider):
    def create(self, props):
        return CreateResult("id", props)


class _Dynamic(Resource):
    def __init__(self, name, value):
        super().__init__(_Provider(), name, {"value": value})


def test_a_process_previews_thousands_of_times(tmp_path):
    """Each dynamic resource used to wrap pickle's _batch_setitems once more (the SDK never undoes its patch):
    ~1,000 of them in one process, and every preview failed with RecursionError."""

    def program():
        _Dynamic("dynamic", 1)

    pristine = pickle._Pickler._batch_setitems
    timings = []
    for index in range(1500):
        started = time.perf_counter()
        report = run_preview(program, policy_packs=[])
        timings.append(time.perf_counter() - started)
        assert len(report.resources) == 2, index
    assert pickle._Pickler._batch_setitems is pristine
    first, last = sorted(timings[:200])[100], sorted(timings[-200:])[100]
    assert last < first * 3 + 0.005  # nothing accumulates from run to run


def test_a_plan_of_more_dynamic_resources_than_the_recursion_limit_previews():
    def program():
        for index in range(sys.getrecursionlimit() + 100):
            _Dynamic(f"dynamic-{index}", index)

    assert len(run_preview(program, policy_packs=[]).resources) == sys.getrecursionlimit() + 101
