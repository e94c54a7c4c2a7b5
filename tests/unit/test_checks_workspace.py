"""Check functions that compare values or look across documents, each with its docstring's examples."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcplint.checks import CHECKS
from bcplint.checks.base import Context, NoParams
from bcplint.git.history import Change
from bcplint.load.parse import load_file
from bcplint.model.kinds import Plan, Service
from bcplint.workspace.documents import Workspace, build_workspace
from bcplint.workspace.graph import reachable, relied_on
from bcplint.workspace.objectives import objective_graph, targets

TODAY = dt.date(2026, 11, 23)


def workspace(text: str) -> Workspace:
    loaded = load_file("w.yaml", text.encode())
    assert loaded.problem is None, loaded.problem
    ws = build_workspace([loaded], TODAY)
    assert all(d.model is not None for d in ws.docs), [d.problems for d in ws.docs]
    return ws


def run(name: str, text: str, *, doc: str | None = None, field: str = "", **params: Any) -> list[tuple[str, str]]:
    """(document, outcome) of every hit of check ``name`` on the workspace in ``text``."""
    check = CHECKS[name]
    ws = workspace(text)
    ctx = Context(workspace=ws, today=TODAY)
    bound = check.params.model_validate(params)
    if check.scope == "workspace":
        hits = list(check.function(ctx, bound))
    else:
        target = ws.by_name[doc or ""]
        hits = list(check.function(ctx, target, field, bound))
    return [(hit.doc.name if hit.doc else "", hit.outcome) for hit in hits]


DOC = "apiVersion: bcplint/v1\n"


def service(name: str, **fields: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"{DOC}kind: Service\nname: {name}\ncriticality: critical\n{extra}"


def system(name: str, **fields: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"{DOC}kind: System\nname: {name}\ncriticality: critical\n{extra}"


def docs(*texts: str) -> str:
    return "---\n".join(texts)


def test_compare() -> None:
    args = {"doc": "s", "field": "rto", "other": "mtpd", "op": "<="}
    assert run("compare", service("s", rto="4h", mtpd="1d"), **args) == []
    assert run("compare", service("s", rto="2d", mtpd="1d"), **args) == [("s", "violated")]
    assert run("compare", service("s", rto="2d"), **args) == []


def test_compare_min_of_a_wildcard() -> None:
    backups = "[{name: a, frequency: 1d, location: {provider: x}}, {name: b, frequency: 5m, location: {provider: x}}]"
    args = {"doc": "db", "field": "backups[*].frequency", "other": "rpo", "aggregate": "min"}
    assert run("compare", system("db", rpo="1h", backups=backups), **args) == []
    assert run("compare", system("db", rpo="1m", backups=backups), **args) == [("db", "violated")]


def test_defined_any() -> None:
    supplier = f"{DOC}kind: Supplier\nname: p\ncriticality: high\n"
    args = {"doc": "p", "field": "contingency", "fields": ["contingency.alternative", "contingency.plan"]}
    assert run("defined_any", supplier + "contingency: {plan: exit.md}\n", **args) == []
    assert run("defined_any", supplier + "contingency: {last_tested: 2026-01-01}\n", **args) == [("p", "missing")]
    assert run("defined_any", supplier, **args) == [("p", "missing")]


def test_not_future() -> None:
    plan = f"{DOC}kind: Plan\nname: p\nreviewed: {{on: {{}}}}\n"
    assert run("not_future", plan.replace("{}", "2026-11-23"), doc="p", field="reviewed.on") == []
    assert run("not_future", plan.replace("{}", "2026-12-01"), doc="p", field="reviewed.on") == [("p", "future")]


def test_schema_fragment() -> None:
    plan = f"{DOC}kind: Plan\nname: p\n"
    schema = {"type": "array", "contains": {"properties": {"role": {"const": "spokesperson"}}, "required": ["role"]}}
    contact = f"{DOC}kind: Contact\nname: c\n"
    good = docs(plan + "roles: [{role: spokesperson, contact: c}]\n", contact)
    bad = docs(plan + "roles: [{role: coordinator, contact: c}]\n", contact)
    assert run("schema", good, doc="p", field="roles", schema=schema) == []
    assert run("schema", bad, doc="p", field="roles", schema=schema) == [("p", "invalid")]
    assert run("schema", plan, doc="p", field="roles", schema=schema) == [("p", "invalid")]


def test_invalid_schema_fragment_is_rejected() -> None:
    with pytest.raises(ValueError, match="invalid JSON Schema"):
        CHECKS["schema"].params.model_validate({"schema": {"type": "strnig"}})


def test_owner_deputy() -> None:
    owner = f"{DOC}kind: Contact\nname: dba\n"
    base = service("s", owner="dba")
    assert (
        run(
            "owner_deputy",
            docs(base, owner + "deputy: sre\n", f"{DOC}kind: Contact\nname: sre\n"),
            doc="s",
            field="owner",
        )
        == []
    )
    assert run("owner_deputy", docs(base, owner), doc="s", field="owner") == [("s", "missing")]
    assert run("owner_deputy", docs(base, owner + "deputy: dba\n"), doc="s", field="owner") == [("s", "self")]
    assert run("owner_deputy", service("s"), doc="s", field="owner") == []


def test_contact_reachable() -> None:
    plan = f"{DOC}kind: Plan\nname: p\nowner: cto\n"
    cto = f"{DOC}kind: Contact\nname: cto\nemail: cto@example.com\n"
    bystander = f"{DOC}kind: Contact\nname: intern\n"
    assert run("contact_reachable", docs(plan, cto + "phone: '+1-555-0100'\n", bystander)) == []
    assert run("contact_reachable", docs(plan, cto, bystander)) == [("cto", "missing")]


def test_key_person() -> None:
    contacts = docs(f"{DOC}kind: Contact\nname: cto\ndeputy: vp\n", f"{DOC}kind: Contact\nname: vp\n")
    three = docs(contacts, *(system(f"s{i}", owner="cto") for i in range(3)))
    assert run("key_person", three, max=3) == []
    four = docs(three, system("s3", owner="vp"), system("s4", owner="vp"))
    # vp owns two and deputises for cto's three: five in all.
    assert run("key_person", four, max=3) == [("vp", "too_many")]


def test_dependency_objective_transitive_with_path() -> None:
    text = docs(
        service("checkout", rto="1h", depends_on="[orders-api]"),
        system("orders-api", depends_on="[orders-db]"),
        system("orders-db", rto="6h"),
    )
    ws = workspace(text)
    [hit] = list(
        CHECKS["dependency_objective"].function(
            Context(workspace=ws, today=TODAY), CHECKS["dependency_objective"].params(objective="rto")
        )
    )
    assert hit.detail == "(RTO 1h) depends on 'orders-db' (RTO 6h) via 'orders-api'"
    assert hit.field == ("depends_on", 0)


def test_dependency_objective_counts_suppliers_and_survives_cycles() -> None:
    supplier = f"{DOC}kind: Supplier\nname: cloud\ncriticality: critical\nrto: 1d\n"
    text = docs(
        service("a", rto="1h", depends_on="[b]"),
        system("b", rto="1h", depends_on="[c]"),
        system("c", depends_on="[b, cloud]"),
        supplier,
    )
    assert sorted(run("dependency_objective", text, objective="rto")) == [("a", "inverted"), ("b", "inverted")]
    assert run("dependency_objective", text.replace("rto: 1d", "rto: 30m"), objective="rto") == []


def test_backup_offsite() -> None:
    def db(*locations: str) -> str:
        backups = ", ".join(f"{{name: b{i}, frequency: 1d, location: {loc}}}" for i, loc in enumerate(locations))
        return system("db", hosting="{provider: aws, region: us-east-1}", backups=f"[{backups}]")

    assert run("backup_offsite", db("{provider: aws, region: us-west-2}"), doc="db") == []
    assert run("backup_offsite", db("{provider: gcp}"), doc="db") == []
    assert run("backup_offsite", db("{provider: AWS, region: US-EAST-1}"), doc="db") == [("db", "onsite")]
    assert run("backup_offsite", db("{provider: aws}"), doc="db") == [("db", "onsite")]


def test_channel_independence() -> None:
    def plan(secondary_provider: str) -> str:
        return (
            f"{DOC}kind: Plan\nname: p\ncommunication:\n  internal:\n"
            "    - {name: chat, type: chat, provider: slack, priority: primary}\n"
            f"    - {{name: backup, type: phone, provider: {secondary_provider}, priority: secondary}}\n"
        )

    assert run("channel_independence", plan("carrier"), doc="p") == []
    assert run("channel_independence", plan("Slack"), doc="p") == [("p", "shared")]


def test_status_page_independence() -> None:
    def plan(hosting: str) -> str:
        return docs(
            f"{DOC}kind: Plan\nname: p\ncovers: [shop]\ncommunication:\n  external:\n"
            f"    - {{name: status, type: status-page, provider: x, hosting: {hosting}}}\n",
            service("shop", depends_on="[web]"),
            system("web", hosting="{provider: aws, region: us-east-1}"),
        )

    assert run("status_page_independence", plan("{provider: vendor}"), doc="p") == []
    assert run("status_page_independence", plan("{provider: aws, region: us-west-2}"), doc="p") == []
    assert run("status_page_independence", plan("{provider: AWS, region: us-east-1}"), doc="p") == [("p", "shared")]


@pytest.mark.parametrize(
    ("date", "expected"),
    [("2026-08-01", []), ("2025-11-23", []), ("2025-11-22", [("s", "stale")]), ("2026-12-01", [("s", "missing")])],
)
def test_exercise_recency(date: str, expected: list[tuple[str, str]]) -> None:
    exercise = f"{DOC}kind: Exercise\nname: e\ntype: tabletop\ndate: {date}\nscope: [s]\nresult: pass\n"
    assert run("exercise_recency", docs(service("s"), exercise), doc="s", days=365) == expected


def test_overdue_findings() -> None:
    def exercise(due: str, status: str) -> str:
        return docs(
            f"{DOC}kind: Exercise\nname: e\ntype: tabletop\ndate: 2026-01-01\nscope: [s]\nresult: partial\n"
            f"findings: [{{id: F1, description: d, due: {due}, status: {status}}}]\n",
            service("s"),
        )

    assert run("overdue_findings", exercise("2026-12-01", "open"), doc="e") == []
    assert run("overdue_findings", exercise("2026-11-01", "closed"), doc="e") == []
    assert run("overdue_findings", exercise("2026-11-01", "open"), doc="e") == [("e", "overdue")]


def test_exercise_within_rto() -> None:
    def exercise(measured: str) -> str:
        return docs(
            f"{DOC}kind: Exercise\nname: e\ntype: failover\ndate: 2026-01-01\nscope: [s]\nresult: pass\n"
            f"recovery_times: {{s: {measured}}}\n",
            service("s", rto="2h"),
        )

    assert run("exercise_within_rto", exercise("90m"), doc="e") == []
    assert run("exercise_within_rto", exercise("3h"), doc="e") == [("e", "exceeded")]


@pytest.mark.parametrize(
    ("failover", "expected"),
    [
        ("{strategy: warm-standby, target: {provider: aws, region: us-west-2}}", []),
        ("{strategy: pilot-light, target: {provider: azure}}", []),
        ("{strategy: warm-standby, target: {provider: AWS, region: US-EAST-1}}", [("web", "single")]),
        ("{strategy: none}", [("web", "single")]),
        ("{strategy: warm-standby}", [("web", "single")]),
        (None, [("web", "single")]),
    ],
)
def test_failover_elsewhere(failover: str | None, expected: list[tuple[str, str]]) -> None:
    fields = {"hosting": "{provider: aws, region: us-east-1}"}
    if failover:
        fields["failover"] = failover
    assert run("failover_elsewhere", system("web", **fields), doc="web") == expected


# --- BCP304 against a walk per Plan ---------------------------------------------------------------

_NODES = [f"n{i}" for i in range(7)]
_DAYS = [dt.date(2026, month, 1) for month in range(1, 7)]


@st.composite
def _organisations(draw: st.DrawFn) -> tuple[Workspace, dict[str, Change]]:
    """Systems in up to six files (several to a file), their depends_on with cycles and shared
    dependencies, Plans covering some of them (and names nobody holds), reviews and last changes
    on a handful of days, so that ties and reviews on the day of a change occur."""
    files: dict[str, list[str]] = {}
    for name in _NODES:
        depends = draw(st.lists(st.sampled_from(_NODES), max_size=3, unique=True))
        files.setdefault(f"f{draw(st.integers(0, 5))}.yaml", []).append(
            f"{DOC}kind: System\nname: {name}\ndepends_on: [{', '.join(depends)}]\n"
        )
    for i in range(draw(st.integers(1, 4))):
        covers = draw(st.lists(st.sampled_from([*_NODES, "nobody"]), max_size=3, unique=True))
        reviewed = draw(st.sampled_from(_DAYS))
        files.setdefault(f"plan{i % 2}.yaml", []).append(
            f"{DOC}kind: Plan\nname: plan-{i}\ncovers: [{', '.join(covers)}]\n"
            f"reviewed: {{by: x, 'on': {reviewed.isoformat()}}}\n"
        )
    loaded = [load_file(path, "---\n".join(docs).encode()) for path, docs in sorted(files.items())]
    ws = build_workspace(loaded, TODAY)
    history = {
        path: Change(sha=f"{i:040x}", date=draw(st.sampled_from(_DAYS)), subject=f"change {i}")
        for i, path in enumerate(sorted(files))
        if draw(st.booleans())
    }
    return ws, history


@pytest.mark.slow  # a property over 150 organisations; the cases in tests/cases run every time
@given(_organisations())
@settings(max_examples=150, deadline=None)
def test_changed_after_review_is_a_walk_per_plan(organisation: tuple[Workspace, dict[str, Change]]) -> None:
    """BCP304 counts the changed files of each Plan in one pass over the graph; every Plan's
    hit is what walking everything it relies on gives (BCP304's first way), byte for byte."""
    ws, history = organisation
    ws.history = history
    ctx = Context(workspace=ws, today=TODAY)
    check = CHECKS["changed_after_review"]
    for doc in ws.valid(("Plan",)):
        plan = doc.model
        assert isinstance(plan, Plan) and plan.reviewed is not None and plan.reviewed.on is not None
        paths = sorted({d.path for d in relied_on(ws, plan.covers)})
        changed = [(c, path) for path in paths if (c := history.get(path)) and c.date > plan.reviewed.on]
        hits = check.function(ctx, doc, "", NoParams())
        got = [(hit.detail, hit.values["count"], hit.values["path"]) for hit in hits]
        if not changed:
            assert got == []
            continue
        latest, path = max(changed, key=lambda item: (item[0].date, item[1]))
        [(detail, count, named)] = got
        assert (count, named) == (len(changed), path)
        assert f"in commit {latest.short} on {latest.date.isoformat()} ('{latest.subject}')" in detail


# --- BCP208 without a walk per service ------------------------------------------------------------

_DURATIONS = ["30m", "1h", "4h", "8h", "1d"]


@st.composite
def _important_services(draw: st.DrawFn) -> Workspace:
    """Important Services (some without a tolerance) and Systems with plain and per-scenario
    targets, typed dependencies (recovery bounds the RTO only), cycles and shared dependencies."""
    docs = []
    names = [f"s{i}" for i in range(3)] + [f"y{i}" for i in range(5)]
    for name in names:
        kind = "Service" if name.startswith("s") else "System"
        lines = [f"{DOC}kind: {kind}\nname: {name}\ncriticality: critical\n"]
        for objective in ("rto", "rpo"):
            if draw(st.booleans()):
                lines.append(f"{objective}: {draw(st.sampled_from(_DURATIONS))}\n")
        if draw(st.booleans()):
            status = draw(st.sampled_from(["target", "estimate"]))
            lines.append(
                f"objectives: [{{scenario: zone, rto: {draw(st.sampled_from(_DURATIONS))}, "
                f"rpo: {draw(st.sampled_from(_DURATIONS))}, status: {status}}}]\n"
            )
        depends = draw(st.lists(st.sampled_from(names[3:]), max_size=3, unique=True))
        types = [draw(st.sampled_from(["runtime", "data", "recovery", "people"])) for _ in depends]
        entries = ", ".join(f"{{name: {d}, type: {t}}}" for d, t in zip(depends, types, strict=True))
        lines.append(f"depends_on: [{entries}]\n")
        if kind == "Service":
            lines.append("important: true\n")
            if draw(st.integers(0, 4)):
                tolerance = [f"max_duration: {draw(st.sampled_from(_DURATIONS))}"]
                if draw(st.booleans()):
                    tolerance.append(f"max_data_loss: {draw(st.sampled_from(_DURATIONS))}")
                lines.append(f"impact_tolerance: {{{', '.join(tolerance)}}}\n")
            if draw(st.booleans()):
                lines.append(f"wrt: {draw(st.sampled_from(_DURATIONS))}\n")
        docs.append("".join(lines))
    return workspace("---\n".join(docs))


@pytest.mark.slow  # a property over 150 organisations; the cases in tests/cases run every time
@given(_important_services())
@settings(max_examples=150, deadline=None)
def test_within_impact_tolerance_matches_a_walk_from_each_service(ws: Workspace) -> None:
    """BCP208 finds the longest target below every service in one pass over the graph; its hits
    are those of walking from each service in turn (the service's own targets and everything it
    reaches along the dependency types that count), naming the worst value."""
    check = CHECKS["within_impact_tolerance"]
    ctx = Context(workspace=ws, today=TODAY)
    for doc in ws.valid(("Service",)):
        service = doc.model
        assert isinstance(service, Service)
        got = {hit.outcome: hit.detail for hit in check.function(ctx, doc, "", NoParams())}
        tolerance = service.impact_tolerance
        if tolerance is None:
            assert set(got) == {"missing"}
            continue
        wrt = service.wrt.seconds if service.wrt is not None else 0
        for objective, limit, extra, outcome in (
            ("rto", tolerance.max_duration, wrt, "duration"),
            ("rpo", tolerance.max_data_loss, 0, "data_loss"),
        ):
            graph = objective_graph(ws, objective)
            reached = reachable([doc.name or ""], lambda n, g=graph: g.get(n, []))
            worst = max(
                (t.value.seconds for name in reached for t in targets(ws.by_name[name], objective)),
                default=None,
            )
            breached = limit is not None and worst is not None and worst + extra > limit.seconds
            assert (outcome in got) == breached, (doc.name, objective, worst, limit, got)
            if breached:
                worst_text = next(
                    t.value.text
                    for name in reached
                    for t in targets(ws.by_name[name], objective)
                    if t.value.seconds == worst
                )
                label = objective.upper()
                assert f"{label} {worst_text}" in got[outcome] or f"{label} is {worst_text}" in got[outcome]


def workspace_copy(ws: Workspace) -> Workspace:
    """The same documents in a workspace of its own (nothing memoised)."""
    return build_workspace(list(ws.files), TODAY)
