"""Policies for Azure Automation (issue 20): an Automation account that reaches the domain must not be reachable from
public networks, must authenticate with a managed identity (no Run As account, no account keys), and must keep no
credential in the plan or in the account. Each entry of POLICIES is a pulumi-policy policy; WHEN_UNKNOWN says for
each what it does when a deciding value is unknown at preview (the README's table).

What a credential in Automation looks like in ARM (Automation REST API 2024-10-23): a Credential asset (userName
and password: both in the plan and in Pulumi state), a Certificate asset (base64Value: the private key, in the plan),
a Connection asset whose fields carry a secret, a Variable that is not encrypted and may hold a credential (judged
by the shape of its value, below), and a
Webhook (its URI is a bearer token, and a webhook is a public entry point). A Run As account is a Certificate
`AzureRunAsCertificate` (classic: `AzureClassicRunAsCertificate`) plus a Connection `AzureRunAsConnection` of
connection type `AzureServicePrincipal` (classic: `AzureClassicRunAsConnection`, type `AzureClassicCertificate`):
a service principal whose certificate lives in the account (retired by Microsoft on 30 September 2023). A Hybrid
Runbook Worker group's `credential` names a Credential asset the jobs run as. Every one is judged in the
azure-native shape (any API version), the classic azure provider's (`azure:automation/...`), and ARM's generic shapes
(a `resources:Resource` or a resource in a `resources:Deployment*` template; key_vault.shapes).
Every runbook's content must be pinned in the plan (automation-runbook-content-pinned: a runbook of the account
can run on the domain's Hybrid Runbook Workers as Local System), and a runbook keeps no verbose stream or activity
trace (automation-runbook-quiet-streams, advisory).
A deciding value unknown at preview is reported through `common.unverified`, never passed.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import urllib.parse

from privileged_facts.roles import AUTOMATION_JOB_ROLE_IDS
from privileged_facts.values import is_unknown
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from .common import (
    config_schema,
    declared,
    dependencies_of,
    elements,
    get,
    is_dynamic,
    is_type,
    label,
    meta,
    unverified,
    verifying,
)
from .key_vault import AZAPI, GENERIC, UNKNOWN_KIND, role_scope_policy, shapes

ACCOUNT = "azure-native:automation:AutomationAccount"
CREDENTIAL = "azure-native:automation:Credential"
CERTIFICATE = "azure-native:automation:Certificate"
CONNECTION = "azure-native:automation:Connection"
VARIABLE = "azure-native:automation:Variable"
WEBHOOK = "azure-native:automation:Webhook"
WORKER_GROUP = "azure-native:automation:HybridRunbookWorkerGroup"
JOB_SCHEDULE = "azure-native:automation:JobSchedule"
CLASSIC_JOB_SCHEDULE = "azure:automation/jobSchedule:JobSchedule"
SOURCE_CONTROL = "azure-native:automation:SourceControl"
CLASSIC_SOURCE_CONTROL = "azure:automation/sourceControl:SourceControl"
CLASSIC_ACCOUNT = "azure:automation/account:Account"
CLASSIC_CREDENTIAL = "azure:automation/credential:Credential"
CLASSIC_CERTIFICATE = "azure:automation/certificate:Certificate"
CLASSIC_CONNECTION = "azure:automation/connection:Connection"
CLASSIC_RUN_AS_CONNECTIONS = (
    "azure:automation/connectionServicePrincipal:ConnectionServicePrincipal",
    "azure:automation/connectionClassicCertificate:ConnectionClassicCertificate",
    "azure:automation/connectionCertificate:ConnectionCertificate",
)
CLASSIC_VARIABLES = (
    "azure:automation/variableString:VariableString",
    "azure:automation/variableObject:VariableObject",
    "azure:automation/variableInt:VariableInt",
)
CLASSIC_WEBHOOK = "azure:automation/webhook:Webhook"
CLASSIC_WORKER_GROUP = "azure:automation/hybridRunbookWorkerGroup:HybridRunbookWorkerGroup"

ACCOUNT_SCOPE = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Automation/automationAccounts/[^/]+(/.*)?$",
    re.IGNORECASE,
)
RUN_AS_NAMES = frozenset({"azurerunasconnection", "azureclassicrunasconnection"})
RUN_AS_CERTIFICATES = frozenset({"azurerunascertificate", "azureclassicrunascertificate"})
RUN_AS_TYPES = frozenset({"azureserviceprincipal", "azureclassiccertificate"})
# A value that is a credential whatever its name: a PEM block, a storage/Service Bus connection string, a SAS
# signature, a password pair in a connection string, a JWT, a GitHub or Azure DevOps token.
CREDENTIAL_VALUE = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY|AccountKey=|SharedAccessKey=|SharedAccessSignature|[?&]sig=|"
    r"(password|pwd)\s*=|eyJ[\w-]{8,}\.eyJ[\w-]{8,}|\bgh[pousr]_[A-Za-z0-9]{20,}",
    re.IGNORECASE,
)

# --- what an unencrypted value may be --------------------------------------------------------------------------
# A name can say anything ("TokenLifetimeMinutes" holds 60, "DomainJoinKey" a password), so an unencrypted Variable
# value or Connection field value is judged by its SHAPE: it passes only when it is one of the shapes configuration
# has and a secret does not (docs/on-premises.md, "What an unencrypted value may be"):
#   a boolean; a number of at most 5 digits without a leading zero (a PIN or an account number is longer, or starts
#   with 0); a GUID; an e-mail address; an https/http URL without user info, query or fragment; an ARM resource ID;
#   a domain name (all one case, alphabetic top-level label); an LDAP distinguished name with a DC component; a
#   short word list (at most 8 words of at most 40 characters; each word's -, _ or . separated parts are letters,
#   digits, or letters followed by at most 4 digits: "Account Operators", "kv-contoso-pam", "PowerShell72", but
#   not "Zx9kQ2Lm7" or "Winter2026!").
# A JSON array or object (a Variable's value is a JSON literal) passes when every member and key does. On top of the
# shape, a name whose last word is a credential noun (…Password, …Pw, …Pin, …Key, …Secret, …Token, …Sas,
# …ConnectionString) holds a credential whatever its value, unless the value is a boolean: a 4-digit PIN or a GUID
# API key has a configuration shape. Residual risk (documented): a weak password that looks like a word list
# ("Winter2026") under a neutral name.
MAX_NUMBER_DIGITS = 5
MAX_WORDS, MAX_WORD = 8, 40
_GUID = re.compile(r"^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$", re.IGNORECASE)
_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"^(?:{_LABEL}\.)+[A-Za-z]{{2,63}}\.?$")
_EMAIL = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._+-]{{0,63}}@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")
_HOST = re.compile(rf"^(?:{_LABEL}\.)*{_LABEL}$")
_ARM_ROOTS = ("/subscriptions/", "/providers/")
_DATE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$"
)
_DURATION = re.compile(r"^P(?!$)([0-9]+[YMWD])*(T(?=[0-9])([0-9]+[HMS])*)?$")
_RDN = re.compile(r"^(CN|OU|DC|O|L|ST|C|STREET|UID)=[A-Za-z0-9_.-](?:[A-Za-z0-9 _.-]*[A-Za-z0-9_.-])?$", re.IGNORECASE)
_PART = re.compile(r"^(?:[A-Za-z]+[0-9]{0,4}|[0-9]{1,4})$")
_WORD_PARTS = re.compile(r"[-_.()]")
# The last word of a name that says "this is a credential" (names split at case changes, digits and separators).
CREDENTIAL_NOUNS = frozenset(
    {
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "pw",
        "pass",
        "pin",
        "key",
        "secret",
        "token",
        "sas",
        "pat",
        "credential",
        "credentials",
        "cred",
        "creds",
        "apikey",
        "connectionstring",
        "signature",
        "cert",
        "certificate",
    }
)
_LONG_NOUNS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "credential",
    "apikey",
    "accesskey",
    "connectionstring",
    "privatekey",
)
_NAME_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def names_a_credential(name: object) -> bool:
    """Whether a variable's or field's name ends in a credential noun ("DomainJoinKey", "AdminPw", "svc_pin",
    "adminpassword"; not "TokenLifetimeMinutes" or "KeyVaultName")."""
    if not isinstance(name, str):
        return False
    words = [w.lower() for w in _NAME_WORDS.findall(name)]
    if not words:
        return False
    last = words[-1]
    joined = "".join(words)
    return last in CREDENTIAL_NOUNS or "".join(words[-2:]) in CREDENTIAL_NOUNS or joined.endswith(_LONG_NOUNS)


def _word(word: str) -> bool:
    """One identifier-like word: its parts letters, up to 4 digits, or letters then up to 4 digits; one letter at
    least ("kv-contoso-pam", "dc-mgmt-01", "Tier0"; not "Zx9kQ2", "83920571" or "Winter2026!")."""
    parts = [p for p in _WORD_PARTS.split(word) if p]
    return (
        0 < len(word) <= MAX_WORD
        and bool(parts)
        and all(_PART.match(p) for p in parts)
        and any(c.isalpha() for c in word)
    )


def _word_list(text: str) -> bool:
    words = text.split(" ")
    return 0 < len(words) <= MAX_WORDS and all(_word(w) for w in words)


def _segment(segment: str) -> bool:
    """A URL path or ARM ID segment: a GUID, a number or an identifier-like word."""
    return bool(_GUID.match(segment)) or (segment.isdigit() and len(segment) <= MAX_NUMBER_DIGITS) or _word(segment)


def _url(text: str) -> bool:
    """An http(s) URL with no user info, query or fragment (where tokens and signatures ride) and a path of
    identifier-like segments (a webhook URL carries its token in the path)."""
    try:
        url = urllib.parse.urlsplit(text)
        port = url.port
    except ValueError:
        return False
    del port
    return (
        url.scheme in ("http", "https")
        and "@" not in url.netloc
        and not url.query
        and not url.fragment
        and "?" not in text
        and "#" not in text
        and bool(_HOST.match(url.hostname or ""))
        and all(_segment(s) for s in url.path.split("/")[1:] if s)
    )


def _arm_id(text: str) -> bool:
    segments = text.split("/")[1:]
    return text.lower().startswith(_ARM_ROOTS) and len(segments) >= 2 and all(s and _segment(s) for s in segments)


def _ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _number(value: object) -> bool:
    text = value if isinstance(value, str) else repr(value)
    if not _NUMBER.match(text):
        return False
    return len(text.lstrip("-").replace(".", "")) <= MAX_NUMBER_DIGITS


def _distinguished_name(text: str) -> bool:
    rdns = [p.strip() for p in text.split(",")]
    return len(rdns) >= 2 and all(_RDN.match(r) for r in rdns) and any(r[:3].lower() == "dc=" for r in rdns)


def configuration_shape(value: object) -> bool:
    """Whether a plain value has a shape configuration has and a credential does not (see above)."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, list):
        return all(configuration_shape(v) for v in value)
    if isinstance(value, dict):
        return all(_word_list(str(k)) and configuration_shape(v) for k, v in value.items())
    if not isinstance(value, str):
        return False
    text = value.strip()
    if text == "" or text.lower() in ("true", "false"):
        return True
    if CREDENTIAL_VALUE.search(text):
        return False
    if _number(text) or _GUID.match(text) or _EMAIL.match(text) or _url(text) or _arm_id(text):
        return True
    if _DATE.match(text) or _DURATION.match(text) or _ip_address(text):
        return True
    if _DOMAIN.match(text) and (text == text.lower() or text == text.upper()):
        return True
    return _distinguished_name(text) or _word_list(text)


