"""Entry point the Pulumi CLI runs (`pulumi preview --policy-pack policies`); the policies live in `rules/`."""

from pulumi_policy import EnforcementLevel, PolicyPack
from rules import POLICIES

PolicyPack(name="privileged-access", enforcement_level=EnforcementLevel.MANDATORY, policies=POLICIES)
