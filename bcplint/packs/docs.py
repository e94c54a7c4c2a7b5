"""Where a rule's page is: the URLs that SARIF ``helpUri``, ``bcplint explain``, the language
server and ``bcplint report`` link a rule to.

A documentation URL, as the configuration's ``docs_url`` and a pack's ``docs_url`` write it, ends
with ``/`` (a rule's page is ``<url><ID>.md``, the layout of the project's ``docs/rules/``) or
holds ``{id}`` where the rule id goes. The built-in rules' pages default to the ``rules/`` folder
under the documentation URL of the installed package (``[project.urls] Documentation`` in
pyproject.toml, read from its metadata when a run starts); a rule of someone else's pack has a
page only if that pack names one. No URL is better than a wrong one: a default that is not an
absolute http(s) URL gives none.
"""

from __future__ import annotations

import importlib.metadata
import re

from bcplint.load.config import DOCS_URL_PATTERN

DISTRIBUTION = "bcplint"
_DOCUMENTATION_LABELS = ("documentation", "docs")  # PEP 753's well-known label and its alias


def default_docs_url() -> str | None:
    """The rule pages of the installed bcplint: ``<Documentation URL>/rules/``, from the package
    metadata's ``Project-URL`` entries. None when bcplint is not installed as a distribution,
    declares no documentation URL, or declares one that is not an absolute http(s) URL."""
    try:
        entries = importlib.metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = entry.partition(",")
        # PEP 753 compares labels without punctuation, whitespace or case ("Documentation", "docs").
        if "".join(c for c in label.lower() if c.isalnum()) in _DOCUMENTATION_LABELS:
            rules = url.strip().rstrip("/") + "/rules/"
            return rules if re.fullmatch(DOCS_URL_PATTERN, rules) else None
    return None


def page_url(docs_url: str | None, rule_id: str) -> str | None:
    """The page of rule ``rule_id`` under ``docs_url`` (validated as
    :data:`bcplint.load.config.DocsUrl`): ``{id}`` replaced, else ``<ID>.md`` appended.
    None without a ``docs_url``."""
    if docs_url is None:
        return None
    return docs_url.replace("{id}", rule_id) if "{id}" in docs_url else f"{docs_url}{rule_id}.md"