def variable_value(value: str) -> object:
    """An Automation variable's value as the runbook reads it: the JSON literal parsed (the raw text when it is not
    JSON: the classic provider's VariableString)."""
    try:
        return json.loads(value)
    except ValueError:
        return value


AUTOMATION_DOCS = "https://learn.microsoft.com/azure/automation/automation-security-overview"

WHEN_UNKNOWN = {
    "automation-no-public-network": "An unknown publicNetworkAccess (classic: publicNetworkAccessEnabled), an ARM "
    "template expression, or a generic resource or deployment template whose resource type is unknown (or a linked "
    "template) is a mandatory 'cannot be verified at preview' violation.",
    "automation-managed-identity-only": "An unknown identity type or disableLocalAuth (classic: identity, "
    "localAuthenticationEnabled) is a mandatory 'cannot be verified at preview' violation.",
    "automation-no-run-as-account": "An unknown certificate or connection name or connection type is a mandatory "
    "'cannot be verified at preview' violation.",
    "automation-no-credential-assets": "Credential, Certificate and Webhook resources are violations whatever their "
    "values; an unknown Connection field set or field value, JobSchedule parameters or parameter value, or an "
    "unencrypted Variable whose name, value or isEncrypted is unknown, is a mandatory 'cannot be verified at "
    "preview' violation (a field whose name ends in a credential noun fails whatever its value).",
    "automation-job-roles-on-account": "Automation Job Operator, Automation Operator or Automation Contributor "
    "granted at a scope that is unknown at preview and not computed from a declared Automation account is a "
    "mandatory 'cannot be verified at preview' violation; a grant whose role is unknown is left to the Azure role "
    "policies.",
    "automation-runbook-content-pinned": "A source control resource is a violation whatever its values; a runbook's "
    "properties, content link, contentHash algorithm or value unknown at preview, a link URI computed from anything "
    "but this stack's storage blobs, an ARM template expression, or a RunbookContent whose content or contentHash is "
    "unknown is a mandatory 'cannot be verified at preview' violation.",
    "automation-runbook-quiet-streams": "An unknown logVerbose or logActivityTrace is reported at the policy's "
    "level (advisory) as 'cannot be verified at preview'.",
    "automation-worker-group-no-credential": "An unknown credential (classic: credentialName) on a Hybrid Runbook "
    "Worker group is a mandatory 'cannot be verified at preview' violation.",
}


