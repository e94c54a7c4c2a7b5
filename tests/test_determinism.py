"""Same input, same output, byte for byte (DESIGN §8), in every format.

Whatever order the files were created in, whatever ``PYTHONHASHSEED``, git or not, and whether
the files were read by one process or by the parallel readers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bcplint.api import LintOptions, enabled_rules
from bcplint.engine.run import Run, check
from bcplint.findings import LintResult
from bcplint.load.discover import find_workspaces, list_sources
from bcplint.load.read import PARALLEL_THRESHOLD, read_files
from bcplint.report import FORMATTERS, ReportOptions
from bcplint.workspace.documents import build_workspace
from tests.conftest import REPO_ROOT, TODAY, git

GOLDEN_WORKSPACE = Path(__file__).parent / "golden" / "workspace"
FORMATS = ("text", "json", "junit", "sarif", "github", "markdown")
SEEDS = ("0", "1", "12345")

EXTRA_FILES: dict[str, str | bytes] = {
    # A dependency cycle, reported once, from a stable starting point.
    "bcp/systems/cycle.yaml": (
        "apiVersion: bcplint/v1\nkind: System\nname: api\nowner: sre\ncriticality: high\nrto: 2h\n"
        "depends_on: [queue]\n---\n"
        "apiVersion: bcplint/v1\nkind: System\nname: queue\nowner: sre\ncriticality: high\nrto: 2h\n"
        "depends_on: [cache]\n---\n"
        "apiVersion: bcplint/v1\nkind: System\nname: cache\nowner: sre\ncriticality: high\nrto: 2h\n"
        "depends_on: [api]\n"
    ),
    # The same name in two files: which one is "first" must not depend on creation order.
    "bcp/z-dupe.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: twin\nemail: z@example.com\n",
    "bcp/a-dupe.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: twin\nphone: '+1-555-0199'\n",
    # Case and non-ASCII in paths sort the same everywhere.
    "bcp/Upper.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: upper\ncriticality: urgent\n",
    "bcp/lower.yaml": "apiVersion: bcplint/v1\nkind: Service\nname: lower\ncriticality: high\nowner: ghost\n",
    "bcp/übersicht.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: übersicht\nrtoo: 1h\n",
    "bcp/nested/deeper/exercise.yaml": (
        "apiVersion: bcplint/v1\nkind: Exercise\nname: drill\ntype: failover\ndate: 2026-03-01\n"
        "scope: [web, storefront, api]\nresult: partial\n"
        "recovery_times: {web: 5h, storefront: 2h, api: 30m, missing: 1h}\n"
        "findings:\n  - {id: F1, description: DNS TTL too long, status: open}\n"
        "  - {id: F2, description: Runbook outdated, owner: sre, due: 2026-01-01, status: open}\n"
    ),
    "bcp/waiver.yaml": (
        "apiVersion: bcplint/v1\nkind: Waiver\nname: web-single-region\nrule: BCP702\ntarget: web\n"
        "reason: Migration planned\napproved_by: ops-lead\nexpires: 2027-01-31\n---\n"
        "apiVersion: bcplint/v1\nkind: Waiver\nname: stale\nrule: BCP201\ntarget: upper\n"
        "reason: Expired\napproved_by: ops-lead\nexpires: 2026-01-31\n"
    ),
    "bcp/inline.yaml": (
        "apiVersion: bcplint/v1\nkind: Service\nname: inline  # bcplint: ignore[BCP101] until=2027-01-31 -- new team\n"
        "criticality: critical\nrto: 1h\nrpo: 5m\n"
    ),
    "bcp/latin1.yaml": b"apiVersion: bcplint/v1\nkind: Contact\nname: caf\xe9\n",
    "bcp/keys.yaml": "apiVersion: bcplint/v1\nkind: Contact\nname: keys\n1: x\n",
    "deploy/k8s.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
    "docs/runbook.md": "# A runbook without front matter\n",
}


def golden_files() -> dict[str, str | bytes]:
    files = sorted(p for p in GOLDEN_WORKSPACE.rglob("*") if p.is_file())
    return {p.relative_to(GOLDEN_WORKSPACE).as_posix(): p.read_bytes() for p in files}


def build(root: Path, files: Mapping[str, str | bytes], order: Callable[[list[str]], list[str]]) -> Path:
    """Write ``files`` under ``root`` in the given order (directories appear in that order too)."""
    root.mkdir(parents=True)
    for relative in order(list(files)):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        content = files[relative]
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def run_cli(root: Path, output_format: str, seed: str, *extra: str) -> tuple[int, str, str]:
    return run_command(root, seed, "check", ".", "--today", TODAY, "--format", output_format, *extra)


def run_command(root: Path, seed: str, *args: str) -> tuple[int, str, str]:
    """``python -m bcplint ARGS`` in ``root``, in a process of its own with ``PYTHONHASHSEED=seed``."""
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "bcplint", *args], cwd=root, env=env, capture_output=True, timeout=60, check=False
    )
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def assert_identical(outputs: dict[str, str], what: str) -> None:
    (first_label, first), *rest = outputs.items()
    for label, output in rest:
        if output != first:
            lines = difflib.unified_diff(first.splitlines(), output.splitlines(), first_label, label, lineterm="")
            diff = "\n".join(list(lines)[:60])
            pytest.fail(f"{what}: output differs between {first_label} and {label}:\n{diff}")


def commit_all(repo: Path, names: list[str]) -> None:
    """Stage ``names`` one by one, in that order, and commit them at a fixed date."""
    for name in names:
        git(repo, "add", "--", name)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": "2026-10-01T12:00:00Z",
        "GIT_COMMITTER_DATE": "2026-10-01T12:00:00Z",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "commit", "-q", "-m", "plan"], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Plain directories and git repositories, each twice, written (and staged) in opposite orders."""
    files = {**golden_files(), **EXTRA_FILES}
    base = tmp_path_factory.mktemp("determinism")
    forward, backward = sorted(files), sorted(files, reverse=True)
    made = {
        "plain-forward": build(base / "plain-forward", files, lambda _: forward),
        "plain-backward": build(base / "plain-backward", files, lambda _: backward),
        "git-forward": build(base / "git-forward", files, lambda _: forward),
        "git-backward": build(base / "git-backward", files, lambda _: backward),
    }
    for name in ("git-forward", "git-backward"):
        git(made[name], "init", "-q", "-b", "main")
        commit_all(made[name], forward if name == "git-forward" else backward)
    return made


