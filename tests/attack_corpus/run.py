"""Probe: preview every case of the attack corpus and print what the gate says. Always exits 0.

Run from anywhere: `.venv/bin/python tests/attack_corpus/run.py [-v] [substring ...]` (substrings filter case names;
-v prints every violation).
A dangerous case PASSes with at least one mandatory violation; a clean case with none. A secrets case also FAILs
when its secret text appears in any violation message. A program that raises is an ERROR (not an attack: fix it).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for path in (HERE, ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)
os.chdir(ROOT)  # run_preview finds the project's pack through [tool.pum] in the current directory

from corpus import CASES

from pum.engine import run_preview


def _preview(case):
    configs = []
    if case.pack_config:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(case.pack_config, handle)
        configs = [handle.name]
    try:
        return run_preview(case.program, config=case.config, policy_pack_configs=configs)
    finally:
        for name in configs:
            os.unlink(name)


def _verdict(case, report) -> tuple[str, str]:
    mandatory, advisory = report.mandatory, report.advisory
    leaked = [v for v in report.violations if case.secret and case.secret in (v.message or "")]
    got = f"{len(mandatory)}M/{len(advisory)}A"
    policies = sorted({v.policy for v in mandatory}) or sorted({f"({v.policy})" for v in advisory})
    detail = f"{got} {','.join(policies)}"
    if leaked:
        return "FAIL", detail + f"  LEAK in {sorted({v.policy for v in leaked})}"
    ok = bool(mandatory) if case.expect == "mandatory" else not mandatory
    return ("PASS" if ok else "FAIL"), detail


def main(argv: list[str]) -> int:
    verbose, names = "-v" in argv, [a for a in argv if a != "-v"]
    selected = [c for c in CASES if not names or any(a in c.name for a in names)]
    rows, per_class, failures = [], defaultdict(lambda: [0, 0, 0, 0, 0]), []
    for case in selected:
        try:
            report = _preview(case)
            status, detail = _verdict(case, report)
        except Exception as err:  # a program that raises is not an attack
            status, detail, report = "ERROR", f"{type(err).__name__}: {err}"[:200], None
            if verbose:
                traceback.print_exc()
        rows.append((case.name, case.klass, case.expect, status, detail))
        tally = per_class[case.klass]
        index = 0 if case.expect == "mandatory" else 2
        tally[index + 1] += 1
        tally[index] += status == "PASS"
        tally[4] += status == "ERROR"
        if status != "PASS":
            failures.append((case, status, detail))
        if verbose and report is not None:
            for v in report.violations:
                print(f"    {v.enforcement_level:9} {v.policy}: {v.message[:300]}")
    width = max((len(r[0]) for r in rows), default=4)
    print(f"{'case':{width}}  {'class':18} {'expected':9} {'result':6} got")
    for name, klass, expect, status, detail in rows:
        print(f"{name:{width}}  {klass:18} {expect:9} {status:6} {detail}")
    print()
    print("summary per class (dangerous caught/total, compliant clean/total, errors)")
    for klass, (caught, dangerous, clean, compliant, errors) in per_class.items():
        print(f"  {klass:18} dangerous {caught}/{dangerous}  compliant {clean}/{compliant}  errors {errors}")
    total_pass = sum(r[3] == "PASS" for r in rows)
    print(f"  {'all':18} {total_pass}/{len(rows)} PASS")
    if failures:
        print("\nnot passing:")
        for case, status, _detail in failures:
            doc = (case.program.__doc__ or "").strip().splitlines()[0] if case.program.__doc__ else ""
            print(f"  {status:5} {case.name} [{case.klass}/{case.expect}]: {doc}")
    return 0


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)
