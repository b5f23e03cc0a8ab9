"""PIM policies (being written)."""
POLICIES: list = []
