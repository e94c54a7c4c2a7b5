"""Native in CI: the GitHub Action (action.yml), the GitLab CI/CD component (templates/bcplint.yml)
and the GitLab Code Quality report they rely on.

The action and the component are validated with check-jsonschema's bundled GitHub Actions and
GitLab CI schemas, then run the way their CI systems run them: the action's ``run`` steps with
bash and GitHub's step files, the component's job scripts with ``sh`` after GitLab's input
interpolation, both on a real ``git init`` repository holding a small broken plan. The Code
Quality report is validated against a JSON Schema written from GitLab's documentation, and its
severities against the table in docs/ci.md, so the code and the doc cannot drift apart.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import junitparser
import pytest
from ruamel.yaml import YAML

from bcplint.findings import Finding, LintResult, Severity
from bcplint.report import FORMATTERS, ReportOptions
from tests.conftest import REPO_ROOT, TODAY, Run, git, write

ACTION = REPO_ROOT / "action.yml"
COMPONENT = REPO_ROOT / "templates" / "bcplint.yml"
CI_DOC = REPO_ROOT / "docs" / "ci.md"
SARIF_SCHEMA = REPO_ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

# GitLab's Code Quality report format as documented at
# https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format ("Code Quality
# report format"): the artifact is a single JSON array; every object in it has at least
# `description` (string), `check_name` (string), `fingerprint` (string), `severity` (one of
# info, minor, major, critical, blocker), `location.path` (a path relative to the repository)
# and the line as `location.lines.begin` or `location.positions.begin.line` (an integer).
# The page adds that other Code Climate fields are ignored and that a byte order mark is
# refused. Lines counting from 1 and paths never being absolute are our reading of "line"
# and "relative path".
CODE_QUALITY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^/"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                    "positions": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {
                            "begin": {
                                "type": "object",
                                "required": ["line"],
                                "properties": {"line": {"type": "integer", "minimum": 1}},
                            }
                        },
                    },
                },
                "anyOf": [{"required": ["lines"]}, {"required": ["positions"]}],
            },
        },
    },
}

# No phone: BCP103.
CONTACTS = "apiVersion: bcplint/v1\nkind: Contact\nname: cto\nemail: cto@example.com\nlast_verified: 2026-11-01\n"
SHOP = "apiVersion: bcplint/v1\nkind: Service\nname: shop\ncriticality: low\n"  # no owner: BCP101
SUPPORT = "apiVersion: bcplint/v1\nkind: Service\nname: support\nowner: cto\ncriticality: low\n"


def plan_repository(root: Path, folder: str = "plan") -> Path:
    """A committed repository whose plan, under ``folder``, has exactly one error (BCP101 on
    services/shop.yaml) and one warning (BCP103 on contacts.yaml)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write(root, f"{folder}/bcp/contacts.yaml", CONTACTS)
    write(root, f"{folder}/bcp/services/shop.yaml", SHOP)
    write(root, f"{folder}/bcp/services/support.yaml", SUPPORT)
    write(root, "README.md", "# Our continuity plan\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the plan")
    return root


def load_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def component_documents() -> tuple[dict[str, Any], dict[str, Any]]:
    """The component's two YAML documents: the ``spec:`` header and the jobs."""
    documents = list(YAML(typ="safe", pure=True).load_all(COMPONENT.read_text(encoding="utf-8")))
    assert len(documents) == 2, "a component file is a spec header, `---`, then the jobs"
    return documents[0], documents[1]


