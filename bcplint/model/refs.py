"""References between documents: a field that holds another document's name, and which kinds it may name.

The :class:`~bcplint.model.types.Ref` marker on a field tells the workspace to resolve it
(BCP003 reports a name no document holds) and the server to jump to it.
"""

from __future__ import annotations

from typing import Annotated

from bcplint.model.types import Ref, ref_field

ALL_KINDS = ("Plan", "Contact", "Team", "Service", "System", "Supplier", "Site", "Exercise", "Waiver")

# What a Service or a System may depend on (ISO 22301:2019 8.3.4 lists the resources: people,
# information and data, buildings and facilities, ICT systems, partners and suppliers).
SERVICE_DEPENDENCY_KINDS = ("Service", "System", "Supplier", "Site", "Team", "Contact")
SYSTEM_DEPENDENCY_KINDS = ("System", "Supplier", "Site", "Team", "Contact")
# What an exercise may exercise.
EXERCISE_SCOPE_KINDS = ("Service", "System", "Supplier", "Site")

ContactRef = Annotated[str, Ref(("Contact",)), ref_field("Contact")]
# Who can own, deputise, hold a role, approve or be called: a person or a team.
PartyRef = Annotated[str, Ref(("Contact", "Team")), ref_field("Contact", "Team")]
ServiceRef = Annotated[str, Ref(("Service",)), ref_field("Service")]
SiteRef = Annotated[str, Ref(("Site",)), ref_field("Site")]
ServiceDependencyRef = Annotated[str, Ref(SERVICE_DEPENDENCY_KINDS), ref_field(*SERVICE_DEPENDENCY_KINDS)]
SystemDependencyRef = Annotated[str, Ref(SYSTEM_DEPENDENCY_KINDS), ref_field(*SYSTEM_DEPENDENCY_KINDS)]
ScopeRef = Annotated[str, Ref(EXERCISE_SCOPE_KINDS), ref_field(*EXERCISE_SCOPE_KINDS)]
AnyRef = Annotated[str, Ref(ALL_KINDS), ref_field("document")]