# Plain directories: both orders under every seed. Git repositories (history feeds BCP304, so
# their reports legitimately differ from a plain directory's): compared with each other.
JOBS = [("plain", f"plain-{order}", seed) for order in ("forward", "backward") for seed in SEEDS] + [
    ("git", "git-forward", "0"),
    ("git", "git-backward", "12345"),
]


@pytest.fixture(scope="module")
def outputs(workspaces: dict[str, Path]) -> dict[tuple[str, str], dict[str, tuple[int, str, str]]]:
    """(format, group) -> "workspace seed" -> (exit code, stdout, stderr); each run its own process."""
    jobs = [(fmt, group, name, seed) for fmt in FORMATS for group, name, seed in JOBS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: run_cli(workspaces[job[2]], job[0], job[3]), jobs))
    table: dict[tuple[str, str], dict[str, tuple[int, str, str]]] = {}
    for (fmt, group, name, seed), result in zip(jobs, results, strict=True):
        table.setdefault((fmt, group), {})[f"{name} PYTHONHASHSEED={seed}"] = result
    return table


@pytest.mark.slow
@pytest.mark.parametrize("group", ["plain", "git"])
@pytest.mark.parametrize("output_format", FORMATS)
def test_byte_identical_whatever_the_order_and_hash_seed(
    outputs: dict[tuple[str, str], dict[str, tuple[int, str, str]]], output_format: str, group: str
) -> None:
    runs = outputs[(output_format, group)]
    for label, (code, out, err) in runs.items():
        assert "Traceback" not in err, f"{label}: {err}"
        assert code == 1, f"{label}: exit {code}\n{err}"
        assert "forward" not in out and "backward" not in out, "reports must not name the temporary directory"
    assert_identical({label: out for label, (_, out, _) in runs.items()}, f"--format {output_format}")
    assert_identical({label: err for label, (_, _, err) in runs.items()}, f"--format {output_format} (stderr)")


