"""Errors the offline engine raises, each mapped to one exit code of the `pum` contract."""


class PumError(Exception):
    """Base class: `exit_code` is what `pum` exits with; the message is shown as-is, no traceback."""

    exit_code = 2


class UsageError(PumError):
    """Bad invocation, project, stack file, policy pack or pack config (exit 2)."""

    exit_code = 2


class ProgramError(PumError):
    """The Pulumi program itself failed (exit 3). `detail` holds the full traceback for --verbose."""

    exit_code = 3

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class ProgramTimeout(ProgramError):
    """The preview did not finish within `--timeout` (exit 3). Threads may still be stuck, so the CLI exits at once."""
