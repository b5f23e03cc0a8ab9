"""First-party application IDs that conditional access targets, and the built-in authentication strengths.

Source: /work/shared/reference/entra-azure-facts.md (sections 4.2 and 4.4).
"""

from __future__ import annotations

# --- Apps targeted by conditional access (§4.4) ---------------------------------------------------

APP_AZURE_VIRTUAL_DESKTOP = "9cdead84-a844-4324-93f2-b2e6bb768d07"
APP_AVD_CLIENT = "a85cf173-4192-42f8-81fa-777a763e6e2c"
APP_AVD_ARM_PROVIDER = "50e95039-b200-4007-bc97-8d5790743a63"  # feed retrieval: never put MFA on it
APP_WINDOWS_CLOUD_LOGIN = "270efc09-cd0d-444b-a71f-39af4910ec45"
APP_MICROSOFT_REMOTE_DESKTOP = "a4a365df-50f1-4397-bc59-1a1564b8bb9c"
APP_AZURE_MANAGEMENT = "797f4846-ba00-4fd7-ba43-dac1f8f63013"
APP_AZURE_AD_GRAPH = "00000002-0000-0000-c000-000000000000"
APP_MICROSOFT_GRAPH = "00000003-0000-0000-c000-000000000000"
APP_INTUNE_ENROLLMENT = "d4ebce55-015a-49b5-a083-c84d1797ae8c"
MICROSOFT_ADMIN_PORTALS = "MicrosoftAdminPortals"
ADMIN_PORTAL_TARGETS = (MICROSOFT_ADMIN_PORTALS, APP_AZURE_MANAGEMENT)
AVD_SIGN_IN_APP_IDS = (APP_AZURE_VIRTUAL_DESKTOP, APP_WINDOWS_CLOUD_LOGIN)
INTUNE_MDM_ID = "0000000a-0000-0000-c000-000000000000"  # AADLoginForWindows settings.mdmId (Intune enrolment)

# --- Authentication strengths (§4.2) -----------------------------------------------------------------

AUTH_STRENGTH_MFA = "00000000-0000-0000-0000-000000000002"
AUTH_STRENGTH_PASSWORDLESS = "00000000-0000-0000-0000-000000000003"
BUILTIN_PHISHING_RESISTANT_STRENGTH = "00000000-0000-0000-0000-000000000004"
PHISHING_RESISTANT_METHODS = frozenset({"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"})
