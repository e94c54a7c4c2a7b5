"""Provider names as plans write them, including the ones that say "we don't know".

Plans that do not know who runs a channel still have to put something in ``provider`` while
the field is required, and they write a placeholder: ``unspecified``, ``unknown``, ``n/a``,
``TBD``, ``-``. Two such placeholders are two unknowns, not the same provider, so a check that
compares providers must never find them equal (BCP502 would otherwise warn that a phone
bridge "runs on unspecified, like" the chat tool). An absent provider (``None``, for when the
field becomes optional) is unknown in the same way.
"""

from __future__ import annotations

# Compared after stripping and lower-casing. Words a plan writes for "not known (yet)";
# nothing here is the name of a real provider.
UNKNOWN_PROVIDERS = frozenset(
    {
        "",
        "-",
        "--",
        "?",
        "n/a",
        "na",
        "none",
        "not known",
        "not specified",
        "tba",
        "tbc",
        "tbd",
        "todo",
        "unknown",
        "unspecified",
    }
)


def known_provider(provider: str | None) -> str | None:
    """The provider as a case-insensitive key (``"Slack"`` -> ``"slack"``), or None when unknown.

    None for an absent provider and for a placeholder in :data:`UNKNOWN_PROVIDERS`
    (``"TBD"``, ``" n/a "``). Callers treat None as equal to nothing, itself included.
    """
    if provider is None:
        return None
    key = provider.strip().lower()
    return None if key in UNKNOWN_PROVIDERS else key
