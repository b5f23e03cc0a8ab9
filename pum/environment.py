"""The Python environment a previewed program imports from: its own virtualenv, as the Pulumi CLI would use it.

The Pulumi CLI runs a Python program with the interpreter of the virtualenv its Pulumi.yaml names
(`runtime.options.virtualenv`, relative to the project directory; `.venv` for `toolchain: uv` when none is named).
pum runs the program in its own process, under its mocks, so it cannot switch interpreters; instead, for the run, the
virtualenv's site-packages (and the plain directory lines of its `.pth` files, e.g. editable installs) go on the import
path ahead of pum's own packages, after the program's directory and the standard library. Modules pum has already
imported (the Pulumi SDK itself) stay pum's. `.pth` lines that run code (`import ...`) are not executed.

When an import fails, `import_hint` says which interpreter and virtualenv the run used and how to install the
program's requirements, as exit 3.
"""

from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass

_MAX_PTH_LINES = 1000


@dataclass(frozen=True)
class Environment:
    """Where the run's imports come from: `virtualenv` (as Pulumi.yaml names it, absolute) and the directories it
    adds to the import path; `problem` when it names one that cannot be used as it is."""

    project_dir: str | None
    virtualenv: str | None
    paths: tuple[str, ...] = ()
    problem: str | None = None
    python: str | None = None  # the "X.Y" the virtualenv was made for, when known


def _ours() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _site_packages(venv: str) -> tuple[str | None, str | None]:
    """(site-packages directory, the Python X.Y it belongs to) of a virtualenv: pum's own version first."""
    mine = os.path.join(venv, "lib", f"python{_ours()}", "site-packages")
    if os.path.isdir(mine):
        return mine, _ours()
    found = sorted(glob.glob(os.path.join(glob.escape(venv), "lib", "python3*", "site-packages")))
    if found:
        return found[-1], os.path.basename(os.path.dirname(found[-1])).removeprefix("python")
    windows = os.path.join(venv, "Lib", "site-packages")
    if os.path.isdir(windows):
        return windows, None
    return None, None


def _pth_directories(site: str) -> list[str]:
    """The directories the site's .pth files name (plain lines only; comment and `import` lines are skipped)."""
    found: list[str] = []
    try:
        names = sorted(n for n in os.listdir(site) if n.endswith(".pth"))
    except OSError:
        return found
    for name in names:
        try:
            with open(os.path.join(site, name), encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()[:_MAX_PTH_LINES]
        except OSError:
            continue
        for line in lines:
            line = line.strip()
            if not line or line.startswith(("#", "import ", "import\t")):
                continue
            directory = os.path.normpath(os.path.join(site, line))
            if os.path.isdir(directory) and directory not in found:
                found.append(directory)
    return found


def program_environment(project_dir: str | None, virtualenv: str | None) -> Environment:
    """The environment for a program whose Pulumi.yaml names `virtualenv` (absolute, or None)."""
    if virtualenv is None:
        return Environment(project_dir, None)
    if not os.path.isdir(virtualenv):
        return Environment(project_dir, virtualenv, problem="does not exist")
    site, python = _site_packages(virtualenv)
    if site is None:
        return Environment(project_dir, virtualenv, problem="has no lib/python3.*/site-packages (not a virtualenv?)")
    problem = None
    if python is not None and python != _ours():
        problem = (
            f"was made for Python {python} and pum runs on Python {_ours()}, so compiled packages in it cannot load; "
            f"recreate it with Python {_ours()}, or install pum into it and run that pum"
        )
    return Environment(project_dir, virtualenv, (site, *_pth_directories(site)), problem, python)


def insert_paths(environment: Environment, path: list[str]) -> None:
    """Put the environment's directories on `path` (sys.path) ahead of the installed packages already there, after
    the program's directory and the standard library; directories already on it (pum's own venv) stay where they
    are."""
    known = {os.path.normcase(os.path.abspath(p)) for p in path if p}
    new = [p for p in environment.paths if os.path.normcase(os.path.abspath(p)) not in known]
    if not new:
        return
    installed = ("site-packages", "dist-packages")
    position = next((i for i, p in enumerate(path) if os.path.basename(p.rstrip("/\\")) in installed), len(path))
    path[position:position] = new


def import_hint(environment: Environment) -> str:
    """Which interpreter and packages the run used, and how to install the program's requirements."""
    interpreter = f"{sys.executable} (Python {_ours()})"
    requirements = _requirements(environment.project_dir)
    venv = environment.virtualenv
    if venv is None:
        return (
            f"the program ran on pum's interpreter {interpreter} with pum's own packages only: its Pulumi.yaml names "
            "no virtualenv (runtime.options.virtualenv). Name the program's virtualenv there, or install its "
            f"requirements where pum runs: {sys.executable} -m pip install {requirements}"
        )
    python = _venv_python(venv)
    if environment.problem == "does not exist":
        return (
            f"the program ran on pum's interpreter {interpreter} with pum's own packages only: the virtualenv {venv} "
            "that its Pulumi.yaml names (runtime.options.virtualenv) does not exist. Create it and install the "
            f"program's requirements, as the Pulumi CLI would: python3 -m venv {venv} && {python} -m pip install "
            f"{requirements}"
        )
    note = f" Note: the virtualenv {environment.problem}." if environment.problem else ""
    return (
        f"the program ran on pum's interpreter {interpreter} with the packages of its virtualenv {venv} "
        f"(runtime.options.virtualenv in Pulumi.yaml) first on the import path, and the module is in neither. "
        f"Install the program's requirements into that virtualenv: {python} -m pip install {requirements}.{note}"
    )


def _venv_python(venv: str) -> str:
    windows = os.path.join(venv, "Scripts", "python.exe")
    return windows if os.path.isfile(windows) else os.path.join(venv, "bin", "python")


def _requirements(project_dir: str | None) -> str:
    if project_dir and os.path.isfile(os.path.join(project_dir, "requirements.txt")):
        return f"-r {os.path.join(project_dir, 'requirements.txt')}"
    if project_dir and os.path.isfile(os.path.join(project_dir, "pyproject.toml")):
        return project_dir
    return "-r requirements.txt (the program's requirements)"
