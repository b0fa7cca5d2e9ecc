"""Role templates (SPEC §12): look one up by name. What a template is (Step, RoleTemplate) is in template.py, the
six templates are in catalogue.py.
"""

from __future__ import annotations

from core.errors import InvalidInput
from core.workforce.catalogue import ROLES
from core.workforce.template import RoleTemplate


def role_template(role: str) -> RoleTemplate:
    """The template of `role`; InvalidInput naming the known roles otherwise."""
    template = ROLES.get(role)
    if template is None:
        raise InvalidInput(f"unknown role {role!r}; choose one of: {', '.join(sorted(ROLES))}")
    return template


def all_roles() -> tuple[RoleTemplate, ...]:
    """Every role template, in catalogue order."""
    return tuple(ROLES.values())
