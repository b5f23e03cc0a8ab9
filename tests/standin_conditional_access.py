"""Graph stand-in endpoints for the conditional_access Graph providers (merged into graph_standin.ROUTES).

Handlers are plain functions taking the stand-in as their first argument, exactly like GraphStandIn's methods;
they keep their state in `standin.area["conditional_access"]` and import graph_standin's helpers (bad, not_found, ...)
inside the function (graph_standin imports this module at its end). `ENDPOINTS` are graph_models.Endpoint
argument tuples for the same endpoints (graph_models wraps and appends them).
"""

from __future__ import annotations

from typing import Any

ROUTES: list[tuple[str, str, Any, tuple[str, ...]]] = []
ENDPOINTS: list[tuple[Any, ...]] = []