@pytest.mark.slow  # it reads the 48 runs above
def test_the_workspace_exercises_many_rules(
    outputs: dict[tuple[str, str], dict[str, tuple[int, str, str]]],
) -> None:
    """The comparison above means something only if the report is rich: check it is."""
    report = json.loads(next(iter(outputs[("json", "plain")].values()))[1])
    rules = {f["rule_id"] for f in report["findings"]}
    assert {"BCP001", "BCP002", "BCP003", "BCP004", "BCP005"} <= rules
    assert any(f["waiver"] for f in report["findings"])
    assert report["summary"]["documents"] >= 15


@pytest.mark.slow
def test_set_tag_output_is_deterministic(tmp_path: Path) -> None:
    """``!!set`` builds a Python set, whose order follows the string hash: it must not leak."""
    root = build(
        tmp_path / "ws",
        {
            "bcp/set.yaml": (
                "apiVersion: bcplint/v1\nkind: Service\nname: setsvc\nowner: nobody\ncriticality: low\n"
                "depends_on: !!set {alpha, beta, gamma, delta, epsilon}\n"
            )
        },
        sorted,
    )
    for output_format in ("json", "sarif"):
        runs = {f"PYTHONHASHSEED={seed}": run_cli(root, output_format, seed) for seed in ("0", "1", "2", "12345")}
        for label, (code, _, err) in runs.items():
            assert code in (0, 1) and "Traceback" not in err, f"{label}: {err}"
        assert_identical({label: out for label, (_, out, _) in runs.items()}, f"!!set, --format {output_format}")


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [("report", "--format", "html"), ("report", "--format", "markdown"), ("graph",), ("graph", "--format", "dot")],
    ids=["report-html", "report-markdown", "graph-mermaid", "graph-dot"],
)
def test_pictures_are_byte_identical_whatever_the_order_and_hash_seed(
    workspaces: dict[str, Path], command: tuple[str, ...]
) -> None:
    """The readiness report and the graph: sets of documents and edges drawn in a fixed order."""
    runs = {
        f"{name} PYTHONHASHSEED={seed}": run_command(workspaces[name], seed, *command, ".", *today(command))
        for name in ("plain-forward", "plain-backward")
        for seed in ("0", "12345")
    }
    for label, (code, out, err) in runs.items():
        assert code == 0 and "Traceback" not in err, f"{label}: exit {code}\n{err}"
        assert out and "forward" not in out and "backward" not in out, label
    assert_identical({label: out for label, (_, out, _) in runs.items()}, " ".join(command))


def today(command: tuple[str, ...]) -> tuple[str, ...]:
    return ("--today", TODAY) if command[0] == "report" else ()


# --- the parallel reading path --------------------------------------------------------------

MANY = PARALLEL_THRESHOLD + 80


