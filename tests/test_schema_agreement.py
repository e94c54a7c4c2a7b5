"""The JSON Schema (``bcplint schema``) accepts exactly what ``bcplint check`` accepts.

An editor validates with the schema while someone types; CI validates with bcplint. A document
that one accepts and the other rejects is a silent lie in one of the two places. These tests
take a complete, valid document of every kind, put a value at one field (any field, nested ones
and list items included), and require the same verdict from a JSON Schema validator (Draft
2020-12, with the format checker, as an editor uses it) and from bcplint's own validation.

Reproducible in CI: ``derandomize=True`` and no example database.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import string
from collections.abc import Callable
from typing import Any, get_args

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from bcplint.model import KINDS, json_schema
from bcplint.model.types import Duration
from bcplint.model.validate import validate
from tests.conftest import Run

SCHEMA: dict[str, Any] = json.loads(json.dumps(json_schema(), sort_keys=True))  # as `bcplint schema` prints it
EDITOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
# The schema's top is a oneOf over the kinds, and every kind's definition requires ``kind`` to
# be its own name (test below): a document is valid for the schema exactly when it is valid for
# the definition its ``kind`` names. Validating against that one definition gives the editor's
# verdict at a ninth of the cost (oneOf tries every kind), which keeps the everyday loop quick.
BY_KIND = {
    kind: jsonschema.Draft202012Validator(
        {key: value for key, value in SCHEMA.items() if key not in ("oneOf", "discriminator")}
        | {"$ref": f"#/$defs/{kind}"},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    for kind in SCHEMA["discriminator"]["mapping"]
}

COMMON = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Every kind with every field set, nested objects and one item per list included.
LOCATION = {"provider": "aws", "region": "us-east-1"}
# A location names one zone or several, never both: each variant appears somewhere.
IN_ONE_ZONE = {**LOCATION, "zone": "us-east-1a"}
IN_ZONES = {**LOCATION, "zones": ["us-east-1a", "us-east-1b"]}
CHANNEL = {"name": "slack", "type": "chat", "provider": "slack", "priority": "primary", "hosting": IN_ONE_ZONE}
OUT_OF_SCOPE = {"out_of_scope": {"reason": "kept only for the archive", "approved_by": "ceo"}}
PROVENANCE = {
    "links": [{"title": "Source", "url": "https://example.com/plan"}],
    "annotations": {"source-section": "4.2"},
}
FULL: dict[str, dict[str, Any]] = {
    "Plan": {
        "title": "Business continuity plan",
        "owner": "cto",
        "version": "3",
        "scope": "everything customers use",
        "covers": ["helpdesk"],
        "approved": {"by": "ceo", "on": "2026-01-10"},
        "reviewed": {"by": "cto", "on": "2026-06-01"},
        "activation": {"criteria": "an outage over 1h", "authority": ["cto", "ops-team"]},
        "procedures": {
            "response": {"link": "runbooks/respond.md", "steps": ["open the bridge"]},
            "recovery": {"link": "https://example.com/recover", "steps": ["restore the database"]},
            "return_to_normal": {"link": "runbooks/back.md", "steps": ["switch back"]},
        },
        "communication": {
            "internal": [CHANNEL, {**CHANNEL, "name": "bridge", "type": "phone", "hosting": IN_ZONES}],
            "external": [
                {**CHANNEL, "name": "status", "type": "status-page", "hosting": IN_ZONES},
                {**CHANNEL, "name": "updates", "type": "email"},
            ],
            "notify": [
                {
                    "audience": "customers",
                    "within": "15m",
                    "after": "detection",
                    "every": "1h",
                    "by": "comms-lead",
                    "channel": "status",
                }
            ],
        },
        "roles": [{"role": "incident lead", "contact": "cto"}],
        "contact_directory": "HR system",
        **PROVENANCE,
        **OUT_OF_SCOPE,
    },
    "Contact": {
        "title": "Chief technology officer",
        "role": "incident lead",
        "email": "cto@example.com",
        "phone": "+1-555-0100",
        "deputy": "support-lead",
        "last_verified": "2026-09-01",
        **PROVENANCE,
        **OUT_OF_SCOPE,
    },
    "Team": {
        "title": "IT operations",
        "lead": "cto",
        "members": ["support-lead"],
        "channel": {**CHANNEL, "name": "on-call", "type": "pager"},
        "email": "it-ops@example.com",
        **PROVENANCE,
        **OUT_OF_SCOPE,
    },
    # A channel's hosting names one zone or several: the variant reaches the other.
    "Team (zones)": {"channel": {**CHANNEL, "name": "on-call", "type": "pager", "hosting": IN_ZONES}},
    "Service": {
        "title": "Help desk",
        "owner": "cto",
        "criticality": "critical",
        "rto": "4h",
        "rpo": "PT15M",
        "mtpd": "2d",
        "wrt": "2h",
        "objectives": [
            {"scenario": "zone", "rto": "1h", "rpo": "5m"},
            {"scenario": "region", "rto": "1d", "rpo": "1h", "status": "estimate"},
        ],
        "important": True,
        "impact_tolerance": {"max_duration": "1d", "max_data_loss": "1h", "min_service": "phone support"},
        "workarounds": [{"description": "paper forms", "sustainable_for": "2d", "procedure": "runbooks/paper.md"}],
        "depends_on": ["web", {"name": "head-office", "type": "facility"}],
        "recovery": {"procedure": "runbooks/helpdesk.md", "steps": ["fail over the database"]},
        **PROVENANCE,
        **OUT_OF_SCOPE,
    },
    "System": {
        "title": "Web servers",
        "owner": "cto",
        "criticality": "high",
        "rto": "1h30m",
        "rpo": "P1DT2H",
        "mtpd": "3d",
        "objectives": [{"scenario": "application", "rto": "30m", "rpo": "0m", "status": "measured"}],
        "hosting": IN_ZONES,
        "stateless": False,
        "depends_on": ["aws", {"name": "orders-db", "type": "data"}],
        "backups": [
            {
                "name": "nightly",
                "frequency": "1d",
                "retention": "1w",
                "location": {"provider": "gcp", "region": "europe-west1"},
                "last_restore_test": {"date": "2026-05-02", "result": "pass", "duration": "45m"},
                "restore_validation": {"frequency": "1d", "last_success": "2026-11-20", "method": "scratch restore"},
            }
        ],
        "failover": {"strategy": "warm-standby", "target": {**IN_ONE_ZONE, "region": "eu-west-1"}},
        **PROVENANCE,
        **OUT_OF_SCOPE,
    },
    # Each location with the other of zone and zones, and a second backup.
    "System (zones)": {
        "hosting": IN_ONE_ZONE,
        "backups": [
            {"name": "hourly", "frequency": "1h", "location": IN_ONE_ZONE},
            {"name": "weekly", "frequency": "1w", "location": IN_ZONES},
        ],
        "failover": {"strategy": "active-active", "target": {**IN_ZONES, "region": "eu-west-1"}},
    },
    "Supplier": {
        "title": "Amazon Web Services",
        "owner": "cto",
        "criticality": "critical",
        "provides": ["hosting"],
        "sla": "99.99%",
        "rto": "PT4H",
        "contingency": {"alternative": "gcp", "plan": "https://example.com/exit", "last_tested": "2026-03-03"},
        **PROVENANCE,
        **OUT_OF_SCOPE,
    },
    "Site": {
        "title": "Head office",
        "type": "office",
        "location": "Leeds",
        "capacity": 120,
        "owner": "facilities",
        "alternate": "home-working",
        **PROVENANCE,
        **OUT_OF_SCOPE,
    },
    "Exercise": {
        "title": "Database restore drill",
        "type": "technical-drill",
        "date": "2026-04-04",
        "scope": ["web"],
        "scenarios": ["primary region lost"],
        "environment": "staging",
        "independent": True,
        "result": "partial",
        "recovery_times": {"web": "2h"},
        "data_loss": {"web": "10m"},
        "findings": [
            {
                "id": "F1",
                "description": "restore was slow",
                "action": "tune it",
                "owner": "cto",
                "due": "2026-12-01",
                "status": "open",
            }
        ],
        **PROVENANCE,
        **OUT_OF_SCOPE,
    },
    "Waiver": {
        "title": "Accepted for now",
        "rule": "BCP402",
        "target": "web",
        "reason": "replaced next quarter",
        "approved_by": "ceo",
        "expires": "2027-01-31",
        **PROVENANCE,
    },
    # A Waiver has either `expires` or `review_by`: the standing variant reaches the other.
    "Waiver (standing)": {
        "title": "Accepted for good",
        "rule": "BCP702",
        "target": "web",
        "reason": "one region is the design; reviewed yearly",
        "approved_by": "ceo",
        "review_by": "2027-06-30",
    },
}


def full_document(variant: str) -> dict[str, Any]:
    """The full document of a kind, or of one of its variants (``"Waiver (standing)"``)."""
    kind = variant.split(" ", maxsplit=1)[0]
    return {"apiVersion": "bcplint/v1", "kind": kind, "name": f"full-{kind.lower()}", **copy.deepcopy(FULL[variant])}


def paths(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every place in ``data`` that holds a value, outermost first."""
    found: list[tuple[str | int, ...]] = [prefix] if prefix else []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        found += paths(value, (*prefix, key))
    return found