class _View:
    """One shape of a resource (key_vault.shapes: itself, a generic resource, a template's resource) as the checks
    read it: its token, props and name, and the policy's config."""

    def __init__(self, args, shape) -> None:
        self.resource_type, self.props, self.name, self.where = shape.kind, shape.props, args.name, shape.where
        self.get_config = args.get_config


def _each_shape(validate, first: bool = False):
    """Run `validate` on every shape of the resource; an unknown shape is reported by the area's first policy."""

    @verifying
    def run(args, report) -> None:
        for shape in shapes(args):
            if shape.kind == UNKNOWN_KIND:
                if first:
                    unverified(args, report, f"{shape.where} resource type (it may declare an Automation asset)")
                continue
            validate(_View(args, shape), report)

    run.__name__ = validate.__name__
    return run


def _report(args, report, problems: list[str], unknown: list[str]) -> None:
    for problem in problems:
        report(f"{args.where}: {problem}")
    for what in unknown:
        unverified(args, report, f"{args.where} {what}")


def _no_public_network(args, report) -> None:
    if is_type(args.resource_type, ACCOUNT):
        key, private = "publicNetworkAccess", False
    elif is_type(args.resource_type, CLASSIC_ACCOUNT):
        key, private = "publicNetworkAccessEnabled", False
    else:
        return
    value = get(args.props, key)
    if is_unknown(value):
        _report(args, report, [], [key])
    elif value is not private:
        shown = "not set (true, the default)" if value is None else "true"
        _report(
            args,
            report,
            [
                f"{key} is {shown}: the account's agent and webhook endpoints are reachable from the internet. Set "
                "it false and connect the Hybrid Runbook Workers through a private endpoint (DSCAndHybridWorker)."
            ],
            [],
        )