def _client(name: str) -> str:
    """A command-line client from the test extra: beside this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    """The real check-jsonschema CLI with one of its bundled (offline) schemas."""
    command = [_client("check-jsonschema"), "--builtin-schema", schema, *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without anything a CI system or git hook would set, plus
    ``extra``; this interpreter's directory first on PATH, as the runner's python3."""
    prefixes = ("GITHUB_", "RUNNER_", "INPUT_", "GIT_", "BCPLINT_", "CI_", "GITLAB_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes) and k not in ("VIRTUAL_ENV", "CI")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    return {**env, **extra}


# --- the schemas of the two CI systems -----------------------------------------------------------


@pytest.mark.slow  # two runs of the check-jsonschema client
def test_action_is_valid_against_the_github_actions_schema(tmp_path: Path) -> None:
    checked = check_jsonschema("vendor.github-actions", ACTION)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The schema has teeth: a composite step without its shell is refused.
    action = load_yaml(ACTION.read_text(encoding="utf-8"))
    del action["runs"]["steps"][0]["shell"]
    broken = tmp_path / "action.yml"
    broken.write_text(json.dumps(action), encoding="utf-8")
    assert check_jsonschema("vendor.github-actions", broken).returncode == 1


@pytest.mark.slow  # two runs of the check-jsonschema client
def test_component_is_valid_against_the_gitlab_ci_schema(tmp_path: Path) -> None:
    """check-jsonschema reads one document per file, so each of the component's two is
    checked on its own; GitLab's schema describes the ``spec`` header too."""
    header, jobs = COMPONENT.read_text(encoding="utf-8").split("\n---\n")
    files = [tmp_path / "header.yml", tmp_path / "jobs.yml"]
    files[0].write_text(header + "\n", encoding="utf-8")
    files[1].write_text(jobs, encoding="utf-8")
    checked = check_jsonschema("vendor.gitlab-ci", *files)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The header is really checked: an input type GitLab does not have is refused.
    assert "type: number" in header
    files[0].write_text(header.replace("type: number", "type: integer") + "\n", encoding="utf-8")
    assert check_jsonschema("vendor.gitlab-ci", files[0]).returncode == 1


def test_component_inputs_are_declared_described_used_and_optional() -> None:
    spec, jobs = component_documents()
    assert set(spec) == {"spec"}
    inputs = spec["spec"]["inputs"]
    used = set(
        re.findall(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]", COMPONENT.read_text(encoding="utf-8").split("\n---\n")[1])
    )
    assert used == set(inputs), "every input is used in the job and every input used is declared"
    for name, declared in inputs.items():
        assert declared.get("description"), f"input {name} has no description"
        assert "default" in declared, f"input {name} has no default: including the component would require it"
        if "options" in declared:
            assert declared["default"] in declared["options"]
    [(name, job)] = jobs.items()
    assert name == "$[[ inputs.job-prefix ]]bcplint"
    assert job["artifacts"]["when"] == "always", "findings are uploaded when the job fails too"
    reports = job["artifacts"]["reports"]
    assert set(reports) == {"codequality", "junit"}
    assert "$[[" not in "\n".join(job["script"]), "inputs reach the shell as variables only"
    assert job["before_script"] == [], "the pipeline's default before_script is not the component's"


def test_action_passes_inputs_through_the_environment_only() -> None:
    """GitHub's script-injection advice: no ``${{ }}`` expression inside ``run:`` text."""
    action = load_yaml(ACTION.read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    for step in steps:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], f"step {step['id']!r} interpolates an expression into its script"
    referenced = set(re.findall(r"inputs\.([\w-]+)", json.dumps([step.get("env", {}) for step in steps])))
    referenced |= set(re.findall(r"inputs\.([\w-]+)", json.dumps([s.get("working-directory", "") for s in steps])))
    assert referenced == set(action["inputs"]), "every input is used, and only through env or working-directory"


# --- GitLab Code Quality ------------------------------------------------------------------------------


def documented_severities() -> dict[str, str]:
    """docs/ci.md's table "bcplint finding -> GitLab severity": {'error': 'major', ..., 'waived': ...}."""
    lines = CI_DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| bcplint finding | GitLab `severity` |"))
    table: dict[str, str] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        finding, severity = (cell.strip() for cell in line.strip("|").split("|")[:2])
        [value] = re.findall(r"`(\w+)`", severity)
        table[finding.split()[0]] = value
    return table


def gitlab_report(result: LintResult) -> list[dict[str, Any]]:
    stream = io.StringIO()
    FORMATTERS["gitlab"](result, stream, ReportOptions())
    report: list[dict[str, Any]] = json.loads(stream.getvalue())
    return report


def _finding(**changes: Any) -> Finding:
    base: dict[str, Any] = {
        "path": "bcp/db.yaml",
        "line": 9,
        "column": 5,
        "rule_id": "BCP402",
        "rule_name": "backup-tested",
        "severity": Severity.ERROR,
        "message": "System 'db': backup 'nightly' has never been restore-tested",
        "kind": "System",
        "document": "db",
        "field": "backups[0].last_restore_test.date",
        "clauses": ("ISO 22301:2019 8.5",),
    }
    return Finding(**{**base, **changes})


def test_documented_severity_table_uses_gitlab_levels() -> None:
    table = documented_severities()
    assert set(table) == {severity.label for severity in Severity} | {"waived"}  # a row for each, and no other
    assert set(table.values()) <= set(CODE_QUALITY_SCHEMA["items"]["properties"]["severity"]["enum"])


def test_code_quality_of_jitbit_follows_the_documented_format(bcplint: Callable[..., Run]) -> None:
    run = bcplint("check", "examples/jitbit", "--format", "gitlab", "--today", TODAY, cwd=REPO_ROOT)
    assert run.code == 1, run.err
    assert not run.out.startswith("\ufeff"), "GitLab's parser refuses a byte order mark"
    report = json.loads(run.out)
    assert list(jsonschema.Draft202012Validator(CODE_QUALITY_SCHEMA).iter_errors(report)) == []
    findings = json.loads(bcplint("check", "examples/jitbit", "--format", "json", "--today", TODAY).out)["findings"]
    fingerprints = [issue["fingerprint"] for issue in report]
    assert len(set(fingerprints)) == len(fingerprints) == len(findings) > 20
    assert {f["severity"] for f in findings} == {"error", "warning"}  # two rows of the table at work
    table = documented_severities()
    for issue, finding in zip(report, findings, strict=True):
        assert issue["severity"] == table["waived" if finding["waiver"] else finding["severity"]]
        assert issue["check_name"] == f"{finding['rule_id']} {finding['rule_name']}"
        assert issue["location"] == {"path": finding["path"], "lines": {"begin": finding["line"]}}
        assert issue["location"]["path"].startswith("examples/jitbit/bcp/")  # relative to the repository root
        assert issue["description"].startswith(finding["message"])


def test_info_and_waived_findings_get_the_documented_severities() -> None:
    table = documented_severities()
    info = _finding(rule_id="BCP802", rule_name="waiver-unused", severity=Severity.INFO, message="unused")
    waived_error = _finding(waiver="Waiver 'db-restore' until 2027-01-31: new storage arrives in January")
    waived_warning = _finding(severity=Severity.WARNING, field="x", waiver="inline until 2027-03-31: later")
    result = LintResult(findings=(info, waived_error, waived_warning), files_checked=1, documents_checked=1)
    report = gitlab_report(result)
    assert [issue["severity"] for issue in report] == [table["info"], table["waived"], table["waived"]]
    assert report[1]["description"].endswith(f"(waived: {waived_error.waiver})")
    assert report[1]["description"].startswith(f"{waived_error.message} [ISO 22301:2019 8.5]")
    # Waiving changes the fingerprint, so the merge request that adds a waiver shows the change.
    active = gitlab_report(LintResult(findings=(_finding(),), files_checked=1, documents_checked=1))
    assert active[0]["severity"] == table["error"]
    assert active[0]["fingerprint"] != report[1]["fingerprint"]


def test_fingerprints_are_unique_when_a_rule_reports_one_field_twice(bcplint: Callable[..., Run]) -> None:
    # The Testpoint plan has neither a primary nor a secondary channel: two BCP501 findings on
    # the same document and field, which the document-and-field identity alone cannot tell apart.
    run = bcplint("check", "examples/testpoint", "--format", "gitlab", "--today", TODAY, cwd=REPO_ROOT)
    report = json.loads(run.out)
    channels = [issue for issue in report if issue["check_name"] == "BCP501 secondary-channel"]
    assert len(channels) == 2
    assert channels[0]["location"] == channels[1]["location"]
    assert channels[0]["fingerprint"] != channels[1]["fingerprint"]
    assert len({issue["fingerprint"] for issue in report}) == len(report)
    # Even two identical findings get two fingerprints.
    twins = LintResult(findings=(_finding(), _finding()), files_checked=1, documents_checked=1)
    assert len({issue["fingerprint"] for issue in gitlab_report(twins)}) == 2


def test_fingerprints_survive_lines_moving(bcplint: Callable[..., Run], git_repo: Path) -> None:
    plan_repository(git_repo)
    before = json.loads(bcplint("check", "--format", "gitlab", "--today", TODAY, cwd=git_repo).out)
    for path in (git_repo / "plan" / "bcp").rglob("*.yaml"):
        path.write_text("# reviewed in the spring\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    after = json.loads(bcplint("check", "--format", "gitlab", "--today", TODAY, cwd=git_repo).out)
    assert len(before) == len(after) == 2
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] + 2 for i in before] == [i["location"]["lines"]["begin"] for i in after]
    # ... while the same finding in another file is another issue.
    shutil.move(git_repo / "plan/bcp/services/shop.yaml", git_repo / "plan/bcp/services/shop-renamed.yaml")
    moved = json.loads(bcplint("check", "--format", "gitlab", "--today", TODAY, cwd=git_repo).out)
    assert {i["fingerprint"] for i in moved} != {i["fingerprint"] for i in after}


