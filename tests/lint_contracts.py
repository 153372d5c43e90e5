"""A custom import-linter contract: a package may import only the standard
library, itself and a short list of allowed third-party packages.

import-linter's built-in contracts can only forbid named modules; the scoring
core's rule (docs/architecture.md, "Layers") is an allow-list, so it needs this contract.
"""

from __future__ import annotations

import sys
from typing import cast

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AllowListContract(Contract):
    """Options: ``source_modules`` (packages checked) and ``allowed_external``
    (top-level third-party packages they may import besides the stdlib)."""

    type_name = "allow_list"

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_external = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        # at run time the fields hold the parsed option values
        external = cast("list[str] | None", self.allowed_external)
        sources = cast("list[str]", self.source_modules)
        allowed = set(external or []) | set(sys.stdlib_module_names)
        allowed.add("__future__")
        violations: list[str] = []
        for package in sources:
            own = package.split(".")[0]
            for module in sorted(graph.find_descendants(package) | {package}):
                for imported in sorted(graph.find_modules_directly_imported_by(module)):
                    top = imported.split(".")[0]
                    if top in allowed or imported == package or imported.startswith(package + "."):
                        continue
                    if top == own and not imported.startswith(package):
                        violations.append(f"{module} -> {imported} (outside {package})")
                        continue
                    if top != own:
                        for d in graph.get_import_details(importer=module, imported=imported):
                            violations.append(f"{module}:{d['line_number']} imports {imported}")
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["violations"]:
            output.print_error(f"- {line}")
