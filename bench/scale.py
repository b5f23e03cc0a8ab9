"""Benchmark: the offline preview of synthetic tenants against the bare mock-runtime floor, and what each of pum's
speed mechanisms buys.

For each target size it builds a tenant model (admins x Entra role bindings over administrative
units), runs it through `pum preview` with the project's pack, and times the floor: the same number
of plain azuread resources registered under the same mock runtime, no components, no policies.
Each measurement runs in a fresh process so `peak_mb` is that run's own peak RSS (with its children's, if any).
Both timers start with pum.engine and the provider SDK the floor uses already imported, so neither pays for
importing pulumi_azuread. `process_seconds` is the child's whole life as the parent sees it (interpreter start,
imports and exit included): the only figure that shows what happens at exit.
The project's own modules (components, policies, pum) are byte-compiled once first, as Python caches them on
any machine: this one sets PYTHONDONTWRITEBYTECODE, under which every run would compile them from source again
(about 20 ms of every preview here), while the installed SDKs were compiled by pip.

Each speed mechanism pum keeps is also measured switched off (`MECHANISMS`), in the same run: the child switches it
off by monkeypatching pum in its own process before the preview, so production code has no switch for the bench.
Wall times on a shared machine vary by a third from run to run: each variant is measured --repeat times
(default 3), variants and floor taking turns, and the fastest run of each is reported, with the highest peak.
Prints one JSON line per size: resources, the floor's figures, then for "all" (every mechanism on) and for each
"without <name>" seconds, cpu_seconds (the child's CPU time in the preview: steadier than wall time when other
work shares the machine), process_seconds, peak_mb, their ratios to the floor's, and (mandatory, all) violation
counts, which every variant must share.
Targets: time and peak memory <= 1.10x the floor's; 10,000 resources cost no more than 11x 1,000.

Usage: .venv/bin/python bench/scale.py [--repeat N] [--without NAME[,NAME]]... [SIZE ...]   (default 1000 5000 10000)
  --without: measure only these variants besides "all" (default: each mechanism off alone); `none`: only "all".
"""

from __future__ import annotations

import compileall
import contextlib
import gc
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PER_BINDING = 8  # eligible admins per role binding


def _without_no_full_collections() -> None:
    from pum import engine

    engine.no_full_collections = contextlib.nullcontext


def _without_loop_turn() -> None:
    """The runner's `await asyncio.sleep(0)` after the program: a sleep that returns without yielding to the loop."""
    import asyncio
    import types

    from pum import runner

    async def no_turn(delay, result=None):
        return result

    runner.asyncio = types.SimpleNamespace(**{**vars(asyncio), "sleep": no_turn})


def _without_convert_once() -> None:
    from pum import analysis

    analysis.each_message_converted_once = contextlib.nullcontext


MECHANISMS = {
    "convert-once": _without_convert_once,
    "no-full-collections": _without_no_full_collections,  # pum.heap around the preview
    "freeze-at-exit": lambda: None,  # pum.cli.entry's gc.freeze(): the child below leaves it out
    "loop-turn": _without_loop_turn,  # pum.runner: the SDK's final wait entered after one event-loop turn
}


