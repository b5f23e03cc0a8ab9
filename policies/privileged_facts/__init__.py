"""Facts shared by the components and the policy pack, so both always agree (one home, one import name).

`roles` (Entra and Azure role IDs, privileged and critical sets), `apps` (application IDs and authentication
strengths), `pim_rules` (PIM policy rule IDs), `defaults` (the secure defaults), `conventions` (type tokens and
tags the pack recognises), `values` (the unknown marker, GUIDs, durations, date-times).

It lives inside the pack (`policies/privileged_facts/`) so that `pulumi preview --policy-pack policies` imports it
with only the pack's requirements installed; the project installs the same directory under the same name for the
components. Standard library only.
"""
