"""This project's view of a previewed plan: who can become what (principal -> journey -> group -> role -> scope).

`pum graph` calls `render` (configured in pyproject.toml, `[tool.pum] graph`).
"""

from .map import PrivilegeMap, build_map, path_is_standing
from .render import render

__all__ = ["PrivilegeMap", "build_map", "path_is_standing", "render"]
