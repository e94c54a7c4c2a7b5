"""JSON Schema fragments in packs (the ``schema`` check), made safe to evaluate.

A fragment is data from a pack, so evaluating it must be bounded and stay inside the pack:

- every regular expression (``pattern``, the keys of ``patternProperties``) runs with RE2, in
  time linear in the text, never with Python's backtracking ``re``;
- every ``$ref`` and ``$dynamicRef`` points inside the fragment itself (``#/$defs/...``,
  ``#anchor``): nothing is fetched from the network or read from a file, and a reference that
  leads nowhere is an error when the pack loads, not a traceback later;
- a reference cycle that never moves into the value (``$ref: '#'``) would recurse forever: it
  is refused when the pack loads.

YamlText: JSON Schema 2020-12 Core, section 8.2 (identifiers and references),
https://json-schema.org/draft/2020-12/json-schema-core.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema
from jsonschema.exceptions import ValidationError
from referencing.exceptions import Unresolvable

from bcplint.checks.fields import compile_regex, shorten
from bcplint.model.validate import FieldPath as Keys

_Resolver = Any  # referencing._core.Resolver, which the package does not export

# Keywords whose value is a subschema, a list of them, or a map of them (JSON Schema 2020-12,
# as jsonschema and referencing read it).
_IN_VALUE = ("additionalProperties", "contains", "contentSchema", "else", "if", "items", "not", "propertyNames")
_IN_VALUE_TOO = ("then", "unevaluatedItems", "unevaluatedProperties")
_IN_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_IN_MAP = ("$defs", "definitions", "dependentSchemas", "patternProperties", "properties")
# Those that apply to the same value (not to a part of it): a cycle through them never ends.
_SAME_VALUE = frozenset(("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas"))
_REFERENCES = ("$ref", "$dynamicRef")
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class FragmentError(ValueError):
    """What is wrong with a fragment, and where in it (``at``: keys and indexes from its root)."""

    def __init__(self, message: str, at: Keys, *, at_key: bool = False) -> None:
        super().__init__(message)
        self.at = at
        self.at_key = at_key  # the problem is the key itself (a patternProperties regex)


def audit(schema: dict[str, Any]) -> None:
    """Raise FragmentError unless ``schema`` (already valid against the 2020-12 meta-schema) is
    safe: regexes RE2 can run, references that resolve inside it, no reference cycle in place."""
    root = referencing.jsonschema.DRAFT202012.create_resource(schema)
    resolver = referencing.Registry().resolver_with_root(root)  # no retrieve: nothing is fetched
    places: dict[int, Keys] = {}
    same_value: dict[int, list[int]] = {}
    unevaluated: list[Keys] = []
    has_patterns = False
    pending: list[tuple[Any, _Resolver, Keys]] = [(schema, resolver, ())]
    while pending:
        node, here, place = pending.pop()
        if not isinstance(node, dict) or id(node) in places:
            continue
        places[id(node)] = place
        edges = same_value.setdefault(id(node), [])
        if "$schema" in node:
            # jsonschema would switch to the stock validator class there, and to Python's re.
            raise FragmentError("remove '$schema': a fragment is always JSON Schema 2020-12", (*place, "$schema"))
        for keyword in _REFERENCES:
            if keyword in node:
                target, target_here, target_place = _follow(here, node[keyword], (*place, keyword))
                edges.append(id(target))
                pending.append((target, target_here, target_place))
        _check_patterns(node, place)
        has_patterns = has_patterns or "patternProperties" in node
        if "unevaluatedProperties" in node:
            unevaluated.append((*place, "unevaluatedProperties"))
        for keyword, child, child_place in _subschemas(node, place):
            child_here = here.in_subresource(referencing.jsonschema.DRAFT202012.create_resource(child))
            if keyword in _SAME_VALUE:
                edges.append(id(child))
            pending.append((child, child_here, child_place))
    _refuse_cycles(same_value, places)
    if unevaluated and has_patterns:
        # jsonschema finds the properties left to `unevaluatedProperties` with a helper of its
        # own that matches `patternProperties` keys with Python's re.
        raise FragmentError(
            "'unevaluatedProperties' cannot be used in a fragment that has 'patternProperties'; "
            "use 'additionalProperties'",
            unevaluated[0],
        )


def _follow(here: _Resolver, ref: str, place: Keys) -> tuple[Any, _Resolver, Keys]:
    """The subschema ``ref`` names, with its resolver and its place (the reference's own place
    when the target is an anchor rather than a JSON pointer)."""
    if not ref.startswith("#"):
        raise FragmentError(
            f"reference '{ref}' points outside the fragment; a fragment may only refer to itself "
            "(for example '#/$defs/name'): bcplint never fetches or reads a schema",
            place,
        )
    try:
        resolved = here.lookup(ref)
    except Unresolvable:
        raise FragmentError(f"reference '{ref}' points to nothing in the fragment", place) from None
    if not isinstance(resolved.contents, dict | bool):
        raise FragmentError(f"reference '{ref}' points to a value that is not a schema", place)
    pointer = ref[1:]
    if pointer.startswith("/"):
        steps = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        return resolved.contents, resolved.resolver, tuple(int(s) if s.isdigit() else s for s in steps)
    return resolved.contents, resolved.resolver, place


def _check_patterns(node: dict[str, Any], place: Keys) -> None:
    for text, at in [(node.get("pattern"), (*place, "pattern"))] + [
        (key, (*place, "patternProperties", key)) for key in node.get("patternProperties", {})
    ]:
        if isinstance(text, str):
            try:
                compile_regex(text)
            except ValueError as exc:
                raise FragmentError(str(exc), at, at_key=at[-2:-1] == ("patternProperties",)) from None


def _subschemas(node: dict[str, Any], place: Keys) -> Iterator[tuple[str, Any, Keys]]:
    for keyword in (*_IN_VALUE, *_IN_VALUE_TOO):
        if keyword in node:
            yield keyword, node[keyword], (*place, keyword)
    for keyword in _IN_LIST:
        for index, child in enumerate(node.get(keyword, []) if isinstance(node.get(keyword), list) else []):
            yield keyword, child, (*place, keyword, index)
    for keyword in _IN_MAP:
        children = node.get(keyword)
        for key, child in children.items() if isinstance(children, dict) else ():
            yield keyword, child, (*place, keyword, key)


def _refuse_cycles(edges: dict[int, list[int]], places: dict[int, Keys]) -> None:
    """Depth-first search for a cycle of subschemas that apply to the same value."""
    done: set[int] = set()
    for start in edges:
        if start in done:
            continue
        on_path = {start}
        stack: list[tuple[int, Iterator[int]]] = [(start, iter(edges.get(start, ())))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                raise FragmentError(
                    "references form a cycle that never moves into the value, so evaluating it would never end",
                    places.get(node, ()),
                )
            elif child not in done:
                stack.append((child, iter(edges.get(child, ()))))
                on_path.add(child)


# --- evaluation -----------------------------------------------------------------------------


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not compile_regex(pattern).search(instance):
        yield ValidationError(f"{shorten(repr(instance))} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        compiled = compile_regex(pattern)
        for key, value in instance.items():
            if compiled.search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """jsonschema's own keyword, with the ``patternProperties`` keys matched by RE2."""
    if not validator.is_type(instance, "object"):
        return
    named = schema.get("properties", {})
    patterns = [compile_regex(p) for p in schema.get("patternProperties", {})]
    extras = [k for k in instance if k not in named and not any(p.search(k) for p in patterns)]
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and extras:
        listed = ", ".join(shorten(repr(k)) for k in sorted(extras, key=str)[:5]) + (", ..." if len(extras) > 5 else "")
        if "patternProperties" in schema:
            regexes = ", ".join(repr(p) for p in sorted(schema["patternProperties"]))
            verb = "does" if len(extras) == 1 else "do"
            yield ValidationError(f"{listed} {verb} not match any of the regexes: {regexes}")
        else:
            verb = "was" if len(extras) == 1 else "were"
            yield ValidationError(f"Additional properties are not allowed ({listed} {verb} unexpected)")


@functools.lru_cache(maxsize=1)  # one class, built on first use
def _validator_class() -> Any:
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft202012Validator,
        validators={
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
        },
    )


def fragment_validator(schema: dict[str, Any]) -> Any:
    """A Draft 2020-12 validator of an audited fragment: RE2 for regexes, and a registry that
    resolves nothing outside the fragment (the default one would fetch ``https://`` and
    ``file://`` references)."""
    return _validator_class()(schema, registry=referencing.Registry())
