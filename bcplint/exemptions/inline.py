"""The syntax of an inline suppression: ``# bcplint: ignore[RULE, ...] until=YYYY-MM-DD -- reason``.

Any comment that says ``bcplint:`` (in any case) is an attempt at one; every way it differs
from the syntax is a problem, so a mistyped directive is reported (BCP803 in the shipped
catalog) instead of silently hiding nothing. Comments come from the YAML scanner
(:mod:`bcplint.load.comments`), never from guessing at quotes.
"""

from __future__ import annotations

import re

from bcplint.load.comments import ATTEMPT

SYNTAX = "`# bcplint: ignore[RULE] until=YYYY-MM-DD -- reason`"
# After `bcplint:`: `ignore[BCP402, plan-reviewed] until=2027-01-31 -- new storage arrives in January`.
_VERB = re.compile(r"\s*(?P<verb>[A-Za-z_-]*)\s*(?P<rest>.*)$", re.DOTALL)
# Greedy reason, stripped afterwards: a lazy one before \s*$ is quadratic on long lines.
_BODY = re.compile(r"^\[(?P<rules>[^\]]*)\](?:\s+until=(?P<until>\S+))?\s*(?:--\s*(?P<reason>.*))?$", re.DOTALL)


def parse_directive(text: str) -> tuple[list[str], str | None, str | None, list[str]]:
    """``# bcplint: ignore[BCP402, plan-reviewed] until=2027-01-31 -- reason`` -> (rule names,
    the text after ``until=``, the reason, problems).

    ``text`` runs from the ``#`` before ``bcplint`` to the end of the comment. Every way it
    differs from the syntax is a problem, so a mistyped directive is reported (BCP803) instead
    of silently hiding nothing.
    """
    attempt = ATTEMPT.search(text)
    if attempt is None:
        return [], None, None, [f"is not {SYNTAX}"]
    problems = []
    if not attempt.group().startswith("bcplint"):
        problems.append(f"writes '{attempt.group()}'; write 'bcplint:' in lower case")
    prose = text[1 : attempt.start()].strip(" \t")
    if prose:
        problems.append(f"has '{_clip(prose)}' between '#' and 'bcplint:'; start the comment with the directive")
    verb = _VERB.match(text, attempt.end())
    word, rest = (verb.group("verb"), verb.group("rest")) if verb else ("", "")
    if word.lower() != "ignore":
        what = f"'{_clip(word)}' is no directive" if word else "says nothing after 'bcplint:'"
        return [], None, None, [*problems, f"{what}; write {SYNTAX}"]
    if word != "ignore":
        problems.append(f"writes '{word}'; write 'ignore' in lower case")
    body = _BODY.match(rest.strip())
    if body is None:
        hint = "the rules go in brackets right after 'ignore', " if not rest.startswith("[") else ""
        return [], None, None, [*problems, f"is not {SYNTAX}; {hint}e.g. ignore[BCP201]"]
    names = [name.strip() for name in body.group("rules").split(",") if name.strip()]
    reason = (body.group("reason") or "").strip() or None
    if not names:
        problems.append("names no rule")
    if reason is None:
        problems.append("gives no reason (add `-- why this is acceptable`)")
    return names, body.group("until"), reason, problems


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