PLACES = [(variant, place) for variant in FULL for place in paths(full_document(variant))]


def model_fields(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every field name path of ``model`` (list items and map values are not named)."""
    found: set[tuple[str, ...]] = set()
    for name, info in model.model_fields.items():
        found.add((*prefix, name))
        for inner in _models_in(info.annotation):
            found |= model_fields(inner, (*prefix, name))
    return found


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def test_the_full_documents_are_valid_and_set_every_field() -> None:
    """The premise of the property test: it starts from valid documents that reach every field."""
    for kind, model in KINDS.items():
        named = set()
        for variant in (v for v in FULL if v.split(" ")[0] == kind):
            document = full_document(variant)
            assert EDITOR.is_valid(document), [e.message for e in EDITOR.iter_errors(document)]
            assert validate(document)[1] == []
            named |= {tuple(p for p in place if isinstance(p, str)) for place in paths(document)}
        assert model_fields(model) <= named, f"{kind} misses {sorted(model_fields(model) - named)}"


# --- values of every type, right and wrong ----------------------------------------------------

DELETE = object()  # take the field away (required fields, defaults)

_UNIT_SETS = ("wdhms", "WD", "HMS")


@st.composite
def durations(draw: st.DrawFn) -> str:
    """Well-formed durations in either notation, sometimes with blanks around them."""
    amount = st.integers(0, 999).map(str)
    if draw(st.booleans()):
        units = draw(st.lists(st.sampled_from("wdhms"), min_size=1, max_size=5, unique=True))
        text = "".join(draw(amount) + unit for unit in sorted(units, key="wdhms".index))
    else:
        date_units = draw(st.lists(st.sampled_from("WD"), max_size=2, unique=True))
        time_units = draw(st.lists(st.sampled_from("HMS"), min_size=0 if date_units else 1, max_size=3, unique=True))
        text = "P" + "".join(draw(amount) + u for u in sorted(date_units, key="WD".index))
        if time_units:
            text += "T" + "".join(draw(amount) + u for u in sorted(time_units, key="HMS".index))
    blank = st.text(alphabet=" \t\n\r", max_size=2)
    return draw(blank) + text + draw(blank)


ODD_DURATIONS = [
    "", " ", "P", "PT", "T", "P1DT", "PT4", "P4H", "T4H", "4", "h", "4H", "1h 30m", "30m1h", "1.5h", "-1h", "+1h",
    "1y", "2mo", "P1M", "P1Y", "PT1.5H", "p1d", "pt4h", "\u0664h", "\uff14h", "4h\n", "\n4h", "4h\n\n", "\u00a04h",
    "4h\u2028", "4h\x0b", "4h\x0c", "4h\x85", "\t4h\r\n", "0h", "0", "PT0S", "1w1w", "P1W2D", "99999999999999999999s",
]  # fmt: skip
ODD_DATES = [
    "2024-02-29", "2026-02-29", "2026-02-30", "2026-04-31", "2026-12-31", "2026-13-01", "2026-00-10", "2026-01-00",
    "0000-01-01", "0001-01-01", "9999-12-31", "2026-1-5", "20260110", "2026-01-10T00:00:00", "2026-01-10T00:00:00Z",
    "2026-01-10 ", " 2026-01-10", "2026-01-10\n", "\uff12\uff10\uff12\uff16-01-10", "+2026-01-10", "2026-W02-1",
    "2026-010", "26-01-10", "2026/01/10", "tomorrow", "",
]  # fmt: skip
WORDS = sorted(
    {
        *("critical", "high", "medium", "low", "Critical", "CRITICAL", " critical", "critical "),
        *("pass", "fail", "partial", "Pass", "open", "closed", "primary", "secondary", "tertiary"),
        *("chat", "email", "phone", "sms", "video", "pager", "status-page", "social", "other", "slack"),
        *("tabletop", "technical-drill", "full-scale", "backup-restore", "failover", "active-active"),
        *("warm-standby", "pilot-light", "none", "bcplint/v1", "bcplint/v2", *KINDS, "service"),
        *("yes", "no", "on", "off", "true", "false", "True", "null", "~", "cto", "aws", "x" * 253, "x" * 254),
    }
)


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        durations(),
        st.sampled_from(ODD_DURATIONS),
        st.dates().map(lambda d: d.isoformat()),
        st.sampled_from(ODD_DATES),
        st.text(alphabet="0123456789wdhmsPTWDHMS- \n", max_size=8),
        st.sampled_from(WORDS),
        st.text(max_size=12),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.none(),
    )


SHAPES = [LOCATION, {"provider": "aws"}, {"provider": ""}, {"region": "x"}, CHANNEL, {"by": "cto", "on": "2026-01-10"}]
FIELD_NAMES = sorted({name for kind in KINDS.values() for path in model_fields(kind) for name in path})

values: st.SearchStrategy[Any] = st.recursive(
    _scalars(),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=6)), inner, max_size=3),
        st.sampled_from(SHAPES).map(copy.deepcopy),
    ),
    max_leaves=6,
)


BOOLISH = [True, False, "yes", "no", "on", "off", "true", "false", "True", "y", 1, 0, 1.0, 0.0, "1", "", None]
WRONG_TYPES = [None, True, 0, -1, 2.5, float("nan"), [], [None], {}, {"x": 1}]


def near_misses(example: Any) -> list[Any]:
    """Known tricky values for a field whose valid value is ``example``, wrong types included."""
    if isinstance(example, bool):
        return BOOLISH + WRONG_TYPES
    if isinstance(example, str) and validate_duration(example):
        return ODD_DURATIONS + WRONG_TYPES
    if isinstance(example, str) and example[:4].isdigit():
        return ODD_DATES + WRONG_TYPES
    if isinstance(example, str):
        return ["", " ", "x" * 253, "x" * 254, example.upper(), *WRONG_TYPES]
    if isinstance(example, list):
        return [[], [""], [example[0], example[0]], example[0], *WRONG_TYPES]
    if isinstance(example, int):
        return [0, -1, 2**63, 1.0, 1.5, "12", True, *WRONG_TYPES]
    return [{}, {"extra": 1}, [example], *WRONG_TYPES]


def near(example: Any) -> st.SearchStrategy[Any]:
    """Values close to the type of ``example`` (a field's valid value): its near misses."""
    known = st.sampled_from(near_misses(example))
    if isinstance(example, bool):
        return st.one_of(known, values)
    if isinstance(example, str) and validate_duration(example):
        return st.one_of(known, durations(), st.text(alphabet="0123456789wdhmsPTWDHMS \n", max_size=8))
    if isinstance(example, str) and example[:4].isdigit():
        return st.one_of(known, st.dates().map(lambda d: d.isoformat()), st.text(alphabet="0123456789-T ", max_size=10))
    if isinstance(example, str):
        return st.one_of(known, st.sampled_from(WORDS), st.text(max_size=12))
    if isinstance(example, list):
        return st.one_of(known, st.lists(st.one_of(st.sampled_from(example), values), max_size=3))
    if isinstance(example, int):
        return st.one_of(known, st.integers(), st.floats(allow_nan=False))
    return st.one_of(known, st.dictionaries(st.sampled_from(sorted(example)), values, max_size=3))


def validate_duration(text: str) -> bool:
    try:
        Duration.parse(text)
    except ValueError:
        return False
    return True


def at(document: dict[str, Any], place: tuple[str | int, ...]) -> Any:
    value: Any = document
    for part in place:
        value = value[part]
    return value


def put(document: dict[str, Any], place: tuple[str | int, ...], value: Any) -> None:
    parent: Any = document
    for part in place[:-1]:
        parent = parent[part]
    if value is DELETE:
        del parent[place[-1]]
    else:
        parent[place[-1]] = value


def verdicts(document: dict[str, Any]) -> tuple[bool, bool]:
    """(valid for the JSON Schema with its format checker, valid for bcplint)."""
    model, problems = validate(document)
    kind = document.get("kind")
    schema_ok = isinstance(kind, str) and kind in BY_KIND and BY_KIND[kind].is_valid(document)
    return schema_ok, model is not None and not problems


def test_each_kind_is_its_own_definition_so_one_definition_gives_the_verdict() -> None:
    """What makes :data:`BY_KIND` equivalent to the whole schema: the oneOf lists each kind's
    definition, and each definition requires ``kind`` and allows only its own name there."""
    mapping = SCHEMA["discriminator"]["mapping"]
    assert sorted(entry["$ref"] for entry in SCHEMA["oneOf"]) == sorted(mapping.values())
    for kind, ref in mapping.items():
        definition = SCHEMA["$defs"][ref.rsplit("/", 1)[1]]
        assert "kind" in definition["required"]
        assert definition["properties"]["kind"].get("const", definition["properties"]["kind"].get("enum")) in (
            kind,
            [kind],
        )
    for document in (full_document(kind) for kind in FULL):
        assert EDITOR.is_valid(document) and BY_KIND[document["kind"]].is_valid(document)
        wrong = {**document, "kind": "Nothing"}
        assert not EDITOR.is_valid(wrong)


def explain(document: dict[str, Any]) -> str:
    schema_errors = [e.message for e in EDITOR.iter_errors(document)]
    return f"schema: {schema_errors[:3]}; bcplint: {[p.message for p in validate(document)[1]]}"


# --- the property ---------------------------------------------------------------------------


def agree_at(kind: str, place: tuple[str | int, ...], data: st.DataObject, extra: tuple[str, Any] | None) -> None:
    """A value drawn for the field at ``place`` (and perhaps a key beside it): one verdict."""
    document = full_document(kind)
    value = data.draw(st.one_of(near(at(document, place)), st.just(DELETE), values), label="value")
    put(document, place, value)
    if extra is not None:  # a key added beside the field: unknown, or a new entry of a map
        parent: Any = document
        for part in place[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            parent[extra[0]] = extra[1]
    schema_ok, bcplint_ok = verdicts(document)
    assert schema_ok == bcplint_ok, f"{kind} {place} = {value!r}: {explain(document)}"


PLACE_IDS = [f"{k}.{'.'.join(map(str, p))}" for k, p in PLACES]
EXTRA = st.one_of(st.none(), st.tuples(st.text(max_size=6), values))


# Every field, ten drawn values, in CI; the everyday loop relies on the known near misses below
# (the floor of this property), which catch the usual disagreements in a fraction of the time.
@pytest.mark.slow
@pytest.mark.parametrize(("kind", "place"), PLACES, ids=PLACE_IDS)
@settings(COMMON, max_examples=10)
@given(data=st.data(), extra=EXTRA)
def test_schema_and_bcplint_agree_on_every_field_exhaustively(
    kind: str, place: tuple[str | int, ...], data: st.DataObject, extra: tuple[str, Any] | None
) -> None:
    agree_at(kind, place, data, extra)


@pytest.mark.parametrize("kind", sorted(FULL))
def test_schema_and_bcplint_agree_on_every_known_near_miss(kind: str) -> None:
    """Each field against every known tricky value of its type: the property test's floor."""
    disagreements = []
    for place in paths(full_document(kind)):
        for value in [DELETE, *near_misses(at(full_document(kind), place))]:
            document = full_document(kind)
            put(document, place, value)
            schema_ok, bcplint_ok = verdicts(document)
            if schema_ok != bcplint_ok:
                disagreements.append(f"{place} = {value!r}: {explain(document)}")
    assert disagreements == []


# --- the examples of issue 11, one by one ------------------------------------------------------

SYSTEM = {"apiVersion": "bcplint/v1", "kind": "System", "name": "web", "criticality": "high"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *[("rto", "PT"), ("rto", ""), ("rto", "P"), ("rpo", "P1DT"), ("rto", "\u0664h")],
        *[("stateless", "yes"), ("stateless", 1), ("stateless", "true"), ("stateless", 0)],
    ],
)
def test_values_that_used_to_get_different_verdicts_are_rejected_by_both(field: str, value: Any) -> None:
    document = {**SYSTEM, field: value}
    assert verdicts(document) == (False, False), explain(document)


@pytest.mark.parametrize(
    ("field", "value"),
    [("rto", "4h"), ("rto", "PT4H"), ("rto", "P1DT2H"), ("rto", " 4h "), ("rto", "4h\n"), ("stateless", True)],
)
def test_sensible_values_stay_valid_for_both(field: str, value: Any) -> None:
    document = {**SYSTEM, field: value}
    assert verdicts(document) == (True, True), explain(document)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        *[("2024-02-29", True), ("2026-02-29", False), ("2026-02-30", False), ("2026-01-10T00:00:00Z", False)],
        *[("2026-01-10\n", False), (" 2026-01-10", False), ("20260110", False), ("0000-01-01", False)],
    ],
)
def test_dates_get_the_same_verdict(value: str, valid: bool) -> None:
    document = {**full_document("Waiver"), "expires": value}
    assert verdicts(document) == (valid, valid), explain(document)


