"""The analysis worker: large plans are analysed on two processes with exactly the single-process result."""

import os
import signal

import pulumi_azuread as azuread
import pytest

from conftest import FIXTURES, recorded_registrations
from pum import engine, worker
from pum.analysis import PolicyError
from pum.engine import run_preview
from pum.errors import ProgramError

GA = "62e90394-69f5-4237-9190-012177145e10"


def insecure_program():
    """Resource and stack policy violations of several kinds, several times over."""
    for i in range(3):
        group = azuread.Group(f"pim{i}", display_name=f"pim{i}", security_enabled=True, assignable_to_role=True)
        azuread.DirectoryRoleAssignment(f"ga{i}", role_id=GA, principal_object_id=group.object_id)
        azuread.GroupMember(f"static{i}", group_object_id=group.object_id,
                            member_object_id="11111111-1111-4111-8111-111111111111")
        azuread.DirectoryRoleEligibilityScheduleRequest(
            f"permanent{i}", role_definition_id=GA, principal_id="22222222-2222-4222-8222-222222222222",
            directory_scope_id="/", justification="forever")
        azuread.DirectoryRoleAssignment(f"standing{i}", role_id=GA,
                                        principal_object_id="33333333-3333-4333-8333-333333333333")


def _analysed(registrations, threshold, packs=None, **kwargs):
    with worker.Analysis(engine._load_packs(packs, []), threshold=threshold, **kwargs) as analysis:
        for registration in registrations:
            analysis.record(registration)
        started = analysis._process is not None
        analysis.end(registrations)
        return analysis.violations(), started


def test_the_worker_returns_the_single_process_violations_in_the_same_order(monkeypatch):
    registrations, _ = recorded_registrations(monkeypatch, insecure_program)
    alone, alone_started = _analysed(registrations, threshold=10**9)
    shared, shared_started = _analysed(registrations, threshold=0)
    assert (alone_started, shared_started) == (False, True)
    assert shared == alone
    kinds = {policy.name: policy.kind for policy in engine._load_packs(None, [])[0].policies}
    assert {kinds[v.policy] for v in alone if v.enforcement_level == "mandatory"} == {"resource", "stack"}
    assert len({v.policy for v in alone}) >= 4


def test_registrations_that_do_not_fit_the_shared_region_reach_the_worker_with_the_finish(monkeypatch):
    registrations, _ = recorded_registrations(monkeypatch, insecure_program)
    alone, _ = _analysed(registrations, threshold=10**9)
    with worker.Analysis(engine._load_packs(None, []), threshold=0, region_bytes=4096) as analysis:
        for registration in registrations:
            analysis.record(registration)
        written = analysis._region.written
        analysis.end(registrations)
        shared = analysis.violations()
    assert 0 < written < len(registrations) and shared == alone


def test_the_worker_reads_only_whole_frames_from_the_shared_region(monkeypatch):
    registrations, _ = recorded_registrations(monkeypatch, insecure_program, policy_packs=[])
    region = worker._Region(1 << 20)
    try:
        for registration in registrations[:3]:
            region.write(registration)
        frames = worker._Frames(os.dup(region.descriptor))
        assert [frames.next().urn for _ in range(2)] == [r.urn for r in registrations[:2]]
        header = worker._HEADER.size
        size, checksum = worker._HEADER.unpack_from(region.map, frames.offset)
        region.map[frames.offset:frames.offset + header] = worker._HEADER.pack(size, checksum ^ 1)  # payload not yet whole
        assert frames.next() is None and frames.read == 2
        region.map[frames.offset:frames.offset + header] = worker._HEADER.pack(size, checksum)
        assert frames.next().urn == registrations[2].urn and frames.next() is None
    finally:
        region.close()


def test_a_large_preview_analysed_by_the_worker_matches_one_analysed_here(monkeypatch):
    alone = run_preview(insecure_program)
    monkeypatch.setattr(worker, "THRESHOLD", 0)
    started = []
    real_process = worker._Process

    def spying_process(cwd, *shared):
        started.append(cwd)
        return real_process(cwd, *shared)

    monkeypatch.setattr(worker, "_Process", spying_process)
    shared = run_preview(insecure_program)
    assert started == [os.getcwd()]

    def verdicts(report):  # registration order varies between two runs; the analysis' order is tested above
        return sorted((v.policy, v.urn, v.enforcement_level, v.message) for v in report.violations)

    assert verdicts(shared) == verdicts(alone) and shared.exit_code == alone.exit_code == 1


