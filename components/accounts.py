"""Cloud-only accounts: BreakGlassAccounts (emergency Global Administrators), PrivilegedAccounts (secondary admin
accounts, passwordless) and TemporaryAccessPassOnboarding (the tenant's TAP policy for those accounts).

No password is ever printed or exported. azuread.User cannot be created without a password, so each account gets a
random one that Pulumi keeps only as an encrypted secret in the stack state:

- a secondary admin account (PrivilegedAccounts) is passwordless: right after it is created, a PasswordDiscard
  (components/graph/password_discard.py) sets its password to one generated in the provider process and never
  stored, so the RandomPassword in state no longer works and no password for the account exists anywhere; the
  User ignores later changes of its `password` input, so no `up` can make the state's password the account's again.
  The person signs in once with a one-time, short-lived Temporary Access Pass issued at onboarding by the journey
  automation (never by Pulumi: no TAP is ever in state, outputs or logs) and registers a passkey
  (docs/passwordless-onboarding.md);
- a break-glass account (BreakGlassAccounts) keeps its random password: it is the emergency credential, read once
  from the state by the custodians (`pulumi stack output` does not show it: it is not exported), written to the
  safe with the account's FIDO2 keys, and then rotated by hand in the portal, so that the copy in state is void.
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

from components.graph.password_discard import PasswordDiscard
from components.graph.temporary_access_pass_policy import TemporaryAccessPassPolicy
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
    random secrets never exported: the emergency credential, which goes to the safe (module docstring). The policy pack
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
    address list, and passwordless: the random password the provider needs at create is replaced at once by
    one nobody knows (a PasswordDiscard per account; the User ignores later `password` changes), so no
    password in state, outputs or logs works; the person onboards with a Temporary Access Pass issued by the
    journey automation (see the module docstring); accounts of people who left are disabled; every account
    carries employeeType "Privileged admin account" (the leaver workflow's default scope). Roles are never
    granted here: the JIT components make the accounts eligible.
    Outputs: `object_ids` (person key -> object ID), `enabled_object_ids` (the accounts of people who have
    not left).
    """

    object_ids: dict[str, pulumi.Output[str]]
    enabled_object_ids: dict[str, pulumi.Output[str]]

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
        self.discards: dict[str, PasswordDiscard] = {}
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
                # the password is set once, at create, and discarded right after: a later change of the input
                # (a replaced RandomPassword) must never make a password that state holds the account's again
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect, ignore_changes=["password"]),
            )
            self.discards[key] = PasswordDiscard(
                f"{name}-{key}-password-discard",
                user_id=self.users[key].object_id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.object_ids = {key: user.object_id for key, user in self.users.items()}
        self.enabled_object_ids = {key: self.object_ids[key] for key, p in people.items() if p.enabled}
        self.register_outputs({"objectIds": self.object_ids})


TAP_ONBOARDING_TYPE = "privileged-access:index:TemporaryAccessPassOnboarding"


@dataclass(frozen=True, kw_only=True)
class TemporaryAccessPassOnboardingArgs:
    member_object_ids: Sequence[pulumi.Input[str]]
    """The admin accounts that may sign in with a Temporary Access Pass (PrivilegedAccounts.enabled_object_ids)."""
    group_display_name: str = "Admin accounts: Temporary Access Pass"
    default_lifetime_minutes: int = 60
    minimum_lifetime_minutes: int = 10
    maximum_lifetime_minutes: int = 60
    length: int = 16


class TemporaryAccessPassOnboarding(pulumi.ComponentResource):
    """The tenant's Temporary Access Pass policy, for the admin accounts only.

    Guarantees: a security group holding exactly the given admin accounts (not role-assignable: it grants no role)
    and the tenant's TAP method enabled for that group alone (never all users), every pass one-time, lifetimes
    within the given bounds (TemporaryAccessPassPolicy; drift is repaired by the next `up`). No pass is issued
    here: the journey automation issues one at onboarding, outside Pulumi. Outputs: `group_id`.
    """

    group_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: TemporaryAccessPassOnboardingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        members = list(args.member_object_ids)
        if not members:
            raise ValueError(f"TemporaryAccessPassOnboarding {name!r}: give the object IDs of the admin accounts")
        super().__init__(TAP_ONBOARDING_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        group = azuread.Group(
            f"{name}-group",
            display_name=args.group_display_name,
            security_enabled=True,
            description="Admin accounts that may sign in once with a Temporary Access Pass to register a passkey.",
            members=members,
            opts=child,
        )
        self.policy = TemporaryAccessPassPolicy(
            f"{name}-policy",
            include_group_ids=[group.object_id],
            default_lifetime_minutes=args.default_lifetime_minutes,
            minimum_lifetime_minutes=args.minimum_lifetime_minutes,
            maximum_lifetime_minutes=args.maximum_lifetime_minutes,
            default_length=args.length,
            opts=child,
        )
        self.group_id = group.object_id
        self.register_outputs({"groupId": self.group_id})
