"""Existing tenants: `pum export` reads one read-only, `pum audit --from` judges the export with the pack, and
`pum import --from` writes the stack file and the Pulumi import file that adopt it (docs/existing-tenants.md)."""
