"""The pack's policies. Each area module exports POLICIES; add one import line per area here."""
from . import pim
from . import conditional_access, paw

POLICIES = [*pim.POLICIES, *conditional_access.POLICIES, *paw.POLICIES]