def _identity_types(identity) -> object:
    kind = get(identity, "type")
    if is_unknown(kind):
        return kind
    return {part.strip().lower() for part in str(kind or "").split(",")}


def _managed_identity(args, report) -> None:
    problems: list[str] = []
    unknown: list[str] = []
    if is_type(args.resource_type, ACCOUNT):
        local_key, local_off = "disableLocalAuth", True
    elif is_type(args.resource_type, CLASSIC_ACCOUNT):
        local_key, local_off = "localAuthenticationEnabled", False
    else:
        return
    identity = get(args.props, "identity")
    if is_type(args.resource_type, CLASSIC_ACCOUNT):
        identity = elements(identity)[0] if elements(identity) else None
    kinds = _identity_types(identity)
    if is_unknown(identity) or is_unknown(kinds):
        unknown.append("identity.type")
    elif not isinstance(kinds, set) or not kinds & {"systemassigned", "userassigned"}:
        problems.append(
            "has no managed identity (identity.type SystemAssigned): its runbooks would need a stored credential "
            "or a Run As account to reach Azure."
        )
    local = get(args.props, local_key)
    if is_unknown(local):
        unknown.append(local_key)
    elif local is not local_off:
        problems.append(
            f"{local_key} is not {str(local_off).lower()}: the account accepts its shared keys (agent registration "
            "and webhooks without Entra ID)."
        )
    _report(args, report, problems, unknown)


def _lower(value) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _asset_name(args) -> object:
    """The asset's name in the account (azure-native: the `<asset>Name` path key or `name`)."""
    for key in ("certificateName", "connectionName", "credentialName", "variableName", "name"):
        value = get(args.props, key)
        if value is not None:
            return value
    return args.name


def _no_run_as(args, report) -> None:
    if is_type(args.resource_type, *CLASSIC_RUN_AS_CONNECTIONS):
        report(
            f"{args.where}: a service-principal or certificate connection is a Run As account (a certificate "
            "credential kept in the account); use the account's managed identity."
        )
        return
    if is_type(args.resource_type, CERTIFICATE, CLASSIC_CERTIFICATE):
        names = [get(args.props, "certificateName"), get(args.props, "name")]
        if any(is_unknown(n) for n in names):
            _report(args, report, [], ["certificate name"])
        elif any(_lower(n) in RUN_AS_CERTIFICATES for n in names):
            report(f"{args.where}: the Run As certificate; use the account's managed identity.")
        return
    if not is_type(args.resource_type, CONNECTION, CLASSIC_CONNECTION):
        return
    names = [get(args.props, "connectionName"), get(args.props, "name")]
    kind = get(args.props, "connectionType", "name") if is_type(args.resource_type, CONNECTION) else None
    if is_type(args.resource_type, CLASSIC_CONNECTION):
        kind = get(args.props, "type")
    if any(_lower(n) in RUN_AS_NAMES for n in names if not is_unknown(n)) or _lower(kind) in RUN_AS_TYPES:
        report(
            f"{args.where}: a Run As connection (type AzureServicePrincipal or AzureClassicCertificate): a service "
            "principal with a certificate kept in the account. Use the account's managed identity."
        )
    elif any(is_unknown(n) for n in names) or is_unknown(kind):
        _report(args, report, [], ["connection name or type"])