def many_files(count: int) -> dict[str, str | bytes]:
    """A workspace above the parallel threshold, with every kind of outcome a file can have."""
    files: dict[str, str | bytes] = {}
    for i in range(count):
        group = f"bcp/group-{i % 7}"
        match i % 8:
            case 0:
                files[f"{group}/svc-{i:04d}.yaml"] = (
                    f"apiVersion: bcplint/v1\nkind: Service\nname: svc-{i}\nowner: owner-{i % 5}\n"
                    f"criticality: {('critical', 'high', 'medium', 'low')[i % 4]}\nrto: {1 + i % 9}h\n"
                    f"depends_on: [sys-{(i + 1) % count}]\n"
                )
            case 1:
                files[f"{group}/sys-{i:04d}.yaml"] = (
                    f"apiVersion: bcplint/v1\nkind: System\nname: sys-{i}\ncriticality: high\nrto: {i % 12}h\n"
                    f"hosting: {{provider: aws, region: us-east-{1 + i % 2}}}\n"
                )
            case 2:
                files[f"{group}/broken-{i:04d}.yaml"] = f"apiVersion: bcplint/v1\nkind: Contact\nname: [b{i}\n"
            case 3:
                files[f"{group}/contact-{i:04d}.md"] = (
                    f"---\napiVersion: bcplint/v1\nkind: Contact\nname: owner-{i % 5}\nemail: o{i}@example.com\n"
                    f"---\n\n# Contact {i}\n"
                )
            case 4:
                files[f"{group}/other-{i:04d}.yaml"] = f"ci:\n  job: build-{i}\n"
            case 5:
                files[f"{group}/bad-{i:04d}.yaml"] = b"apiVersion: bcplint/v1\nname: \xff" + str(i).encode() + b"\n"
            case 6:
                files[f"{group}/schema-{i:04d}.yaml"] = (
                    f"apiVersion: bcplint/v1\nkind: Supplier\nname: sup-{i}\ncriticality: vital\nslaa: 99.9\n"
                )
            case _:
                files[f"{group}/empty-{i:04d}.yaml"] = ""
    return files


def render(result: LintResult, output_format: str) -> str:
    stream = io.StringIO()
    FORMATTERS[output_format](result, stream, ReportOptions())
    return stream.getvalue()


@pytest.fixture(scope="module")
def large_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("parallel") / "ws", many_files(MANY), lambda names: names[::-1])


@pytest.mark.slow
def test_parallel_reading_equals_serial_reading(large_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("bcplint reads in parallel only where the 'fork' start method exists")
    sources = list_sources(find_workspaces(["."], cwd=large_workspace)[0])[0]
    assert len(sources) >= PARALLEL_THRESHOLD
    serial = read_files(sources, workers=1)

    pools: list[Any] = []

    class RecordingPool(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pools.append(kwargs.get("max_workers"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", RecordingPool)  # imported when used
    parallel = read_files(sources, workers=4)
    assert pools == [4], "the parallel path was not taken"
    assert [f.path for f in parallel] == [s.display for s in sources]
    assert parallel == serial

    rules = tuple(enabled_rules(LintOptions(cwd=large_workspace)))
    day = dt.date.fromisoformat(TODAY)
    run = Run(rules=rules, today=day, record_checks=True, assess_maturity=True)
    serial_result = check(run, build_workspace(serial, day))
    parallel_result = check(run, build_workspace(parallel, day))
    for output_format in FORMATS:
        assert render(parallel_result, output_format) == render(serial_result, output_format), output_format


@pytest.mark.slow
def test_cli_on_a_large_workspace_matches_the_serial_library(large_workspace: Path) -> None:
    """The CLI (parallel reading on a multi-core machine) prints what serial reading gives."""
    sources = list_sources(find_workspaces(["."], cwd=large_workspace)[0])[0]
    options = LintOptions(cwd=large_workspace)
    rules = tuple(enabled_rules(options))
    day = dt.date.fromisoformat(TODAY)
    run = Run(rules=rules, today=day, assess_maturity=True)
    expected = render(check(run, build_workspace(read_files(sources, workers=1), day)), "json")
    assert '"BCP001"' in expected and '"BCP002"' in expected
    runs = {f"PYTHONHASHSEED={seed}": run_cli(large_workspace, "json", seed) for seed in ("0", "12345")}
    for label, (code, out, err) in runs.items():
        assert code == 1 and "Traceback" not in err, f"{label}: {err}"
        assert_identical({"serial library": expected, label: out}, "large workspace, --format json")
