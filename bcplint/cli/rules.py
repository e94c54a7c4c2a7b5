"""The rule catalog on the command line: `rules`, `explain`, `verify` and `schema`."""

from __future__ import annotations

import datetime as dt
import json

import click

from bcplint.api import today_utc
from bcplint.cli.common import EXIT_FINDINGS, EXIT_OK, emit, format_option, rules_of
from bcplint.engine.verify import rules_without_examples, verify_rules
from bcplint.errors import ConfigError, did_you_mean
from bcplint.load.config import config_json_schema
from bcplint.model import json_schema
from bcplint.packs.model import pack_json_schema
from bcplint.report.rules import Explanation


@click.command("rules")
@click.option("--pack", "packs", multiple=True, help="Only the rules of this pack (repeatable).")
@format_option("rules", "text")
def rules_command(packs: tuple[str, ...], output_format: str) -> int:
    """List the enabled rules with their severity and framework clauses."""
    emit("rules", output_format, rules_of(packs))
    return EXIT_OK


@click.command()
@click.argument("rule")
@click.option("--pack", "packs", multiple=True, help="Look the rule up in this pack (repeatable).")
def explain(rule: str, packs: tuple[str, ...]) -> int:
    """Explain RULE (id or name): why it matters, clauses, examples and the fix."""
    rules = rules_of(packs)
    by_key = {key: r for r in rules for key in (r.id, r.name)}
    found = by_key.get(rule) or by_key.get(rule.upper()) or by_key.get(rule.lower())
    if found is None:
        hint = did_you_mean(rule.upper(), by_key) or did_you_mean(rule.lower(), by_key)
        raise ConfigError(f"unknown rule '{rule}'{hint}; `bcplint rules` lists them")
    results = sorted(verify_rules([found], today_utc(), alongside=rules), key=lambda r: r.expect != "fail")
    examples = [
        ("Fails" if r.expect == "fail" else "Passes", r.text, [m.split(": ", 1)[1] for m in r.messages])
        for r in results
    ]
    emit("explain", "text", Explanation(rule=found, examples=examples))
    return EXIT_OK


@click.command()
@click.argument("packs", nargs=-1)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date for examples that do not set one.")
@click.option("-v", "--verbose", is_flag=True, help="List every example, not only the failures.")
def verify(packs: tuple[str, ...], today: dt.datetime | None, verbose: bool) -> int:
    """Run the example documents of PACKS (default: the configured packs) against their rules."""
    rules = rules_of(packs)
    results = verify_rules(rules, today.date() if today else today_utc())
    for result in results:
        if verbose or not result.ok:
            status = "PASS" if result.ok else "FAIL"
            click.echo(f"{status} {result.name} ({result.rule.origin}): {result.detail}")
    for rule in rules_without_examples(rules):
        click.echo(f"bcplint: note: {rule.id} {rule.name} has no passing and failing examples", err=True)
    failed = sum(1 for r in results if not r.ok)
    click.echo(f"{len(results)} examples: {len(results) - failed} passed, {failed} failed")
    return EXIT_FINDINGS if failed else EXIT_OK


@click.command()
@click.option("--kind", help="Only this kind (Plan, Contact, Service, System, Supplier, Exercise, Waiver).")
@click.option("--pack", "pack_format", is_flag=True, help="The schema of rule pack files instead.")
@click.option(
    "--config", "config_format", is_flag=True, help="The schema of the configuration (.bcplint.yaml) instead."
)
def schema(kind: str | None, pack_format: bool, config_format: bool) -> int:
    """Print the JSON Schema of the bcplint/v1 format (or of rule packs, or of the configuration), for editors."""
    chosen = [
        option for option, given in (("--kind", kind), ("--pack", pack_format), ("--config", config_format)) if given
    ]
    if len(chosen) > 1:
        raise ConfigError(f"{' and '.join(chosen)} cannot be combined: each chooses a different schema")
    if config_format:
        document = config_json_schema()
    elif pack_format:
        document = pack_json_schema()
    else:
        document = json_schema(kind)
    click.echo(json.dumps(document, indent=2, sort_keys=True))
    return EXIT_OK