def _secret_fields(fields: dict) -> list[str]:
    """The keys of a connection's known field values that carry a secret: a name ending in a credential noun (unless
    the value is a boolean), or a value without a configuration shape; named by key only."""
    found = []
    for key, value in fields.items():
        if is_unknown(value):
            if names_a_credential(str(key)):
                found.append(str(key))
            continue
        if (names_a_credential(str(key)) and not isinstance(value, bool)) or not configuration_shape(value):
            found.append(str(key))
    return sorted(found)


def _no_credential_assets(args, report) -> None:
    kind = args.resource_type
    if is_type(kind, CREDENTIAL, CLASSIC_CREDENTIAL):
        report(
            f"{args.where}: a Credential asset puts a user name and password in the plan and in Pulumi state; keep "
            "the credential in Key Vault and read it in the runbook with the managed identity."
        )
    elif is_type(kind, CERTIFICATE, CLASSIC_CERTIFICATE):
        report(
            f"{args.where}: a Certificate asset puts the certificate (base64Value, with its private key) in the plan "
            "and in Pulumi state; keep it in Key Vault."
        )
    elif is_type(kind, WEBHOOK, CLASSIC_WEBHOOK):
        report(
            f"{args.where}: a webhook's URI is a bearer credential (in Pulumi state) and a public entry point to the "
            "account; start jobs through ARM with Automation Job Operator instead."
        )
    elif is_type(kind, CONNECTION, CLASSIC_CONNECTION):
        key = "fieldDefinitionValues" if is_type(kind, CONNECTION) else "values"
        fields = get(args.props, key)
        if is_unknown(fields):
            _report(args, report, [], [key])
            return
        if not isinstance(fields, dict):
            return
        unknown = [k for k, v in fields.items() if is_unknown(v) and not names_a_credential(str(k))]
        secret = _secret_fields(fields)
        if secret:
            report(f"{args.where}: {key} carries secrets in the plan ({', '.join(secret)}); keep them in Key Vault.")
        for field in unknown:
            unverified(args, report, f"{args.where} {key}.{field}")
    elif is_type(kind, JOB_SCHEDULE, CLASSIC_JOB_SCHEDULE):
        # a job's parameters are in the plan, in Pulumi state and in every job's input (readable by whoever reads
        # the account's jobs): judged like a connection's fields
        parameters = get(args.props, "parameters")
        if is_unknown(parameters):
            _report(args, report, [], ["parameters"])
            return
        if not isinstance(parameters, dict):
            return
        unknown = [k for k, v in parameters.items() if is_unknown(v) and not names_a_credential(str(k))]
        secret = _secret_fields(parameters)
        if secret:
            report(
                f"{args.where}: parameters carry secrets into every job's input ({', '.join(secret)}); let the "
                "runbook read them from Key Vault."
            )
        for parameter in unknown:
            unverified(args, report, f"{args.where} parameters.{parameter}")
    elif is_type(kind, VARIABLE, *CLASSIC_VARIABLES):
        encrypted = get(args.props, "isEncrypted" if is_type(kind, VARIABLE) else "encrypted")
        if encrypted is True:
            return
        name, value = _asset_name(args), get(args.props, "value")
        if is_unknown(encrypted) or is_unknown(name) or is_unknown(value):
            what = "isEncrypted" if is_unknown(encrypted) else "name" if is_unknown(name) else "value"
            _report(args, report, [], [f"{what} (of a variable that is not encrypted)"])
            return
        parsed = variable_value(value) if isinstance(value, str) else value
        by_name = names_a_credential(name) and not isinstance(parsed, bool)
        if by_name or not configuration_shape(parsed):
            why = (
                "its name says it holds a credential"
                if by_name
                else "its value has no configuration shape: not a number, boolean, GUID, e-mail address, URL, ARM "
                "ID, domain name, distinguished name or short word list"
            )
            report(
                f"{args.where}: an unencrypted variable that may hold a credential ({why}): readable by anyone who "
                "can read the account, and in Pulumi state. Encrypt it (isEncrypted true), or keep the credential "
                "in Key Vault."
            )


def _worker_group(args, report) -> None:
    if is_type(args.resource_type, WORKER_GROUP):
        value, key = get(args.props, "credential"), "credential"
        if isinstance(value, dict):
            value, key = get(value, "name"), "credential.name"
    elif is_type(args.resource_type, CLASSIC_WORKER_GROUP):
        value, key = get(args.props, "credentialName"), "credentialName"
    else:
        return
    if is_unknown(value):
        _report(args, report, [], [key])
    elif value not in (None, "", {}):
        report(
            f"{args.where}: {key} is set: the group's jobs run as a Credential asset (a password kept in the "
            "account). Leave it empty (jobs run as the worker's Local System) and read the credentials the runbooks "
            "need from Key Vault."
        )