# --- the GitHub Action, run as the runner runs a composite action -------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class ActionRun:
    """What one run of the action left: its exit code, its output, the step files it wrote."""

    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    step_outputs: dict[str, dict[str, str]]
    summary: str
    env_file: str
    path_file: str
    ran: list[str] = field(default_factory=list)


def read_step_outputs(path: Path) -> dict[str, str]:
    """A $GITHUB_OUTPUT file: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    lines = path.read_text(encoding="utf-8").splitlines()
    outputs: dict[str, str] = {}
    index = 0
    while index < len(lines):
        name, equals, value = lines[index].partition("=")
        if not equals or "<<" in name:
            name, _, delimiter = lines[index].partition("<<")
            end = lines.index(delimiter, index + 1)
            value = "\n".join(lines[index + 1 : end])
            index = end
        outputs[name] = value
        index += 1
    return outputs


def run_action(
    workspace: Path,
    temp: Path,
    inputs: dict[str, str] | None = None,
    *,
    after: dict[str, dict[str, str]] | None = None,
    summary_before: str = "",
) -> ActionRun:
    """Run action.yml's steps in order, as GitHub runs a composite action: each ``run`` with
    ``bash --noprofile --norc -eo pipefail``, the step's ``env`` and ``working-directory``
    evaluated first, fresh $GITHUB_OUTPUT per step, one $GITHUB_STEP_SUMMARY, stopping at the
    first failing step. ``after``: outputs of steps already run (the install), which are skipped.
    """
    action = load_yaml(ACTION.read_text(encoding="utf-8"))
    given = inputs or {}
    assert set(given) <= set(action["inputs"]), f"unknown inputs {set(given) - set(action['inputs'])}"
    step_outputs: dict[str, dict[str, str]] = dict(after or {})
    temp.mkdir(parents=True, exist_ok=True)
    summary, env_file, path_file = temp / "step_summary.md", temp / "github_env", temp / "github_path"
    summary.write_text(summary_before, encoding="utf-8")
    env_file.touch()
    path_file.touch()

    def evaluate(text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1)
            if found := re.fullmatch(r"inputs\.([\w-]+)", expression):
                declared = action["inputs"][found[1]]
                return given.get(found[1], str(declared.get("default", "")))
            if found := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
                return step_outputs.get(found[1], {}).get(found[2], "")
            if expression == "github.action_path":
                return str(REPO_ROOT)
            raise AssertionError(f"this test's runner does not evaluate ${{{{ {expression} }}}}")

        return EXPRESSION.sub(value, text)

    code, stdout, stderr, ran = 0, "", "", []
    for number, step in enumerate(action["runs"]["steps"]):
        assert set(step) <= {"name", "id", "shell", "env", "run", "working-directory"}, "uses/if need a real runner"
        if step["id"] in step_outputs:
            continue
        output = temp / f"output-{number}"
        output.write_text("", encoding="utf-8")
        env = clean_environment(
            CI="true",
            GITHUB_ACTIONS="true",
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_ACTION_PATH=str(REPO_ROOT),
            GITHUB_OUTPUT=str(output),
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_ENV=str(env_file),
            GITHUB_PATH=str(path_file),
            RUNNER_TEMP=str(temp),
        )
        env.update({name: evaluate(str(value)) for name, value in step.get("env", {}).items()})
        script = temp / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        process = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace / evaluate(step.get("working-directory", ".")),
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        ran.append(step["id"])
        stdout, stderr, code = stdout + process.stdout, stderr + process.stderr, process.returncode
        step_outputs[step["id"]] = read_step_outputs(output)
        if code != 0:
            break
    outputs = {name: evaluate(declared["value"]) for name, declared in action["outputs"].items()}
    return ActionRun(
        code=code,
        stdout=stdout,
        stderr=stderr,
        outputs=outputs,
        step_outputs=step_outputs,
        summary=summary.read_text(encoding="utf-8"),
        env_file=env_file.read_text(encoding="utf-8"),
        path_file=path_file.read_text(encoding="utf-8"),
        ran=ran,
    )


def _installable_checkout() -> None:
    if not (REPO_ROOT / "pyproject.toml").exists():
        pytest.skip("the action installs bcplint from its own checkout, and this copy has no pyproject.toml")


@dataclass(frozen=True)
class FirstRun:
    workspace: Path
    temp: Path
    run: ActionRun

    @property
    def installed(self) -> dict[str, dict[str, str]]:
        """The install step's outputs, to run the steps after it against the same install."""
        return {"install": self.run.step_outputs["install"]}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> FirstRun:
    """The whole action, every step in order, with its default inputs, on a broken plan. Its
    install step's outputs let the other tests run the check step against the same install."""
    _installable_checkout()
    base = tmp_path_factory.mktemp("action")
    workspace = plan_repository(base / "workspace")
    run = run_action(workspace, base / "runner", summary_before="## Earlier step\n\n")
    return FirstRun(workspace, base / "runner", run)


