"""The pack's policies: each area module exports POLICIES, listed here in the order the pack declares them."""

from . import access_packages, conditional_access, paw, pim, private_access

POLICIES = [
    *pim.POLICIES,
    *conditional_access.POLICIES,
    *paw.POLICIES,
    *access_packages.POLICIES,
    *private_access.POLICIES,
]
