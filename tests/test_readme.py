"""The README says nothing that is not true: its commands, files and policy table match the project."""

import os
import re
import subprocess
import sys

from conftest import ROOT

README = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()


def test_quick_start_is_make_preview_then_make_test_and_ci_runs_the_test_command():
    block = re.search(r"## Quick start\s+```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make preview", "make test"]
    ci = open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8").read()
    assert "\nmake test\n" in ci


def test_policy_table_matches_the_pack():
    table = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "policy_table.py")], capture_output=True, text=True, check=True
    ).stdout
    assert table in README


def test_every_file_the_readme_names_exists():
    for path in re.findall(r"`((?:docs|stacks|schema|policies|components|bench|tools|pum)/[\w./-]+)`", README):
        assert os.path.exists(os.path.join(ROOT, path)), path
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert os.path.isfile(os.path.join(ROOT, image)), image
