"""Cloud-only accounts: BreakGlassAccounts (emergency Global Administrators) and PrivilegedAccounts (secondary
admin accounts).

No password is ever printed: each account gets a random password that Pulumi keeps only as an
encrypted secret in the stack state and that is never exported. Nobody is meant to know it:
bootstrap each account with a Temporary Access Pass (Entra admin center > user > Authentication
methods, or Lifecycle Workflows' "Generate TAP" task) and register phishing-resistant methods
(FIDO2 keys / passkeys; for break-glass accounts, keys kept in a safe).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azuread as azuread
import pulumi_random as random
from privileged_facts.conventions import BREAK_GLASS_TYPE, PRIVILEGED_ACCOUNTS_TYPE
from privileged_facts.roles import GLOBAL_ADMINISTRATOR

from components.model import validate_as
from components.model.lifecycle import ADMIN_EMPLOYEE_TYPE  # the leaver workflow's default scope selects it
from components.model.pim import AdminAccount, BreakGlass, is_key


def _password(name: str, parent: pulumi.Resource) -> random.RandomPassword:
    """A 64-character random password; `result` is a secret output, never exported."""
    return random.RandomPassword(
        name,
        length=64,
        special=True,
        min_lower=1,
        min_upper=1,
        min_numeric=1,
        min_special=1,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _key(upn: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", upn.split("@")[0].lower()).strip("-")[:40] or "account"


@dataclass(frozen=True, kw_only=True)
class BreakGlassAccountArgs:
    upn: str
    """A cloud-only UPN on the *.onmicrosoft.com domain, e.g. bg1@contoso.onmicrosoft.com."""
    display_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class BreakGlassAccountsArgs:
    accounts: Sequence[BreakGlassAccountArgs]
    """Two or more accounts (the model's rules: cloud-only, distinct)."""


class BreakGlassAccounts(pulumi.ComponentResource):
    """Two or more cloud-only emergency accounts, each a PERMANENT Global Administrator.

    Guarantees: at least two accounts, all on *.onmicrosoft.com (no federation dependency); the
    accounts and their role assignments are protected from deletion (protect=True); passwords are
    random secrets never exported (see the module docstring for TAP bootstrapping). The policy pack
    recognises the role assignments declared here (children of this component type) as the only
    allowed standing Global Administrator access. Outputs: `object_ids` (object IDs only).
    """

    object_ids: pulumi.Output[list[str]]

    def __init__(self, name: str, args: BreakGlassAccountsArgs, opts: pulumi.ResourceOptions | None = None):
        where = f"BreakGlassAccounts {name!r}"
        accounts = list(args.accounts)
        validate_as(BreakGlass, {"accounts": [{"upn": a.upn, "display_name": a.display_name} for a in accounts]}, where)
        keys = [_key(a.upn) for a in accounts]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{where}: UPN local parts must differ (they name resources): {keys}")
        super().__init__(BREAK_GLASS_TYPE, name, None, opts)
        protected = pulumi.ResourceOptions(parent=self, protect=True)
        self.users: dict[str, azuread.User] = {}
        self.assignments: dict[str, azuread.DirectoryRoleAssignment] = {}
        for key, account in zip(keys, accounts, strict=True):
            password = _password(f"{name}-{key}-password", self)
            user = azuread.User(
                f"{name}-{key}",
                user_principal_name=account.upn,
                display_name=account.display_name or f"Emergency access {key}",
                password=password.result,
                account_enabled=True,
                disable_password_expiration=True,
                force_password_change=False,
                show_in_address_list=False,
                opts=protected,
            )
            self.users[key] = user
            self.assignments[key] = azuread.DirectoryRoleAssignment(
                f"{name}-{key}-global-admin",
                role_id=GLOBAL_ADMINISTRATOR,
                principal_object_id=user.object_id,
                directory_scope_id="/",
                opts=protected,
            )
        self.object_ids = pulumi.Output.all(*[u.object_id for u in self.users.values()])
        self.register_outputs({"objectIds": self.object_ids})


@dataclass(frozen=True, kw_only=True)
class AdminAccountArgs:
    upn: str
    """UPN of the secondary (admin) account, separate from the person's daily account."""
    display_name: str
    mail_nickname: str | None = None
    """Default: the UPN's local part."""
    manager_upn: str | None = None
    """The person's manager; set as the account's manager (looked up by UPN)."""
    enabled: bool = True
    """False once the person has left: the account stays (for audit) but cannot sign in."""


@dataclass(frozen=True, kw_only=True)
class PrivilegedAccountsArgs:
    people: Mapping[str, AdminAccountArgs]
    """Person key (names the resources) -> their admin account."""
    protect: bool = False
    """Protect the accounts from deletion (production tenants)."""


class PrivilegedAccounts(pulumi.ComponentResource):
    """One cloud-only secondary admin account per person, separate from their daily account.

    Guarantees: every account is a new cloud-only user (never the daily account), hidden from the
    address list, with a random password kept only as an encrypted secret and never exported
    (bootstrap with a Temporary Access Pass, see the module docstring); accounts of people who left
    are disabled; every account carries employeeType "Privileged admin account" (the leaver workflow's
    default scope). Roles are never granted here: the JIT components make the accounts eligible.
    Outputs: `object_ids` (person key -> object ID).
    """

    object_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: PrivilegedAccountsArgs, opts: pulumi.ResourceOptions | None = None):
        people = dict(args.people)
        for key, person in people.items():
            if not is_key(key):
                raise ValueError(f"PrivilegedAccounts {name!r}: key {key!r} must be lower-case letters, digits and '-'")
            validate_as(
                AdminAccount,
                {"upn": person.upn, "mail_nickname": person.mail_nickname},
                f"PrivilegedAccounts {name!r}: {key}",
            )
        super().__init__(PRIVILEGED_ACCOUNTS_TYPE, name, None, opts)
        self.users: dict[str, azuread.User] = {}
        for key, person in sorted(people.items()):
            manager = person.manager_upn
            manager_id = (
                azuread.get_user_output(
                    user_principal_name=manager, opts=pulumi.InvokeOutputOptions(parent=self)
                ).object_id
                if manager
                else None
            )
            self.users[key] = azuread.User(
                f"{name}-{key}",
                user_principal_name=person.upn,
                display_name=person.display_name,
                mail_nickname=person.mail_nickname or person.upn.split("@")[0],
                password=_password(f"{name}-{key}-password", self).result,
                account_enabled=person.enabled,
                force_password_change=False,
                show_in_address_list=False,
                manager_id=manager_id,
                employee_type=ADMIN_EMPLOYEE_TYPE,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
        self.object_ids = {key: user.object_id for key, user in self.users.items()}
        self.register_outputs({"objectIds": self.object_ids})
