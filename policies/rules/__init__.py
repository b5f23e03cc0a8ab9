"""The pack's policies. Each area module exports POLICIES; add one import line per area here."""
from . import pim

POLICIES = [*pim.POLICIES]