def test_the_date_pattern_alone_rejects_every_impossible_day_but_29_february() -> None:
    """Editors that ignore ``format`` still see the pattern; 29 February is left to the format."""
    pattern = SCHEMA["$defs"]["Exercise"]["properties"]["date"]["pattern"]
    for month in range(0, 14):
        for day in range(0, 33):
            text = f"2023-{month:02d}-{day:02d}"
            try:
                real = dt.date(2023, month, day) is not None
            except ValueError:
                real = False
            assert bool(re.search(pattern, text)) == (real or (month, day) == (2, 29)), text


def test_a_strict_boolean_says_how_to_fix_it() -> None:
    _, problems = validate({**SYSTEM, "stateless": "yes"})
    assert [p.message for p in problems] == ["'stateless' must be true or false; got 'yes'"]


def test_the_command_prints_the_schema_these_tests_use(bcplint: Callable[..., Run]) -> None:
    run = bcplint("schema")
    assert run.code == 0
    assert json.loads(run.out) == SCHEMA
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_duration_pattern_needs_no_engine_specific_syntax() -> None:
    """The same text works in Python's re, ECMA-262 (editors) and RE2: no \\d, \\s or lookaround."""
    pattern = SCHEMA["$defs"]["System"]["properties"]["rto"]["anyOf"][0]["pattern"]
    assert not any(token in pattern for token in ("\\d", "\\s", "\\w", "(?=", "(?!", "(?<"))
    assert set(pattern) <= set(string.ascii_letters + string.digits + "^$[]()?:+*|\\-{} ")


@pytest.mark.parametrize(
    "hosting",
    [{"provider": "aws", "zone": "a", "zones": []}, {"provider": "aws", "zone": "a", "zones": ["b"]}],
)
def test_zone_and_zones_together_are_rejected_by_both(hosting: dict[str, Any]) -> None:
    """An empty ``zones`` beside ``zone`` is still both given: the schema says so, and so does bcplint."""
    document = {**SYSTEM, "hosting": hosting}
    assert verdicts(document) == (False, False), explain(document)
