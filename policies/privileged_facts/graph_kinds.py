"""The graphKind of each Graph-layer dynamic resource (components/graph/<module>.py GRAPH_KIND), spelled exactly.

The pack recognises one of ours only by this exact spelling (`rules.common.graph_kind`); any other spelling of a
dynamic resource that carries a kind's shape is judged as that kind but never counts as coverage, and every
GraphProvider refuses, in check, a graphKind other than its own (components/graph/base.py), so a caller-chosen
spelling cannot reach Graph through our providers. tests/test_graph_kind_provenance.py keeps this table equal to the
modules' constants.
"""

from __future__ import annotations

CONDITIONAL_ACCESS_POLICY = "conditionalAccessPolicy"
AUTHENTICATION_CONTEXT = "authenticationContext"
ENTRA_ROLE_SETTINGS = "entraRoleSettings"
ACCESS_PACKAGE_POLICY_SETTINGS = "accessPackagePolicySettings"

GRAPH_KINDS = frozenset(
    {
        CONDITIONAL_ACCESS_POLICY,
        AUTHENTICATION_CONTEXT,
        ENTRA_ROLE_SETTINGS,
        ACCESS_PACKAGE_POLICY_SETTINGS,
        "accessPackageCustomExtension",
        "lifecycleWorkflow",
        "passwordDiscard",
        "privateAccessApp",
        "directoryRoleEligibility",
        "temporaryAccessPassPolicy",
    }
)

# Our dynamic resources that speak ARM, not Graph; they carry the same marker (components/runbook_content.py).
RUNBOOK_CONTENT = "runbookContent"
DYNAMIC_KINDS = GRAPH_KINDS | {RUNBOOK_CONTENT}

# The props that say what a dynamic resource is when its graphKind does not (a misspelling, none, unknown): a CA
# policy carries its conditions or controls, role settings their rules, a context its claim value, an assignment
# policy's settings the lifetime they write over the azuread policy's.
SHAPES = {
    CONDITIONAL_ACCESS_POLICY: ("conditions", "grantControls", "sessionControls"),
    ENTRA_ROLE_SETTINGS: ("rules",),
    AUTHENTICATION_CONTEXT: ("claimValue",),
    ACCESS_PACKAGE_POLICY_SETTINGS: ("expiration",),
}
