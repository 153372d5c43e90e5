"""What scoring needs of a contact: the property names its models (and a
router's conditions) read, for keeping only those in the state store.

Contract: ``needed_properties(router)`` is every property name a fit rule,
a disqualifier, a buying-group persona or a route condition tests without the
``account.`` prefix (those read the contact first), plus ``email`` when one of
them tests the full address; ``account.NAME`` conditions and the priority
``property`` read the account only and need nothing of the contact. A
contact's ``id``, ``company``, ``created_at`` and e-mail domain are always
needed (account keys, inactivity) and are not listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .routing import Router
from .schema import Condition

__all__ = ["needed_properties"]


def _own(when: Mapping[str, Condition]) -> Iterable[str]:
    return (k for k in when if not k.startswith("account."))


def needed_properties(router: Router) -> frozenset[str]:
    """See module docstring."""
    names: set[str] = set()
    for route in router.routes:
        names.update(_own(route.when))
    for model in router.models:
        spec = model.spec
        for rule in spec.rules:
            if rule.activity is None:
                names.update(_own(rule.when))
        for dq in spec.disqualifiers:
            if dq.activity is None:
                names.update(_own(dq.when))
        group = spec.account.buying_group
        if group is not None:
            for persona in group.personas:
                names.update(_own(persona.when))
    return frozenset(names)
