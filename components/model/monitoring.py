"""Stack model for watching privileged users: `privileged-access:monitoring` and `privileged-access:licences`.

One Log Analytics workspace receives the Entra logs (audit, sign-ins of every kind, provisioning, risk) and the
diagnostics of the PAW, Key Vault, Automation and Logic App resources; Microsoft Sentinel on it runs the
detections (docs/monitoring.md), and an Azure Monitor alert sends their alerts to the action group the stack
names. Retention defaults to 365 days: OMB M-21-31 asks for twelve months of logs in active storage.
"""

from __future__ import annotations

from pydantic import Field

from .pim import Email, _Model
from .scalars import Bool, Int

DEFAULT_RETENTION_DAYS = 365
"""The secure default: twelve months searchable (OMB M-21-31, EL1 logging: 12 months active storage)."""

ENTRA_LOG_CATEGORIES = (
    "AuditLogs",
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
    "ProvisioningLogs",
    "RiskyUsers",
    "UserRiskEvents",
    "RiskyServicePrincipals",
    "ServicePrincipalRiskEvents",
)
"""The Entra diagnostic-setting categories the component always exports (tests/fixtures/log_tables.json lists the
categories Entra accepts)."""

LICENCE_KEYS = (
    "entraIdP1",
    "entraIdP2",
    "entraIdGovernance",
    "entraPrivateAccess",
    "avdUser",
    "verifiedIdFaceCheck",
)
"""The licences the licence report counts (docs/licences.md)."""


class ActionGroup(_Model):
    """Who is told when a detection fires."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,259}$", description="Action group name.")
    short_name: str = Field(
        pattern=r"^[A-Za-z0-9-]{1,12}$", description="Shown in SMS and email (at most 12 characters)."
    )
    emails: list[Email] = Field(min_length=1, max_length=50, description="Addresses that receive the alerts.")


class MonitoringSettings(_Model):
    """The workspace, the Entra logs, Sentinel and its detections, and where their alerts go."""

    enabled: Bool = Field(True, description="Declare the monitoring at all.")
    resource_group_name: str = Field(
        pattern=r"^[-\w.()]*[-\w()]$", max_length=90, description="Resource group for the workspace and Sentinel."
    )
    location: str = Field(pattern=r"^[a-z0-9]+$", description="Azure region, e.g. westeurope.")
    workspace_name: str = Field(
        "pum-privileged-logs", pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$", description="Workspace name."
    )
    retention_days: Int = Field(
        DEFAULT_RETENTION_DAYS,
        ge=90,
        le=730,
        description="Days the workspace keeps every log searchable (the pack's minimumLogRetentionDays applies).",
    )
    private: Bool = Field(
        True,
        description="No public ingestion or query: agents send and analysts query over Azure Monitor Private "
        "Link (the PAW's network); the Entra diagnostic setting is unaffected.",
    )
    action_group: ActionGroup
    pim_activation_window_minutes: Int = Field(
        60,
        ge=5,
        le=1440,
        description="How far back a tier-0 activation looks for a sign-in from the PAW.",
    )
    tags: dict[str, str] = Field(default_factory=dict)


class LicencesHeld(_Model):
    """Licences the tenant holds (seats); the pack's advisory licences-cover-plan reports any shortfall."""

    entra_id_p1: Int | None = Field(None, ge=0)
    entra_id_p2: Int | None = Field(None, ge=0)
    entra_id_governance: Int | None = Field(None, ge=0)
    entra_private_access: Int | None = Field(None, ge=0)
    avd_user: Int | None = Field(None, ge=0)
    verified_id_face_check: Int | None = Field(None, ge=0)

    def declared(self) -> dict[str, int]:
        """licence key (camelCase) -> seats, only the ones the stack file states."""
        return {
            (field.alias or name): value
            for name, field in type(self).model_fields.items()
            if (value := getattr(self, name)) is not None
        }


def monitoring_issues(model) -> list:
    """Checks between the monitoring area and the rest of the model: a private workspace is reached over Azure
    Monitor Private Link, whose endpoint the PAW's network holds."""
    from .errors import Issue

    monitoring = model.monitoring
    if monitoring is None or not monitoring.enabled or not monitoring.private:
        return []
    if model.paw is not None and model.paw.enabled:
        return []
    return [
        Issue(
            ("monitoring", "private"),
            True,
            "needs privileged-access:paw: the Azure Monitor Private Link endpoint that agents and analysts use is "
            "in the PAW's network; declare the PAW, or set private: false",
        )
    ]