def synthetic_config(target: int) -> dict:
    """A tenant whose plan has about `target` resources: ~16 per User Administrator binding."""
    bindings = max(1, target // 16)
    people = {
        f"admin{i}": {
            "displayName": f"Admin {i}",
            "dailyUpn": f"admin{i}@contoso.com",
            "adminAccount": {"upn": f"adm-admin{i}@contoso.onmicrosoft.com"},
        }
        for i in range(bindings)
    }
    units = {f"unit{i}": {"displayName": f"Unit {i}"} for i in range(bindings)}
    role_bindings = [
        {
            "role": "User Administrator",
            "name": f"user-admin-{i}",
            "tier": 1,
            "scope": f"unit{i}",
            "eligible": [f"admin{(i + k) % bindings}" for k in range(min(PER_BINDING, bindings))],
            "activation": {"maxDuration": "PT2H"},
        }
        for i in range(bindings)
    ]
    return {
        "privileged-access:tenant": {"protectFromDeletion": True, "initialDomain": "contoso.onmicrosoft.com"},
        "privileged-access:principals": {"people": people},
        "privileged-access:breakGlass": {
            "accounts": [{"upn": "bg-alpha@contoso.onmicrosoft.com"}, {"upn": "bg-bravo@contoso.onmicrosoft.com"}]
        },
        "privileged-access:administrativeUnits": units,
        "privileged-access:pim": {
            "defaults": {"notificationRecipients": ["pim-alerts@contoso.com"]},
            "roleBindings": role_bindings,
        },
        "privileged-access:conditionalAccess": {"enforce": True},
        "privileged-access:monitoring": {
            "resourceGroupName": "rg-pum-monitoring",
            "location": "westeurope",
            "private": False,
            "actionGroup": {"name": "oncall", "shortName": "oncall", "emails": ["oncall@contoso.com"]},
        },
    }


def _peak_mb() -> float:
    """This process's peak RSS plus the largest of its children's, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(peak / 1024, 1)


def measure_pum(target: int) -> dict:
    import pulumi_azuread  # noqa: F401 (imported before the timer, as for the floor)

    from pum.engine import run_preview

    config = synthetic_config(target)
    started, cpu = time.perf_counter(), time.process_time()
    report = run_preview(ROOT, stack="bench", config=config)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "resources": len(report.resources),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "peak_mb": _peak_mb(),
        "mandatory": len(report.mandatory),
        "violations": len(report.violations),
    }


def measure_floor(count: int) -> dict:
    import pulumi_azuread as azuread

    from pum.engine import run_preview

    def program():
        for index in range(count - 1):  # the stack itself is the remaining resource
            azuread.Group(f"g{index}", display_name=f"g{index}", security_enabled=True)

    started, cpu = time.perf_counter(), time.process_time()
    report = run_preview(program, policy_packs=[])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "resources": len(report.resources),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "peak_mb": _peak_mb(),
    }


def _child(kind: str, number: int, without: tuple[str, ...] = ()) -> dict:
    command = [sys.executable, __file__, f"--{kind}", str(number)] + (["--off", ",".join(without)] if without else [])
    started = time.perf_counter()
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1]) | {"process_seconds": round(time.perf_counter() - started, 3)}


def _run_child(argv: list[str]) -> None:
    """One measurement in this process (`--pum N` or `--floor N`, `--off A,B`), ending as `pum` ends (cli.entry)."""
    off = argv[3].split(",") if argv[2:3] == ["--off"] else []
    for name in off:
        MECHANISMS[name]()
    measured = measure_pum(int(argv[1])) if argv[0] == "--pum" else measure_floor(int(argv[1]))
    print(json.dumps(measured), flush=True)
    if "freeze-at-exit" not in off:
        gc.freeze()


def _best(runs: list[dict], floor: dict | None = None) -> dict:
    best = {key: min(m[key] for m in runs) for key in ("seconds", "cpu_seconds", "process_seconds")}
    best["peak_mb"] = max(m["peak_mb"] for m in runs)
    if floor is not None:
        best |= {
            "ratio": round(best["seconds"] / floor["seconds"], 2),
            "cpu_ratio": round(best["cpu_seconds"] / floor["cpu_seconds"], 2),
            "process_ratio": round(best["process_seconds"] / floor["process_seconds"], 2),
            "peak_ratio": round(best["peak_mb"] / floor["peak_mb"], 2),
            "violations": sorted({(m["mandatory"], m["violations"]) for m in runs}),
            "seconds_all": [m["seconds"] for m in runs],
        }
    return best


def main(argv: list[str]) -> None:
    if argv[:1] in (["--pum"], ["--floor"]):
        _run_child(argv)
        return
    for package in ("components", "policies", "pum"):
        compileall.compile_dir(os.path.join(ROOT, package), quiet=1)
    repeat, variants = 3, []
    while argv[:1] in (["--repeat"], ["--without"]):
        if argv[0] == "--repeat":
            repeat = int(argv[1])
        elif argv[1] != "none":
            variants.append(tuple(argv[1].split(",")))
        argv = argv[2:]
    variants = variants or [(name,) for name in MECHANISMS]
    unknown = {name for variant in variants for name in variant} - set(MECHANISMS)
    if unknown:
        raise SystemExit(f"unknown mechanism(s) {', '.join(sorted(unknown))}; known: {', '.join(MECHANISMS)}")
    for target in [int(a) for a in argv] or [1000, 5000, 10000]:
        runs: dict[tuple[str, ...], list[dict]] = {(): [], **{variant: [] for variant in variants}}
        floors: list[dict] = []
        for _ in range(repeat):
            for variant, measured in runs.items():
                measured.append(_child("pum", target, variant))
            floors.append(_child("floor", runs[()][-1]["resources"]))
        floor = _best(floors)
        line = {"resources": runs[()][0]["resources"], "runs": repeat, "floor": floor, "all": _best(runs[()], floor)}
        line |= {"without " + ",".join(variant): _best(runs[variant], floor) for variant in variants}
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    main(sys.argv[1:])
