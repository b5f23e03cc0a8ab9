"""Benchmark: the offline preview of synthetic tenants against the bare mock-runtime floor.

For each target size it builds a tenant model (admins x Entra role bindings over administrative
units), runs it through `pum preview` with the project's pack, and times the floor: the same number
of plain azuread resources registered under the same mock runtime, no components, no policies.
Each measurement runs in a fresh process so `peak_mb` is that run's own peak RSS (with the policy
analysis worker's, for plans large enough to have one). Both timers start with pum.engine and the
provider SDK the floor uses already imported, so neither pays for importing pulumi_azuread.
The project's own modules (components, policies, pum) are byte-compiled once first, as Python caches them on
any machine: this one sets PYTHONDONTWRITEBYTECODE, under which every run would compile them from source again
(about 20 ms of every preview here), while the installed SDKs were compiled by pip.
Wall times on a shared machine vary by a third from run to run: each size is measured --repeat
times (default 5), pum and floor alternating, and the fastest of each is reported, with every run.
Prints one JSON line per size: resources, seconds, floor_seconds, ratio, peak_mb (and floor_peak_mb).
Targets: ratio <= 1.25; 10,000 resources cost no more than 11x 1,000.

Usage: .venv/bin/python bench/scale.py [--repeat N] [SIZE ...]      (default 1000 5000 10000)
"""
from __future__ import annotations

import compileall
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PER_BINDING = 8  # eligible admins per role binding


def synthetic_config(target: int) -> dict:
    """A tenant whose plan has about `target` resources: ~16 per User Administrator binding."""
    bindings = max(1, target // 16)
    people = {
        f"admin{i}": {"displayName": f"Admin {i}", "dailyUpn": f"admin{i}@contoso.com",
                      "adminAccount": {"upn": f"adm-admin{i}@contoso.onmicrosoft.com"}}
        for i in range(bindings)
    }
    units = {f"unit{i}": {"displayName": f"Unit {i}"} for i in range(bindings)}
    role_bindings = [
        {"role": "User Administrator", "name": f"user-admin-{i}", "tier": 1, "scope": f"unit{i}",
         "eligible": [f"admin{(i + k) % bindings}" for k in range(min(PER_BINDING, bindings))],
         "activation": {"maxDuration": "PT2H"}}
        for i in range(bindings)
    ]
    return {
        "privileged-access:tenant": {"production": True, "initialDomain": "contoso.onmicrosoft.com"},
        "privileged-access:principals": {"people": people},
        "privileged-access:breakGlass": {"accounts": [
            {"upn": "bg-alpha@contoso.onmicrosoft.com"}, {"upn": "bg-bravo@contoso.onmicrosoft.com"}]},
        "privileged-access:administrativeUnits": units,
        "privileged-access:pim": {"defaults": {"notificationRecipients": ["pim-alerts@contoso.com"]},
                                  "roleBindings": role_bindings},
        "privileged-access:conditionalAccess": {"enforce": True},
    }


def _peak_mb() -> float:
    """This process's peak RSS plus that of its children (the policy-analysis worker), in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(peak / 1024, 1)


def measure_pum(target: int) -> dict:
    import pulumi_azuread  # noqa: F401  (imported before the timer, as for the floor)

    from pum.engine import run_preview

    config = synthetic_config(target)
    started = time.perf_counter()
    report = run_preview(ROOT, stack="bench", config=config)
    seconds = time.perf_counter() - started
    return {"resources": len(report.resources), "seconds": round(seconds, 3), "peak_mb": _peak_mb(),
            "mandatory": len(report.mandatory)}


def measure_floor(count: int) -> dict:
    import pulumi_azuread as azuread

    from pum.engine import run_preview

    def program():
        for index in range(count - 1):  # the stack itself is the remaining resource
            azuread.Group(f"g{index}", display_name=f"g{index}", security_enabled=True)

    started = time.perf_counter()
    report = run_preview(program, policy_packs=[])
    seconds = time.perf_counter() - started
    return {"resources": len(report.resources), "seconds": round(seconds, 3), "peak_mb": _peak_mb()}


def _child(kind: str, number: int) -> dict:
    output = subprocess.run([sys.executable, __file__, f"--{kind}", str(number)], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    if argv[:1] == ["--pum"]:
        print(json.dumps(measure_pum(int(argv[1]))))
        return
    if argv[:1] == ["--floor"]:
        print(json.dumps(measure_floor(int(argv[1]))))
        return
    for package in ("components", "policies", "pum"):
        compileall.compile_dir(os.path.join(ROOT, package), quiet=1)
    repeat = 5
    if argv[:1] == ["--repeat"]:
        repeat, argv = int(argv[1]), argv[2:]
    for target in [int(a) for a in argv] or [1000, 5000, 10000]:
        pums, floors = [], []
        for _ in range(repeat):
            pums.append(_child("pum", target))
            floors.append(_child("floor", pums[-1]["resources"]))
        pum = min(pums, key=lambda m: m["seconds"]) | {"peak_mb": max(m["peak_mb"] for m in pums)}
        floor = min(floors, key=lambda m: m["seconds"]) | {"peak_mb": max(m["peak_mb"] for m in floors)}
        print(json.dumps({
            "resources": pum["resources"], "seconds": pum["seconds"], "floor_seconds": floor["seconds"],
            "ratio": round(pum["seconds"] / floor["seconds"], 2), "peak_mb": pum["peak_mb"],
            "floor_peak_mb": floor["peak_mb"], "mandatory_violations": pum["mandatory"], "runs": repeat,
            "seconds_all": [m["seconds"] for m in pums], "floor_seconds_all": [m["seconds"] for m in floors],
        }), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    main(sys.argv[1:])