@pytest.mark.slow
def test_action_installs_apart_and_reports_everywhere(first_run: FirstRun) -> None:
    run, workspace = first_run.run, first_run.workspace
    assert run.ran == ["install", "check"]
    assert run.code == 1, run.stdout + run.stderr  # one error, fail-on error
    # A normal install into a virtual environment of its own, nothing left for later steps.
    bin_dir = Path(run.step_outputs["install"]["bin"])
    assert first_run.temp in bin_dir.parents
    located = subprocess.run(
        [str(bin_dir / "python"), "-I", "-c", "import bcplint; print(bcplint.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(located).is_relative_to(bin_dir.parent), "bcplint comes from the action's venv, not this checkout"
    assert run.env_file == run.path_file == ""
    # Annotations name files relative to the repository root, where GitHub looks for them.
    annotations = [line for line in run.stdout.splitlines() if line.startswith(("::error ", "::warning "))]
    assert annotations == [
        "::warning file=plan/bcp/contacts.yaml,line=1,col=1,title=BCP103 contact-reachable::"
        "Contact 'cto' is responsible for part of the plan but has no phone",
        "::error file=plan/bcp/services/shop.yaml,line=1,col=1,title=BCP101 owner-assigned::"
        "Service 'shop' has no owner",
    ]
    # The readable report in a log group, with workflow commands off while it prints.
    token = re.search(r"^::stop-commands::(\S+)$", run.stdout, re.MULTILINE)
    assert token is not None
    fenced = run.stdout.split(token.group(0), 1)[1].split(f"::{token.group(1)}::", 1)[0]
    assert "1 error, 1 warning in 3 documents across 3 files." in fenced
    # The job summary: appended after what earlier steps wrote, with the count table.
    assert run.summary.startswith("## Earlier step\n\n## bcplint\n")
    assert "| 1 | 1 | 0 | 0 | 3 | 3 |" in run.summary
    assert "| error | BCP101 owner-assigned | `plan/bcp/services/shop.yaml:1` |" in run.summary
    # Outputs: the exit code and where the SARIF is.
    assert run.outputs == {"sarif-file": str(workspace / "bcplint.sarif"), "exit-code": "1"}


@pytest.mark.slow
def test_action_sarif_is_valid_and_names_files_from_the_root(first_run: FirstRun) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SARIF_SCHEMA} (it lives in the shared folder beside the repo)")
    log = json.loads(Path(first_run.run.outputs["sarif-file"]).read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(log)] == []
    results = log["runs"][0]["results"]
    located = {
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results
    }
    assert located == {
        ("BCP101", "error", "plan/bcp/services/shop.yaml"),
        ("BCP103", "warning", "plan/bcp/contacts.yaml"),
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("inputs", "code"),
    [
        ({"fail-on": "never"}, 0),
        ({"fail-on": "error"}, 1),
        ({"args": "--ignore BCP101"}, 0),  # only the warning is left, and the default fails on errors
        ({"args": "--ignore BCP101", "fail-on": "warning"}, 1),
        ({"fail-on": "sometimes"}, 2),
    ],
)
def test_action_exit_code_honours_fail_on(
    first_run: FirstRun, tmp_path: Path, inputs: dict[str, str], code: int
) -> None:
    workspace = plan_repository(tmp_path / "workspace")
    run = run_action(workspace, tmp_path / "runner", inputs, after=first_run.installed)
    assert run.ran == ["check"]
    assert (run.code, run.outputs["exit-code"]) == (code, str(code)), run.stdout + run.stderr
    if code == 2:
        assert "Invalid value for '--fail-on': 'sometimes' is not one of" in run.stderr
        assert run.outputs["sarif-file"] == "", "no report was written, so there is nothing to upload"
        return
    warnings = [line for line in run.stdout.splitlines() if line.startswith("::warning file=plan/bcp/contacts.yaml")]
    assert len(warnings) == 1, "findings below fail-on are still annotated"
    assert ("::error file=plan/bcp/services/shop.yaml" in run.stdout) == ("BCP101" not in inputs.get("args", ""))


@pytest.mark.slow
def test_action_working_directory_paths_and_quoting(first_run: FirstRun, tmp_path: Path) -> None:
    workspace = plan_repository(tmp_path / "workspace", folder="team plans")
    inputs = {"working-directory": "team plans", "paths": "'bcp/services'", "sarif-file": "out/bcplint.sarif"}
    run = run_action(workspace, tmp_path / "runner", inputs, after=first_run.installed)
    assert run.code == 1, run.stdout + run.stderr
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert [line.split(",")[0] for line in annotations if "title=" in line] == [
        "::error file=team plans/bcp/services/shop.yaml"  # narrowed to the services; named from the root
    ]
    assert run.outputs["sarif-file"] == str(workspace / "team plans" / "out" / "bcplint.sarif")
    assert Path(run.outputs["sarif-file"]).is_file()


@pytest.mark.slow
def test_action_never_evaluates_its_inputs(first_run: FirstRun, tmp_path: Path) -> None:
    workspace = plan_repository(tmp_path / "workspace")
    inputs = {"paths": "plan; touch pwned-by-paths", "args": "$(touch pwned-by-args) `touch pwned-by-backticks`"}
    run = run_action(workspace, tmp_path / "runner", inputs, after=first_run.installed)
    assert run.code == 2
    assert "bcplint: error: $(touch: no such file or directory" in run.stderr
    assert not list(workspace.rglob("pwned*")), "an input ran as a command"
    unbalanced = run_action(workspace, tmp_path / "again", {"args": '--select "BCP1'}, after=first_run.installed)
    assert unbalanced.code == 2
    assert (
        "::error title=bcplint::The args input cannot be split into words (No closing quotation)" in unbalanced.stdout
    )


@pytest.mark.slow
def test_action_runs_the_installed_bcplint_whatever_the_repository_holds(first_run: FirstRun, tmp_path: Path) -> None:
    workspace = plan_repository(tmp_path / "workspace")
    write(workspace, "bcplint/__init__.py", "raise SystemExit(97)\n")  # a folder that shares the name
    write(workspace, "shlex.py", "raise SystemExit(98)\n")  # a module the action's launcher imports
    run = run_action(workspace, tmp_path / "runner", after=first_run.installed)
    assert run.code == 1, run.stdout + run.stderr
    assert "::error file=plan/bcp/services/shop.yaml" in run.stdout


def test_action_without_a_usable_python_says_what_to_add(tmp_path: Path) -> None:
    workspace = plan_repository(tmp_path / "workspace")
    run = run_action(workspace, tmp_path / "runner", {"python": "no-such-python3"})
    assert (run.code, run.ran) == (2, ["install"])
    assert "::error title=bcplint::The python input names no interpreter on this runner" in run.stdout
    assert "actions/setup-python" in run.stdout
    assert run.outputs == {"sarif-file": "", "exit-code": ""}


# --- the GitLab component, run as a GitLab runner runs its job ------------------------------------------

INPUT = re.compile(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]")


def interpolate(node: Any, inputs: dict[str, Any]) -> Any:
    """GitLab's input interpolation on the loaded jobs document: an input that is a whole value
    keeps its type; one inside a longer string becomes text. Keys are interpolated too."""
    if isinstance(node, dict):
        return {interpolate(key, inputs): interpolate(value, inputs) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, inputs) for item in node]
    if isinstance(node, str):
        if whole := INPUT.fullmatch(node.strip()):
            return inputs[whole[1]]
        return INPUT.sub(lambda match: str(inputs[match[1]]), node)
    return node


