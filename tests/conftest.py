import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACK = os.path.join(ROOT, "policies")
# Tests import the pack's modules by the names the pack itself uses (`rules`, `privileged_facts`), never as
# `policies.rules`: one module, one name (tests/test_imports.py).
for _path in (PACK, ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SAMPLE_PACK = os.path.join(FIXTURES, "packs", "sample")
PLAIN_PROGRAM = os.path.join(FIXTURES, "programs", "plain")


def preview_with_pack(program, tmp_path=None, config=None):
    """Preview `program` with this project's pack and, when given, a --policy-pack-config of `config`."""
    import json

    from pum.engine import run_preview

    configs = []
    if config:
        path = tmp_path / "pack-config.json"
        path.write_text(json.dumps(config))
        configs = [str(path)]
    return run_preview(program, policy_pack_configs=configs)


def recorded_registrations(monkeypatch, program, **kwargs):
    """The registrations a preview of `program` fed its analysis, and that preview's report."""
    from pum import engine, worker

    captured = []

    class Capturing(worker.Analysis):
        def end(self, registrations):
            captured.extend(registrations)
            return super().end(registrations)

    monkeypatch.setattr(engine, "Analysis", Capturing)
    report = engine.run_preview(program, **kwargs)
    monkeypatch.undo()
    return captured, report


def mandatory_violations(report, policy):
    """The violations of `policy`, asserting none was downgraded (e.g. by reading an unknown)."""
    found = report.by_policy(policy)
    assert all(v.enforcement_level == "mandatory" for v in found), found
    return found


# In CI the generated cases are the same every run (a failure there must be reproducible, never a
# coin toss); locally they vary, and PUM_FUZZ_EXAMPLES raises the count for a deeper search.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
