"""Deterministic synthetic organisations for benchmarks: N bcplint documents, one per file.

Usage: python benchmarks/generate.py N OUTDIR [--seed S] [--rich]

Every kind appears (contacts, services, systems, suppliers, exercises, plans) in realistic
proportions, with a dependency DAG (services on systems, systems on lower-numbered systems and
on suppliers), recovery procedures, backups and findings, so each document is a few KB like a
real one. Mostly valid: about 1% of documents carry a gap a rule reports.

``--rich`` writes the same organisation in the fuller format of issue 14, as a real one would
use it: a share of the documents gain objectives per scenario (zone and region targets, an
estimate, a measurement), typed dependencies (a System's data, its recovery tooling, the
Site a Service needs), zones in their hosting, important business services with an impact
tolerance, and a few Systems out of scope; Sites (offices with alternates, one in ten
without) take the place of some exercises, so N stays N. Everything else is byte for byte
what the plain mode writes, and the plain mode is unchanged, so runs before and after the
rules of issue 14 compare like with like on either.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = (
    "restore database replica failover region traffic verify checksum notify customers status page "
    "rotate credentials escalate incident commander confirm backups snapshot rebuild cache warm "
    "queue drain consumers switch dns record smoke test sign off record timeline"
).split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def steps(rng: random.Random, count: int) -> str:
    return "".join(f"    - {sentence(rng, 14)}\n" for _ in range(count))


def contact(i: int, n_contacts: int) -> str:
    deputy = f"contact-{(i + 1) % n_contacts:05d}"
    return (
        f"apiVersion: bcplint/v1\nkind: Contact\nname: contact-{i:05d}\ntitle: Engineer {i}\n"
        f"role: on-call\nemail: contact-{i}@example.com\nphone: '+1-555-{i % 10000:04d}'\ndeputy: {deputy}\n"
    )


def service(rng: random.Random, i: int, systems: int, contacts: int, rich: Rich | None = None) -> str:
    deps = sorted({f"system-{rng.randrange(systems):05d}" for _ in range(3)})
    rto = "8h" if i % 100 else "30m"  # 1% inverted against their systems
    owner = f"contact-{rng.randrange(contacts):05d}"
    criticality = rng.choice(["critical", "high", "medium"])
    extra, entries = rich.service(i, deps) if rich else ("", deps)
    return (
        f"apiVersion: bcplint/v1\nkind: Service\nname: service-{i:05d}\ntitle: Service {i}\n"
        f"owner: {owner}\ncriticality: {criticality}\n"
        f"rto: {rto}\nrpo: 1h\nmtpd: 2d\n{extra}depends_on: [{', '.join(entries)}]\n"
        f"recovery:\n  procedure: docs/runbooks/service-{i}.md\n  steps:\n{steps(rng, 36)}"
    )


def system(rng: random.Random, i: int, suppliers: int, contacts: int, rich: Rich | None = None) -> str:
    deps = sorted({f"system-{rng.randrange(i):05d}" for _ in range(2)}) if i > 10 else []
    deps.append(f"supplier-{rng.randrange(suppliers):05d}")
    extra, hosting = rich.system(i, deps) if rich else ("", "{provider: aws, region: us-east-1}")
    restore = "2026-06-01" if i % 100 else "2024-01-01"
    backups = "".join(
        f"  - name: backup-{b}\n    frequency: 1h\n    retention: 30d\n"
        f"    location: {{provider: aws, region: us-west-{b + 1}}}\n"
        f"    last_restore_test: {{date: {restore}, result: pass, duration: 1h}}\n"
        for b in range(2)
    )
    return (
        f"apiVersion: bcplint/v1\nkind: System\nname: system-{i:05d}\ntitle: System {i}\n"
        f"owner: contact-{rng.randrange(contacts):05d}\ncriticality: {rng.choice(['critical', 'high', 'low'])}\n"
        f"rto: 4h\nrpo: 1h\n{extra}hosting: {hosting}\n"
        f"depends_on: [{', '.join(deps)}]\nbackups:\n{backups}"
        f"failover:\n  strategy: warm-standby\n  target: {{provider: aws, region: us-west-2}}\n"
        f"# Operational notes kept next to the system description.\n"
        + "".join(f"# {sentence(rng, 16)}\n" for _ in range(36))
    )


def supplier(rng: random.Random, i: int, contacts: int) -> str:
    return (
        f"apiVersion: bcplint/v1\nkind: Supplier\nname: supplier-{i:05d}\ntitle: Supplier {i}\n"
        f"owner: contact-{rng.randrange(contacts):05d}\ncriticality: high\nprovides: [hosting, support]\n"
        f"sla: 99.9% monthly\nrto: 2h\ncontingency:\n  alternative: {sentence(rng, 6)}\n"
        f"  plan: docs/exit/supplier-{i}.md\n  last_tested: 2026-05-01\n"
    )


def exercise(rng: random.Random, i: int, services: int, contacts: int) -> str:
    scope = sorted({f"service-{rng.randrange(services):05d}" for _ in range(3)})
    findings = "".join(
        f"  - id: F{f}\n    description: {sentence(rng, 20)}\n    action: {sentence(rng, 12)}\n"
        f"    owner: contact-{rng.randrange(contacts):05d}\n    due: 2026-12-15\n    status: open\n"
        for f in range(3)
    )
    return (
        f"apiVersion: bcplint/v1\nkind: Exercise\nname: exercise-{i:05d}\ntype: technical-drill\n"
        f"date: 2026-0{1 + i % 9}-15\nscope: [{', '.join(scope)}]\n"
        f"scenarios:\n" + "".join(f"  - {sentence(rng, 18)}\n" for _ in range(24))
        + f"result: partial\nfindings:\n{findings}"
    )


def plan(rng: random.Random, i: int, services: int, contacts: int) -> str:
    covers = sorted({f"service-{rng.randrange(services):05d}" for _ in range(10)})
    owner = f"contact-{rng.randrange(contacts):05d}"
    return (
        f"apiVersion: bcplint/v1\nkind: Plan\nname: plan-{i:05d}\ntitle: Continuity plan {i}\nowner: {owner}\n"
        f"version: '3.{i}'\nscope: >\n  {sentence(rng, 40)}\ncovers: [{', '.join(covers)}]\n"
        f"approved: {{by: {owner}, 'on': 2026-02-01}}\nreviewed: {{by: {owner}, 'on': 2026-09-01}}\n"
        f"activation:\n  criteria: {sentence(rng, 20)}\n  authority: {owner}\n"
        "communication:\n  internal:\n"
        "    - {name: chat, type: chat, provider: slack, priority: primary}\n"
        "    - {name: bridge, type: phone, provider: carrier, priority: secondary}\n"
        "  external:\n    - {name: status, type: status-page, provider: vendor, hosting: {provider: vendor}}\n"
        f"roles:\n  - {{role: coordinator, contact: {owner}}}\n"
    )


class Rich:
    """What ``--rich`` adds, drawn from a generator of its own so that the plain documents
    stay as they are: objectives per scenario, typed dependencies, zones, Sites, tolerances."""

    def __init__(self, seed: int, sites: int) -> None:
        self.rng = random.Random(seed + 14)
        self.sites = sites

    def service(self, i: int, deps: list[str]) -> tuple[str, list[str]]:
        """Lines to add before ``depends_on``, and its entries (some typed, some a Site)."""
        rng, extra, entries = self.rng, "", list(deps)
        if i % 4 == 0:  # zone and region targets, an estimate and a measurement
            extra += (
                "objectives:\n  - {scenario: zone, rto: 6h, rpo: 1h}\n  - {scenario: region, rto: 12h, rpo: 1h}\n"
                f"  - {{scenario: region, rto: {'10h' if i % 200 else '14h'}, status: estimate}}\n"
                "  - {scenario: zone, rto: 5h, status: measured}\n"
            )
        if i % 10 == 0:  # an important business service with its tolerance
            extra += "important: true\nimpact_tolerance: {max_duration: 1d, max_data_loss: 2h}\n"
        if i % 3 == 0:  # where its data lives
            entries[0] = f"{{name: {deps[0]}, type: data}}"
        if i % 5 == 0 and self.sites:  # the office its people work from
            entries.append(f"site-{rng.randrange(self.sites):05d}")
        return extra, entries

    def system(self, i: int, deps: list[str]) -> tuple[str, str]:
        """Lines to add before ``hosting``, and the hosting (with zones); ``deps`` typed in place."""
        extra = ""
        if i % 5 == 0:
            extra += "objectives:\n  - {scenario: zone, rto: 4h, rpo: 1h}\n"
            extra += "  - {scenario: zone, rto: 3h, status: measured}\n"
        if i % 200 == 7:
            extra += "out_of_scope: {reason: A read-only archive nobody needs during a disruption}\n"
        if i % 7 == 0 and len(deps) > 1:  # recovery tooling bounds the RTO, not the RPO
            deps[0] = f"{{name: {deps[0]}, type: recovery}}"
        zones = "zone: us-east-1a" if i % 25 == 0 else "zones: [us-east-1a, us-east-1b]"
        return extra, f"{{provider: aws, region: us-east-1, {zones}}}"

    def site(self, i: int, contacts: int) -> str:
        rng = self.rng
        alternate = "" if i % 10 == 0 else f"alternate: site-{(i + 1) % self.sites:05d}\n"
        return (
            f"apiVersion: bcplint/v1\nkind: Site\nname: site-{i:05d}\ntitle: Office {i}\ntype: office\n"
            f"location: City {i}, Street {rng.randrange(100)}\ncapacity: {rng.randrange(20, 400)}\n"
            f"owner: contact-{rng.randrange(contacts):05d}\n{alternate}"
        )


def generate(n: int, out: Path, seed: int = 22301, *, rich: bool = False) -> int:
    """Write ``n`` documents under ``out`` (``rich``: in the fuller format, see the module
    docstring); return the total size in bytes."""
    rng = random.Random(seed)
    counts = {
        "contact": max(1, n // 10),
        "supplier": max(1, n // 20),
        "system": max(1, n * 2 // 5),
        "service": max(1, n // 5),
        "plan": max(1, n // 100),
    }
    counts["exercise"] = max(0, n - sum(counts.values()))
    if rich:
        counts["site"] = min(counts["exercise"], n // 200)
        counts["exercise"] -= counts["site"]
    extras = Rich(seed, counts.get("site", 0)) if rich else None
    total = 0
    writers = {
        "contact": lambda i: contact(i, counts["contact"]),
        "supplier": lambda i: supplier(rng, i, counts["contact"]),
        "system": lambda i: system(rng, i, counts["supplier"], counts["contact"], extras),
        "service": lambda i: service(rng, i, counts["system"], counts["contact"], extras),
        "exercise": lambda i: exercise(rng, i, counts["service"], counts["contact"]),
        "plan": lambda i: plan(rng, i, counts["service"], counts["contact"]),
    }
    if extras is not None:
        writers["site"] = lambda i: extras.site(i, counts["contact"])
    for kind, count in counts.items():
        folder = out / f"{kind}s"
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            text = writers[kind](i)
            (folder / f"{kind}-{i:05d}.yaml").write_text(text, encoding="utf-8")
            total += len(text.encode("utf-8"))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=22301)
    parser.add_argument("--rich", action="store_true", help="use the format of issue 14 (see above)")
    args = parser.parse_args()
    size = generate(args.n, args.out, args.seed, rich=args.rich)
    print(f"{args.n} documents, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
