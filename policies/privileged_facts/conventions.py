"""What the project's components declare that the pack recognises: type tokens, the PAW tag, the PAW's RDP settings."""

from __future__ import annotations


def canonical_type(token: str) -> str:
    """A type token without its module path or API version, so one name matches every spelling the engine accepts:
    'azure-native:authorization/v20220401:RoleAssignment' -> 'azure-native:authorization:RoleAssignment',
    'azuread:index/directoryRoleMember:DirectoryRoleMember' -> 'azuread:index:DirectoryRoleMember'."""
    parts = token.split(":") if isinstance(token, str) else []
    if len(parts) != 3:
        return token
    package, module, name = parts
    return f"{package}:{module.split('/', 1)[0]}:{name}"


PACKAGE = "privileged-access"  # the components' type-token package: `privileged-access:index:<Component>`
BREAK_GLASS_TYPE = f"{PACKAGE}:index:BreakGlassAccounts"
PRIVILEGED_ACCOUNTS_TYPE = f"{PACKAGE}:index:PrivilegedAccounts"
PAW_TAG_KEY, PAW_TAG_VALUE = "pum-role", "paw"
ON_PREMISES_TAG_VALUE = "on-premises-automation"  # pum-role of the on-premises Automation account and its Key Vault
NETWORK_TAG_KEY, NETWORK_TAG_PRIVATE = "pum-network", "private"  # a workspace the stack says is private
MONITORING_TYPE = f"{PACKAGE}:index:PrivilegedMonitoring"
LICENCES_TYPE = f"{PACKAGE}:index:LicencesHeld"  # registers the licences the stack file says the tenant holds

# What makes an AVD host pool a PAW (azure-docs virtual-desktop/rdp-properties.md): each redirection
# off, Entra ID authentication to the host, WebAuthn and smart cards kept for phishing-resistant sign-in.
PAW_REDIRECTIONS_OFF = {
    "redirectclipboard": "0",
    "drivestoredirect": "",
    "usbdevicestoredirect": "",
    "redirectprinters": "0",
    "redirectcomports": "0",
    "camerastoredirect": "",
    "audiocapturemode": "0",
}
PAW_RDP_PROPERTIES = ";".join(
    [
        "enablerdsaadauth:i:1",
        "redirectclipboard:i:0",
        "drivestoredirect:s:",
        "usbdevicestoredirect:s:",
        "devicestoredirect:s:",
        "camerastoredirect:s:",
        "redirectprinters:i:0",
        "redirectcomports:i:0",
        "audiocapturemode:i:0",
        "redirectsmartcards:i:1",
        "redirectwebauthn:i:1",
    ]
)
