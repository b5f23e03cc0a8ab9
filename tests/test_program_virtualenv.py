"""`pum preview --cwd DIR` runs a foreign program with the packages of its own virtualenv (`runtime.options.virtualenv`
in its Pulumi.yaml, relative to the project), as the Pulumi CLI would; a failed import (exit 3) says which interpreter
and virtualenv the run used and how to install the program's requirements."""

import os
import sys
import uuid

import pytest
from clihelp import preview

from pum.project import load_project

PY = f"python{sys.version_info.major}.{sys.version_info.minor}"
PROGRAM = """\
import pulumi
import {module}

pulumi.ComponentResource("foreign:index:Answer", f"answer-{{{module}.ANSWER}}")
"""


def _project(tmp_path, *, virtualenv=None, package=None, where=None, requirements=True):
    """A tmp project whose program imports a package made for this test (a unique name: nothing else has it), and
    optionally a virtualenv holding that package in its site-packages (or in a directory a .pth file names)."""
    module = f"only_in_venv_{uuid.uuid4().hex[:12]}"
    project = tmp_path / "project"
    project.mkdir()
    options = f"  options:\n    virtualenv: {virtualenv}\n" if virtualenv else ""
    (project / "Pulumi.yaml").write_text(f"name: foreign\nruntime:\n  name: python\n{options}")
    (project / "__main__.py").write_text(PROGRAM.format(module=module))
    (project / "Pulumi.dev.yaml").write_text("config:\n  foreign:unused: x\n")
    if requirements:
        (project / "requirements.txt").write_text("pulumi>=3\n")
    if package:
        site = project / virtualenv / "lib" / PY / "site-packages"
        site.mkdir(parents=True)
        (project / virtualenv / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {sys.version.split()[0]}\n")
        target = site if where is None else tmp_path / where
        target.mkdir(exist_ok=True)
        (target / module).mkdir()
        (target / module / "__init__.py").write_text("ANSWER = 42\n")
        if where is not None:
            (site / "editable.pth").write_text(f"# an editable install\nimport os\n{target}\n")
    return project, module


def _run(project):
    return preview(project, "--allow-empty-config", "--format", "json")


def test_pulumi_yaml_names_the_virtualenv_relative_to_the_project(tmp_path):
    project, _ = _project(tmp_path, virtualenv="venv")
    assert load_project(str(project)).virtualenv == os.path.join(str(project), "venv")
    (project / "Pulumi.yaml").write_text("name: foreign\nruntime:\n  name: python\n  options:\n    toolchain: uv\n")
    assert load_project(str(project)).virtualenv == os.path.join(str(project), ".venv")  # uv's default
    (project / "Pulumi.yaml").write_text("name: foreign\nruntime: python\n")
    assert load_project(str(project)).virtualenv is None


def test_the_program_imports_a_package_only_its_virtualenv_has(tmp_path):
    project, module = _project(tmp_path, virtualenv="venv", package=True)
    path_before = list(sys.path)
    code, out, err = _run(project)
    assert code in (0, 1), err  # previewed: the import worked
    assert "foreign:index:Answer::answer-42" in out
    assert sys.path == path_before  # the virtualenv was on the import path for the run only
    sys.modules.pop(module, None)


def test_a_pth_directory_of_the_virtualenv_is_importable_too(tmp_path):
    project, _ = _project(tmp_path, virtualenv="venv", package=True, where="src")
    code, out, err = _run(project)
    assert code in (0, 1), err
    assert "foreign:index:Answer::answer-42" in out


def test_without_the_virtualenv_the_import_fails_naming_the_interpreter_and_how_to_install(tmp_path):
    project, module = _project(tmp_path, virtualenv="venv")  # named, never created
    code, out, err = _run(project)
    assert code == 3, err
    assert f"No module named '{module}'" in err
    venv = os.path.join(str(project), "venv")
    assert f"pum's interpreter {sys.executable}" in err
    assert f"the virtualenv {venv} that its Pulumi.yaml names (runtime.options.virtualenv) does not exist" in err
    assert f"python3 -m venv {venv} && {venv}/bin/python -m pip install -r {project}/requirements.txt" in err


def test_a_virtualenv_without_the_package_says_to_install_into_it(tmp_path):
    project, module = _project(tmp_path, virtualenv="venv")
    (project / "venv" / "lib" / PY / "site-packages").mkdir(parents=True)
    code, _, err = _run(project)
    assert code == 3 and f"No module named '{module}'" in err
    venv = os.path.join(str(project), "venv")
    assert f"with the packages of its virtualenv {venv} (runtime.options.virtualenv in Pulumi.yaml)" in err
    assert f"{venv}/bin/python -m pip install -r {project}/requirements.txt" in err


@pytest.mark.parametrize("requirements", [True, False])
def test_a_program_naming_no_virtualenv_is_told_to_name_one(tmp_path, requirements):
    project, module = _project(tmp_path, requirements=requirements)
    code, _, err = _run(project)
    assert code == 3 and f"No module named '{module}'" in err
    assert "its Pulumi.yaml names no virtualenv (runtime.options.virtualenv)" in err
    assert f"{sys.executable} -m pip install" in err and "Traceback" not in err
