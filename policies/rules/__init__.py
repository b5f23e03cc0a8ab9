"""The pack's policies. Each area module exports POLICIES; add one import line per area here."""
from . import pim
from . import conditional_access, paw
from . import access_packages, private_access

POLICIES = [*pim.POLICIES, *conditional_access.POLICIES, *paw.POLICIES, *access_packages.POLICIES, *private_access.POLICIES]