# --- runbook content: what runs on the domain's Hybrid Runbook Workers ----------------------------------------------
# Any runbook of the account can be started on the domain worker group (a job's runOn), where it runs as Local
# System on a domain server. So every runbook's content must be pinned in the plan: published by our RunbookContent
# provider (components/runbook_content.py: the repository file's text, its SHA-256 pinned and compared with the
# published content), or from a content link with a SHA-256 contentHash whose URI is a storage blob this stack
# uploads (Automation REST API 2024-10-23 ContentLink: uri, contentHash {algorithm, value}, version).

RUNBOOK = "azure-native:automation:Runbook"
CLASSIC_RUNBOOK = "azure:automation/runBook:RunBook"
BLOBS = ("azure-native:storage:Blob", "azure:storage/blob:Blob")
STORAGE = (
    *BLOBS,
    "azure-native:storage:BlobContainer",
    "azure-native:storage:StorageAccount",
    "azure:storage/container:Container",
    "azure:storage/account:Account",
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$", re.IGNORECASE)


def _runbook_contents(resources) -> dict[str, list]:
    """Runbook URN -> the RunbookContent-shaped dynamic resources whose runbookId is computed from that runbook
    alone (a runbookId computed from several runbooks publishes to one of them only: it pins none)."""
    found: dict[str, list] = {}
    for res in resources:
        if not is_dynamic(res.resource_type) or any(get(res.props, k) is None for k in ("runbookId", "contentHash")):
            continue
        deps = dependencies_of(res, "runbookId")
        if len(deps) == 1:
            found.setdefault(deps[0].urn, []).append(res)
    return found


def _content_pinned(args, report, content) -> None:
    """Whether a RunbookContent carries the text and its SHA-256 (what its provider publishes and checks)."""
    text, pin = get(content.props, "content"), get(content.props, "contentHash")
    if is_unknown(text) or is_unknown(pin):
        unverified(args, report, f"{label(content)} content or contentHash", content.urn)
    elif not isinstance(text, str) or not text.strip() or not isinstance(pin, str):
        report(f"{label(content)}: has no runbook text or contentHash: it pins nothing.", content.urn)
    elif hashlib.sha256(text.encode("utf-8")).hexdigest().upper() != pin.strip().upper():
        report(
            f"{label(content)}: contentHash is not the SHA-256 of its content: what is published is not what the "
            "plan shows.",
            content.urn,
        )


def _link_pinned(args, report, res, where: str, link, what: str, dep_key, by_urn, hash_key: str) -> None:
    """Judge one content link: a SHA-256 contentHash with a value, and a URI computed from a storage blob this stack
    declares (a literal URI is outside the stack)."""
    if is_unknown(link):
        unverified(args, report, f"{where} {what}", res.urn)
        return
    pin = get(link, hash_key)
    algorithm, value = get(pin, "algorithm"), get(pin, "value")
    problems: list[str] = []
    if pin is None:
        problems.append(f"{what} has no {hash_key}: Automation publishes whatever the URI serves when it fetches it")
    else:
        if is_unknown(algorithm):
            unverified(args, report, f"{where} {what}.{hash_key}.algorithm", res.urn)
        elif not (isinstance(algorithm, str) and algorithm.strip().upper().replace("-", "") == "SHA256"):
            problems.append(f"{what}.{hash_key}.algorithm is not SHA256")
        if is_unknown(value):
            unverified(args, report, f"{where} {what}.{hash_key}.value", res.urn)
        elif not (isinstance(value, str) and _SHA256.match(value.strip())):
            problems.append(f"{what}.{hash_key}.value is not a SHA-256 (64 hex digits)")
    uri = get(link, "uri")
    if uri is None:
        problems.append(f"{what} has no uri")
    elif is_unknown(uri):
        deps = [by_urn.get(d.urn) for d in dependencies_of(res, dep_key)] if dep_key else []
        from_blob = any(d is not None and is_type(d, *BLOBS) for d in deps)
        if not (from_blob and all(d is not None and is_type(d, *STORAGE) for d in deps)):
            unverified(args, report, f"{where} {what}.uri (not computed from a storage blob of this stack)", res.urn)
    elif not any(
        isinstance(get(b.props, "url"), str) and get(b.props, "url") == uri
        for b in by_urn.values()
        if is_type(b, *BLOBS)
    ):
        problems.append(f"{what}.uri is a literal address outside the stack, not a storage blob this stack uploads")
    for problem in problems:
        report(
            f"{where}: {problem}. The runbook can run on the domain's Hybrid Runbook Workers as Local System: publish "
            "it with RunbookContent (OnPremisesAutomation), or from a blob of this stack with a SHA256 contentHash.",
            res.urn,
        )


def _runbook_links(res, shape):
    """(published link, draft link, classic inline content, the resource keys the two links' dependencies are
    under, the hash key) of one runbook shape."""
    if is_type(res, CLASSIC_RUNBOOK):
        return (  # the classic provider's (azurerm) publish_content_link and draft.content_link: hash, not contentHash
            declared(res, "publishContentLink"),
            declared(res, "draft", "contentLink"),
            declared(res, "content"),
            ("publishContentLink", "draft"),
            "hash",
        )
    if is_type(res, RUNBOOK):
        draft = declared(res, "draft", "draftContentLink")
        return declared(res, "publishContentLink"), draft, None, ("publishContentLink", "draft"), "contentHash"
    key = "properties" if is_type(res, GENERIC) else "body" if is_type(res, *AZAPI) else None  # a template: none
    return (
        get(shape.props, "publishContentLink"),
        get(shape.props, "draft", "draftContentLink"),
        None,
        (key, key),
        "contentHash",
    )


@verifying
def _runbook_content_pinned(args, report) -> None:
    by_urn = {r.urn: r for r in args.resources}
    contents = _runbook_contents(args.resources)
    for res in args.resources:
        declared_shapes = shapes(res)
        runbooks = [s for s in declared_shapes if s.of(RUNBOOK, CLASSIC_RUNBOOK)]
        # a RunbookContent computed from a deployment declaring several runbooks publishes to one of them only
        ours = contents.get(res.urn, []) if len(runbooks) == 1 else []
        for shape in declared_shapes:
            if shape.of(SOURCE_CONTROL, CLASSIC_SOURCE_CONTROL):
                report(
                    f"{shape.where}: source control syncs and publishes runbooks from a repository branch, outside "
                    "the plan (and keeps a repository token in the account): what runs on the domain's Hybrid "
                    "Runbook Workers is whatever is pushed there. Publish runbooks with RunbookContent.",
                    res.urn,
                )
                continue
            if shape.kind == UNKNOWN_KIND or not shape.of(RUNBOOK, CLASSIC_RUNBOOK):
                continue
            if is_unknown(shape.props):
                unverified(args, report, f"{shape.where} properties", res.urn)
                continue
            published, draft, inline, keys, hash_key = _runbook_links(res, shape)
            pinned = False
            for link, what, key in ((published, "publishContentLink", keys[0]), (draft, "draftContentLink", keys[1])):
                if link is not None:
                    _link_pinned(args, report, res, shape.where, link, what, key, by_urn, hash_key)
            if published is not None:
                pinned = True  # judged above
            if is_unknown(inline):
                unverified(args, report, f"{shape.where} content", res.urn)
                pinned = True
            elif isinstance(inline, str) and inline.strip():
                pinned = True  # the classic provider's inline content: the plan carries the text itself
            for content in ours:
                _content_pinned(args, report, content)  # reports its own problems
                pinned = True
            if not pinned:
                report(
                    f"{shape.where}: its content is not pinned in the plan (no RunbookContent publishes it, no "
                    "publishContentLink with a SHA256 contentHash): whatever is published in the portal or by "
                    "anyone with write access runs on the domain's Hybrid Runbook Workers as Local System. Publish "
                    "it with RunbookContent (OnPremisesAutomation).",
                    res.urn,
                )


def _quiet_streams(args, report) -> None:
    if not is_type(args.resource_type, RUNBOOK, CLASSIC_RUNBOOK):
        return
    problems: list[str] = []
    unknown: list[str] = []
    verbose = get(args.props, "logVerbose")
    if is_unknown(verbose):
        unknown.append("logVerbose")
    elif verbose is True:
        problems.append(
            "logVerbose is true: every Write-Verbose record (the values a runbook handles, a password among "
            "them if one slips) is kept in the job's streams for anyone who can read the account's jobs."
        )
    trace = get(args.props, "logActivityTrace")
    if is_unknown(trace):
        unknown.append("logActivityTrace")
    elif isinstance(trace, (int, float)) and not isinstance(trace, bool) and trace > 0:
        problems.append("logActivityTrace is on: each activity's inputs and outputs are kept in the job's streams.")
    _report(args, report, problems, unknown)


POLICIES = [
    ResourceValidationPolicy(
        name="automation-no-public-network",
        description="An Automation account is not reachable from public networks (publicNetworkAccess false).",
        validate=_each_shape(_no_public_network, first=True),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set publicNetworkAccess false and add a private endpoint (sub-resource DSCAndHybridWorker) with the "
            "privatelink.azure-automation.net zone (or use the OnPremisesAutomation component).",
            "Microsoft cloud security benchmark",
            "NS-2: secure cloud services with network controls",
            "https://learn.microsoft.com/azure/automation/how-to/private-link-security",
        ),
    ),
    ResourceValidationPolicy(
        name="automation-managed-identity-only",
        description="An Automation account authenticates with a managed identity and accepts no shared keys "
        "(local authentication off).",
        validate=_each_shape(_managed_identity),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set identity.type SystemAssigned and disableLocalAuth true.",
            "Microsoft cloud security benchmark",
            "IM-3: manage application identities securely",
            AUTOMATION_DOCS,
        ),
    ),
    ResourceValidationPolicy(
        name="automation-no-run-as-account",
        description="No Automation Run As account: no AzureRunAsConnection / AzureServicePrincipal or classic "
        "certificate connection, no Run As certificate.",
        validate=_each_shape(_no_run_as),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Remove the Run As connection and certificate; give the account a system-assigned managed identity and "
            "the Azure roles its runbooks need.",
            "Microsoft cloud security benchmark",
            "IM-3: manage application identities securely",
            "https://learn.microsoft.com/azure/automation/migrate-run-as-accounts-managed-identity",
        ),
    ),
    ResourceValidationPolicy(
        name="automation-no-credential-assets",
        description="No credential kept in an Automation account or the plan: no Credential, Certificate or Webhook "
        "asset; an unencrypted Variable, Connection field or JobSchedule parameter only of a configuration shape "
        "(number, boolean, GUID, e-mail, URL, ARM ID, domain, DN, short word list; docs/on-premises.md) and not "
        "named as a credential.",
        validate=_each_shape(_no_credential_assets),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Keep credentials in Key Vault (RBAC, private endpoint) and read them in the runbook with the managed "
            "identity; start jobs through ARM, not webhooks.",
            "Microsoft cloud security benchmark",
            "IM-8: restrict the exposure of credentials and secrets",
            AUTOMATION_DOCS,
        ),
    ),
    StackValidationPolicy(
        name="automation-runbook-content-pinned",
        description="Every runbook's content is pinned in the plan: published by RunbookContent (the repository "
        "file, SHA-256 pinned), or from a content link with a SHA256 contentHash whose URI is a storage blob this "
        "stack uploads (publish and draft links alike), and no source control publishes runbooks: any runbook can "
        "run on the domain's Hybrid Runbook Workers.",
        validate=_runbook_content_pinned,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Publish the runbook with RunbookContent (the OnPremisesAutomation component does), or upload it as a "
            "storage blob in this stack and set publishContentLink.uri to the blob's URL with contentHash "
            "{algorithm: SHA256, value: <the file's SHA-256>}.",
            "Microsoft cloud security benchmark",
            "AM-5: use only approved applications in virtual machines",
            "https://learn.microsoft.com/azure/automation/automation-hrw-run-runbooks",
        ),
    ),
    ResourceValidationPolicy(
        name="automation-runbook-quiet-streams",
        description="A runbook keeps no verbose stream or activity trace (logVerbose false, logActivityTrace 0): "
        "job streams are readable by anyone who can read the account's jobs, and may carry the values a runbook "
        "handles.",
        validate=_each_shape(_quiet_streams),
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=config_schema(),
        **meta(
            "low",
            "Set logVerbose false and leave logActivityTrace unset (or 0); log what the runbook does with Write-Output "
            "lines that carry no secret.",
            "Microsoft cloud security benchmark",
            "LT-3: enable logging for security investigation",
            "https://learn.microsoft.com/azure/automation/automation-runbook-output-and-messages",
        ),
    ),
    ResourceValidationPolicy(
        name="automation-worker-group-no-credential",
        description="A Hybrid Runbook Worker group has no Run As credential (a Credential asset its jobs run as).",
        validate=_each_shape(_worker_group),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Remove credential from the worker group; the runbooks read the AD credential they need from Key Vault.",
            "Microsoft cloud security benchmark",
            "IM-8: restrict the exposure of credentials and secrets",
            "https://learn.microsoft.com/azure/automation/automation-hrw-run-runbooks",
        ),
    ),
    StackValidationPolicy(
        name="automation-job-roles-on-account",
        description="Roles that start jobs or change runbooks (Automation Job Operator, Automation Operator, "
        "Automation Contributor) are granted on one Automation account, never more widely: a job runs on the "
        "account's Hybrid Runbook Workers.",
        validate=role_scope_policy(
            AUTOMATION_JOB_ROLE_IDS, ACCOUNT_SCOPE, (ACCOUNT, CLASSIC_ACCOUNT), "Automation account"
        ),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set the role assignment's scope to the Automation account's ID; grant Automation Job Operator only to "
            "the journey automation's identity.",
            "Microsoft cloud security benchmark",
            "PA-7: follow just enough administration (least privilege)",
            "https://learn.microsoft.com/azure/automation/automation-role-based-access-control",
        ),
    ),
]
