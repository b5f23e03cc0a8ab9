"""The runbook files (automation/runbooks/*.ps1): each is declared, parses as far as a simple PowerShell scanner
can tell (balanced brackets outside strings and comments, closed strings and comments), and never writes a password,
secret or token to a stream, a file, an Automation asset or the console; the example stack's plan pins each file's
SHA-256. The checks are written for the classes of leak, and each is shown to catch a leaky runbook."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

import pytest
from conftest import ROOT

from components.on_premises import RUNBOOK_DIR, RUNBOOKS, runbook_name

FILES = sorted(p.name for p in RUNBOOK_DIR.glob("*.ps1"))
# Commands that put something where someone other than the job's own memory can read it.
SINKS = re.compile(
    r"\b(Write-(Output|Host|Verbose|Information|Warning|Error|Debug|Progress)|Out-(File|Host|String|Default)|"
    r"Set-Content|Add-Content|Export-Clixml|Export-Csv|Tee-Object|Start-Transcript|Set-AutomationVariable|"
    r"New-AzAutomationVariable|throw)\b",
    re.IGNORECASE,
)
# Where a secret comes from in these runbooks; the variable it is assigned to is secret from then on.
SOURCES = re.compile(
    r"New-RandomSecret|ConvertTo-SecureString|Get-AzKeyVaultSecret|Get-AzAccessToken|\.SecretValue|"
    r"\[pscredential\]|Get-AutomationPSCredential|GetNetworkCredential",
    re.IGNORECASE,
)
ASSIGN = re.compile(r"^\s*\$(\w+)\s*=\s*(.+)$")


def code_lines(text: str) -> list[str]:
    """The script without comments (<# ... #> blocks and # to the end of a line outside strings)."""
    text = re.sub(r"<#.*?#>", "", text, flags=re.S)
    lines = []
    for line in text.splitlines():
        out, quote = [], None
        for ch in line:
            if quote:
                out.append(ch)
                if ch == quote:
                    quote = None
            elif ch in "'\"":
                quote = ch
                out.append(ch)
            elif ch == "#":
                break
            else:
                out.append(ch)
        lines.append("".join(out))
    return lines


def secret_variables(text: str) -> set[str]:
    """Variables that hold a secret: assigned from a source, or from another secret variable (to a fixed point)."""
    found: set[str] = set()
    assignments = [m.groups() for line in code_lines(text) if (m := ASSIGN.match(line))]
    changed = True
    while changed:
        changed = False
        for name, value in assignments:
            tainted = SOURCES.search(value) or any(re.search(rf"\${v}\b", value, re.I) for v in found)
            if tainted and name.lower() not in found:
                found.add(name.lower())
                changed = True
    return found


def leaks(text: str) -> list[str]:
    """Lines that send a secret variable (or a plain-text conversion of one) to a sink."""
    secret = secret_variables(text)
    problems = []
    for number, line in enumerate(code_lines(text), start=1):
        if not SINKS.search(line):
            continue
        named = [v for v in secret if re.search(rf"\${v}\b", line, re.I)]
        if named or re.search(r"-AsPlainText", line, re.I) and "Get-AzKeyVaultSecret" in line:
            problems.append(f"line {number}: {line.strip()}")
    for number, line in enumerate(code_lines(text), start=1):
        if re.search(r"Get-AzKeyVaultSecret\b.*-AsPlainText", line, re.I):
            problems.append(f"line {number}: reads a Key Vault secret as plain text")
        if re.search(r"\$(VerbosePreference|DebugPreference)\s*=\s*'?(Continue|Inquire)", line, re.I):
            problems.append(f"line {number}: turns verbose or debug output on")
    return problems


def balanced(text: str) -> list[str]:
    """Brackets outside strings and comments balance; strings and block comments close."""
    if text.count("<#") != text.count("#>"):
        return ["an unclosed block comment"]
    stack, pairs = [], {")": "(", "]": "[", "}": "{"}
    for number, line in enumerate(code_lines(text), start=1):
        quote = None
        for ch in line:
            if quote:
                quote = None if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch in "([{":
                stack.append((ch, number))
            elif ch in ")]}":
                opened = stack.pop()[0] if stack else None
                if opened != pairs[ch]:
                    return [f"line {number}: unbalanced {ch!r}"]
        if quote and not line.rstrip().endswith("`"):
            # here-strings aside (none in these runbooks), a string closes on its line
            return [f"line {number}: unclosed string"]
    return [f"line {n}: {ch!r} never closed" for ch, n in stack]


def test_every_runbook_file_is_declared_and_every_declared_one_exists():
    assert sorted(spec.file for spec in RUNBOOKS) == FILES


@pytest.mark.parametrize("name", FILES)
def test_runbook_parses_stops_on_errors_and_keeps_verbose_streams_off(name):
    text = (RUNBOOK_DIR / name).read_text(encoding="utf-8")
    assert balanced(text) == []
    code = "\n".join(code_lines(text))
    assert "$ErrorActionPreference = 'Stop'" in code
    assert "$VerbosePreference = 'SilentlyContinue'" in code
    assert ".SYNOPSIS" in text  # what it does, for whoever reads it in the portal


@pytest.mark.parametrize("name", FILES)
def test_runbook_never_writes_a_secret_anywhere(name):
    assert leaks((RUNBOOK_DIR / name).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("name", FILES)
def test_runbook_uses_no_credential_asset_and_no_run_as_connection(name):
    code = "\n".join(code_lines((RUNBOOK_DIR / name).read_text(encoding="utf-8")))
    for forbidden in (
        "Get-AutomationPSCredential",
        "Get-AutomationConnection",
        "AzureRunAsConnection",
        "-Credential $cred ",
    ):
        assert forbidden not in code
    assert "Connect-AzAccount -Identity" in code  # the managed identity, never a stored secret


@pytest.mark.parametrize(
    "leaky",
    [
        '$p = New-RandomSecret\nWrite-Output "password: $p"',
        "$s = Get-AzKeyVaultSecret -VaultName v -Name n\n$plain = $s.SecretValue\nWrite-Verbose $plain",
        '$t = (Get-AzAccessToken).Token\n$h = "Bearer $t"\n$h | Out-File c:\\temp\\x.txt',
        '$x = ConvertTo-SecureString -String $y -AsPlainText -Force\nthrow "failed for $x"',
        "$v = Get-AzKeyVaultSecret -VaultName v -Name n -AsPlainText",
        "$VerbosePreference = 'Continue'",
        "$c = [pscredential]::new('u', $s)\nWrite-Host $c",
        "$p = New-RandomSecret\nSet-AutomationVariable -Name last -Value $p",
    ],
)
def test_the_leak_check_catches_each_class_of_leak(leaky):
    assert leaks(leaky)


def test_the_scanner_catches_unbalanced_scripts():
    assert balanced("if ($a) { Write-Output 'x'")
    assert balanced("Write-Output 'unclosed")
    assert balanced("<# never closed")
    assert not balanced('if ($a) { Write-Output "a (b" }')


def test_add_membership_is_temporal_where_the_forest_supports_it_and_removal_exists():
    add = (RUNBOOK_DIR / "Add-AdGroupMembership.ps1").read_text(encoding="utf-8")
    assert "-MemberTimeToLive $ttl" in add and "Privileged Access Management Feature" in add
    assert re.search(r"\[int\] \$DurationMinutes = 120", add)
    assert "Remove-ADGroupMember" in (RUNBOOK_DIR / "Remove-AdGroupMembership.ps1").read_text(encoding="utf-8")
    sweep = (RUNBOOK_DIR / "Remove-ExpiredMembership.ps1").read_text(encoding="utf-8")
    assert "extensionAttribute15=pum-expiry|*" in sweep and "Remove-ADGroupMember" in sweep
    assert "$keep += $entry" in sweep  # entries that have not ended are kept


@pytest.mark.parametrize(
    "name", ["Add-AdGroupMembership.ps1", "Remove-AdGroupMembership.ps1", "Disable-OnPremAdminAccount.ps1"]
)
def test_group_runbooks_write_only_the_managed_groups(name):
    code = "\n".join(code_lines((RUNBOOK_DIR / name).read_text(encoding="utf-8")))
    assert "Get-AutomationVariable -Name 'ManagedGroups'" in code
    if "$GroupName" in code:
        check = code.index("-notin @(Get-AutomationVariable -Name 'ManagedGroups')")
        assert check < code.index("ADGroupMember")  # refused before anything is written


def test_the_new_account_password_goes_only_to_ad_and_the_encrypted_mail():
    text = (RUNBOOK_DIR / "New-OnPremAdminAccount.ps1").read_text(encoding="utf-8")
    code = "\n".join(code_lines(text))
    uses = [line.strip() for line in code.splitlines() if re.search(r"\$plain\b", line)]
    assert len(uses) == 3, uses  # made, converted for AD, put in the mail body; nothing else
    assert any("ConvertTo-SecureString" in u for u in uses)
    assert re.search(r"Remove-Variable -Name plain, message, secure", code)
    assert "saveToSentItems = $false" in code and "/sendMail" in code
    assert "-ChangePasswordAtLogon $true" in code


def test_rotation_writes_key_vault_first_and_restores_on_failure():
    code = "\n".join(code_lines((RUNBOOK_DIR / "Rotate-RunbookCredentials.ps1").read_text(encoding="utf-8")))
    first_write = code.index("Set-AzKeyVaultSecret")
    assert first_write < code.index("Set-ADAccountPassword") < code.rindex("Set-AzKeyVaultSecret")
    assert "-Expires $expires" in code and "$previous.SecretValue" in code


def test_the_example_plan_pins_each_runbook_files_hash(tmp_path):
    out = tmp_path / "plan.json"
    subprocess.run(
        [sys.executable, "-m", "pum", "preview", "--stack", "example", "--format", "json", "--output", str(out)],
        cwd=ROOT,
        check=False,
        capture_output=True,
        timeout=600,
    )
    plan = json.loads(out.read_text())
    pinned = {
        r["name"]: r["inputs"]["contentHash"]
        for r in plan["resources"]
        if r["name"].endswith("-content") and r["name"].startswith("on-premises-")
    }
    for spec in RUNBOOKS:
        raw = (RUNBOOK_DIR / spec.file).read_bytes()
        assert pinned[f"on-premises-{runbook_name(spec)}-content"] == hashlib.sha256(raw).hexdigest().upper()


def test_groups_are_granted_only_to_admin_accounts_in_the_admin_ou():
    code = "\n".join(code_lines((RUNBOOK_DIR / "Add-AdGroupMembership.ps1").read_text(encoding="utf-8")))
    check = code.index('-notlike "*,$ou"')
    assert code.index("Get-AutomationVariable -Name 'AdminAccountsOu'") < check < code.index("Add-ADGroupMember")