def test_small_plans_are_analysed_in_this_process(monkeypatch):
    def no_worker(*args):
        raise AssertionError("a worker was started for a small plan")

    monkeypatch.setattr(worker, "_Process", no_worker)
    assert run_preview(insecure_program).mandatory


def test_a_policy_that_raises_in_the_worker_is_the_same_clear_error(monkeypatch):
    raising = os.path.join(FIXTURES, "packs", "raising")
    registrations, _ = recorded_registrations(monkeypatch, insecure_program, policy_packs=[])
    messages = []
    for threshold in (10**9, 0):
        with pytest.raises(PolicyError) as error:
            _analysed(registrations, threshold, packs=[raising])
        messages.append(str(error.value))
    assert messages[0] == messages[1] and "policy pack raising" in messages[0]


def test_a_worker_that_dies_is_a_clear_error_not_a_hang(monkeypatch):
    registrations, _ = recorded_registrations(monkeypatch, insecure_program, policy_packs=[])
    with worker.Analysis(engine._load_packs(None, []), threshold=0) as analysis:
        for registration in registrations:
            analysis.record(registration)
        os.kill(analysis._process.pid, signal.SIGKILL)
        with pytest.raises(PolicyError) as error:
            analysis.end(registrations)
            analysis.violations()
    assert "policy analysis process exited" in str(error.value) and "-9" in str(error.value)


def test_the_worker_is_stopped_when_the_program_fails(monkeypatch):
    monkeypatch.setattr(worker, "THRESHOLD", 0)
    processes = []
    real_process = worker._Process

    def keeping(*args):
        processes.append(real_process(*args))
        return processes[-1]

    monkeypatch.setattr(worker, "_Process", keeping)

    def failing():  # fails after registrations have started the worker
        insecure_program()
        group = azuread.Group("late", display_name="late", security_enabled=True)
        group.display_name.apply(lambda name: 1 / 0)

    with pytest.raises(ProgramError):
        run_preview(failing)
    assert processes and all(p.returncode is not None for p in processes)


def test_the_two_processes_take_every_stack_policy_once_whichever_is_free(monkeypatch):
    packs = engine._load_packs(None, [])
    pack = packs[0]
    stack = [p.name for p in pack.policies if p.kind == "stack"]
    analyzer_config = {**pack.config, stack[1]: {**pack.config[stack[1]], "enforcementLevel": "disabled"}}
    worker.analyzer.configure(pack, analyzer_config)
    enabled = [name for name in stack if name != stack[1]]
    tickets = worker._tickets(len(enabled))
    try:
        taken = {"worker": [], "here": []}
        turns = {"worker": iter(worker._Turns(packs, tickets, from_last=False)),
                 "here": iter(worker._Turns(packs, tickets, from_last=True))}
        for side in ["worker", "worker", "here", "worker", "here", "here"] + ["worker"] * len(stack):
            if next(turns[side], None) is not None:
                running = [n for n, v in pack.config.items() if v["enforcementLevel"] != "disabled"]
                assert len(running) == 1  # one stack policy per turn, resource policies and the others off
                taken[side].append(running[0])
        for side in turns.values():
            assert next(side, None) is None  # every turn over, every ticket taken
    finally:
        os.close(tickets)
    assert taken["worker"] == enabled[:len(taken["worker"])]
    assert taken["here"] == enabled[::-1][:len(taken["here"])]
    assert sorted(taken["worker"] + taken["here"]) == sorted(enabled) and len(taken["here"]) == 3
    assert pack.config == analyzer_config  # the pack's own configuration is back


@pytest.mark.parametrize("threshold", [10**9, 0])
def test_of_two_stack_policies_that_raise_the_error_is_the_first_whichever_process_met_it(monkeypatch, threshold):
    raising = os.path.join(FIXTURES, "packs", "raising-stack")
    registrations, _ = recorded_registrations(monkeypatch, insecure_program, policy_packs=[])
    with pytest.raises(PolicyError) as error:
        _analysed(registrations, threshold, packs=[raising])
    assert "KeyError: 'first'" in str(error.value) and "policy pack raising-stack" in str(error.value)