def gitlab_job(given: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    spec, jobs = component_documents()
    declared = spec["spec"]["inputs"]
    assert set(given) <= set(declared)
    inputs = {name: given.get(name, value["default"]) for name, value in declared.items()}
    [(name, job)] = interpolate(jobs, inputs).items()
    return name, job


def run_gitlab_job(job: dict[str, Any], project: Path, temp: Path, items: slice = slice(None)) -> Run:
    """The job's script (``items`` of it) run by ``sh -e`` in the project directory, with the
    job's variables (as strings, as GitLab passes them) and GitLab's predefined ones."""
    variables = {name: str(value) for name, value in job["variables"].items()}
    env = clean_environment(
        CI="true", GITLAB_CI="true", CI_PROJECT_DIR=str(project), CI_JOB_ID="4242", TMPDIR=str(temp), **variables
    )
    script = temp / "job.sh"
    script.write_text("\n".join([*job["before_script"], *job["script"][items]]), encoding="utf-8")
    process = subprocess.run(
        ["sh", "-e", str(script)], cwd=project, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    return Run(process.returncode, process.stdout, process.stderr)


@pytest.fixture(scope="module")
def gitlab_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Run]:
    """The component's job, installing this checkout (the requirement input takes any pip
    requirement), run once on the broken plan with its other inputs at their defaults."""
    _installable_checkout()
    base = tmp_path_factory.mktemp("gitlab")
    project = plan_repository(base / "project")
    temp = base / "tmp"
    temp.mkdir()
    name, job = gitlab_job({"requirement": str(REPO_ROOT)})
    assert name == "bcplint"
    assert job["variables"]["GIT_DEPTH"] == 0
    return project, temp, run_gitlab_job(job, project, temp)


@pytest.mark.slow
def test_component_job_writes_code_quality_and_junit(gitlab_project: tuple[Path, Path, Run]) -> None:
    project, _, run = gitlab_project
    assert run.code == 1, run.out + run.err
    assert "1 error, 1 warning in 3 documents across 3 files." in run.out
    _, job = gitlab_job({})
    reports = job["artifacts"]["reports"]
    raw = (project / reports["codequality"]).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "GitLab's parser refuses a byte order mark"
    quality = json.loads(raw)
    assert list(jsonschema.Draft202012Validator(CODE_QUALITY_SCHEMA).iter_errors(quality)) == []
    table = documented_severities()
    assert [(i["check_name"], i["severity"], i["location"]["path"]) for i in quality] == [
        ("BCP103 contact-reachable", table["warning"], "plan/bcp/contacts.yaml"),
        ("BCP101 owner-assigned", table["error"], "plan/bcp/services/shop.yaml"),
    ]
    junit = junitparser.JUnitXml.fromfile(str(project / reports["junit"]))
    failures = [
        r.message for suite in junit for case in suite for r in case.result if isinstance(r, junitparser.Failure)
    ]
    assert any("Service 'shop' has no owner" in (message or "") for message in failures), failures
    assert sorted(job["artifacts"]["paths"]) == sorted(reports.values())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("inputs", "code"),
    [
        ({"fail-on": "never"}, 0),
        ({"fail-on": "warning", "args": "--ignore BCP101"}, 1),
        ({"args": "--ignore BCP101"}, 0),
        ({"paths": "plan/bcp/contacts.yaml"}, 0),  # the error is in another file
        ({"paths": "plan; touch pwned", "args": "$(touch pwned-too)"}, 2),
        ({"args": "'unclosed"}, 2),
    ],
)
def test_component_job_honours_its_inputs(
    gitlab_project: tuple[Path, Path, Run], tmp_path: Path, inputs: dict[str, str], code: int
) -> None:
    _, temp, _ = gitlab_project  # the virtual environment the first job's install made is there
    project = plan_repository(tmp_path / "project")
    _, job = gitlab_job(inputs)
    run = run_gitlab_job(job, project, temp, slice(1, None))  # the script after the install
    assert run.code == code, run.out + run.err
    assert not list(project.rglob("pwned*")), "an input ran as a command"
    if "'unclosed" in inputs.get("args", ""):
        assert "bcplint: error: the args input cannot be split into words (No closing quotation)" in run.err
    elif code != 2:
        assert (project / "bcplint-codequality.json").is_file()


def test_component_job_prefix_names_the_job() -> None:
    name, job = gitlab_job({"job-prefix": "payments-", "stage": "lint"})
    assert (name, job["stage"]) == ("payments-bcplint", "lint")
