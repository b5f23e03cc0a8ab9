"""Running `pum` in-process (fast, for many cases) and small projects to run it on."""

import contextlib
import io
import os
import shutil

from conftest import PLAIN_PROGRAM, SAMPLE_PACK

from pum.cli import main


def run_cli(*args):
    """(exit code, stdout, stderr) of `pum ARGS` run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def plain_project(directory, stack_text=None, program=None):
    """A copy of the plain azuread program in `directory` (stack `dev`), optionally with another stack file text
    (str or bytes) or program."""
    shutil.copytree(PLAIN_PROGRAM, directory, dirs_exist_ok=True)
    if stack_text is not None:
        path = os.path.join(directory, "Pulumi.dev.yaml")
        mode = "wb" if isinstance(stack_text, bytes) else "w"
        with open(path, mode) as handle:
            handle.write(stack_text)
    if program is not None:
        with open(os.path.join(directory, "__main__.py"), "w") as handle:
            handle.write(program)
    return str(directory)


def preview(project, *extra, stack="dev"):
    return run_cli("preview", "--cwd", str(project), "--stack", stack, "--policy-pack", SAMPLE_PACK, *extra)
