"""SEC: the security baseline's scanners, each on the files it understands.

    ml-platform security scan      SEC001-SEC006, SEC010, SEC011: offline, seconds (tox -e security)
    ml-platform security posture   SEC007: checkov --skip-download, heavy (tox -e posture)
    ml-platform security audit [--ignore-vuln ID ...]
                                   SEC008: pip-audit --strict, needs the internet (tox -e audit)
    ml-platform security sbom --bom PATH [--output PATH]
                                   SEC009: checks the SBOM cyclonedx-py wrote and keeps it
                                   (tox -e sbom; default output reports/sbom.cdx.json)

The external scanners are the project's pinned ones, found on ``PATH`` (the tox
environment's). Each runs as a fixed argument list, never a shell string, and its own output
(file, line, rule) streams to stderr as it runs. Its lines are then read back into findings,
one per problem, each on the file the scanner names, so a finding names the team CODEOWNERS
gives that file (a Dockerfile finding names MLOps, a finding in ``src/`` data science). A
scanner that fails without naming a file (a broken setting) gives one finding on the file
that holds its settings. The convention: docs/security.md.

This module holds the command, its modes and the scanners of SEC001-SEC004, SEC007 and
SEC008 with their output parsers; :mod:`.scanning` runs a scanner, :mod:`.workloads` checks
the rendered objects (SEC005, SEC006), :mod:`.supply_chain` the SBOM, release provenance and
Scorecard (SEC009-SEC011).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from .finding import Outcome
from .project import Project
from .scanning import (
    GITLAB_CI,
    SETTINGS,
    Located,
    NothingToScan,
    by_pattern,
    external,
    failed,
    gitlab_documents,
    project_files,
    say,
    yaml_files,
)
from .supply_chain import SBOM_OUTPUT, keep_sbom, release_provenance, scorecard
from .workloads import RENDERED_MANIFESTS, kubernetes_validate, workload_security

# Python code bandit scans (ruff scans every Python file with its S rules). Platform code
# lives in the kit, not in the project, so there is no tools/ to scan.
PYTHON_DIRS = ("src", "scripts")
SECRETS_BASELINE = ".secrets.baseline"
# Schemas vendored byte for byte as published: platform-managed, so UPD005 holds each to the
# template's copy. detect-secrets reads none of them; the KServe schema alone (1.4 MB) cost
# it 14 of a project's 17 s of security scanning.
VENDORED_SCHEMAS = re.compile(r"^(contracts|deploy)/schema/[^/]+\.json$")
# checkov's settings, with the reason for every skip; the platform team reviews them.
CHECKOV_CONFIG = "config/security/checkov.yaml"

# The scanners' settings, shared with the pre-commit hooks of .pre-commit-config.yaml.
# zizmor: the pedantic persona at severity >= medium also reports `permissions: write-all`,
# which the regular persona leaves out; --offline: no GitHub API calls.
ZIZMOR = ["zizmor", "--offline", "--persona", "pedantic", "--min-severity", "medium"]
# --no-verify: never send a candidate secret to its provider to check it.
DETECT_SECRETS = ["detect-secrets-hook", "--no-verify", "--baseline", SECRETS_BASELINE]
BANDIT = ["bandit", "-c", "pyproject.toml", "-q"]
HADOLINT = ["hadolint", "--no-color"]
RUFF = ["ruff", "check", "--select", "S", "--output-format", "concise", "--no-cache"]
CHECKOV = ["checkov", "--skip-download", "--config-file", CHECKOV_CONFIG, "--compact"]
# Resolves the dependencies declared in pyproject.toml and looks each one up in the
# vulnerability database: needs the internet; --strict fails if any cannot be audited.
PIP_AUDIT = ["pip-audit", "--strict", "--progress-spinner", "off"]


@dataclass(frozen=True)
class Scanner:
    """One scanner: its check ID, what it covers, the mode it runs in, how it runs."""

    code: str
    title: str
    mode: str  # scan, posture or audit
    run: Callable[[Project], Outcome]


# --- reading the scanners' output ---------------------------------------------------------------

# `path:line:col: RULE message`: ruff's concise format and the template bandit is given.
_PATH_LINE_RULE = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+):(?:\d+:)? (?P<rule>[A-Z]+\d+) (?P<message>.*)$"
)
# hadolint's default: `Dockerfile:1 DL3007 warning: message`.
_HADOLINT = re.compile(
    r"^(?P<path>[^\s:][^:]*):(?P<line>\d+) (?P<rule>(?:DL|SC)\d+) (?P<message>.*)$"
)
# zizmor's plain format: `error[unpinned-uses]: message`, then `--> path:line:col`.
_ZIZMOR_HEAD = re.compile(r"^(?P<level>[a-z]+)\[(?P<rule>[a-z0-9-]+)\]: (?P<message>.*)$")
_ZIZMOR_AT = re.compile(r"^\s*--> (?P<path>[^:]+):(?P<line>\d+)(?::\d+)?\s*$")
_CHECKOV_CHECK = re.compile(r'^Check: (?P<id>[A-Z0-9_]+): "(?P<title>.*)"\s*$')
_CHECKOV_FAILED = re.compile(r"^\s*FAILED for resource: (?P<resource>.+)$")
_CHECKOV_FILE = re.compile(r"^\s*File: (?P<path>.+):(?P<start>\d+)-\d+\s*$")


parse_ruff = by_pattern(_PATH_LINE_RULE, "ruff")
parse_bandit = by_pattern(_PATH_LINE_RULE, "bandit")
parse_hadolint = by_pattern(_HADOLINT, "hadolint")


def parse_detect_secrets(lines: Sequence[str]) -> list[Located]:
    """detect-secrets-hook: a `Secret Type:` line, then the `Location:` it was found at."""
    found: list[Located] = []
    kind = "a secret"
    for line in lines:
        name, _, value = line.partition(":")
        if name == "Secret Type":
            kind = value.strip()
        elif name == "Location":
            found.append((value.strip(), f"a potential secret: {kind} (detect-secrets)"))
    return found


def parse_zizmor(lines: Sequence[str]) -> list[Located]:
    found: list[Located] = []
    head: re.Match[str] | None = None
    for line in lines:
        if match := _ZIZMOR_HEAD.match(line):
            head = match
        elif head and (at := _ZIZMOR_AT.match(line)):
            problem = f"[{head['rule']}] {head['message']} (zizmor, {head['level']})"
            found.append((f"{at['path']}:{at['line']}", problem))
            head = None
    return found


def parse_checkov(lines: Sequence[str]) -> list[Located]:
    """checkov --compact: `Check: ID: "title"`, `FAILED for resource: R`, `File: /path:a-b`."""
    found: list[Located] = []
    check: re.Match[str] | None = None
    resource = ""
    for line in lines:
        if match := _CHECKOV_CHECK.match(line):
            check, resource = match, ""
        elif check and (failed := _CHECKOV_FAILED.match(line)):
            resource = failed["resource"]
        elif check and resource and (file := _CHECKOV_FILE.match(line)):
            problem = f"{check['id']} {check['title']} (checkov, resource {resource})"
            # `/deploy/x.yaml` for a Kubernetes file: the project's path with a slash in front.
            found.append((f"{file['path'].lstrip('/')}:{file['start']}", problem))
            check = None
    return found


_PIP_AUDIT_ROW = re.compile(
    r"^(?P<name>[A-Za-z0-9][\w.-]*) +(?P<version>\d\S*) +(?P<id>\S+)(?P<fix>.*)$"
)


def parse_pip_audit(lines: Sequence[str]) -> list[Located]:
    """pip-audit's columns (`Name Version ID Fix Versions`) and the dependencies `--strict`
    refuses because they could not be audited; every one is declared in pyproject.toml."""
    found: list[Located] = []
    in_table = False
    for line in lines:
        if "could not be audited:" in line:
            what = line.rsplit("could not be audited:", 1)[1].strip()
            found.append((SETTINGS, f"{what}: could not be audited (pip-audit --strict)"))
        elif line.split()[:3] == ["Name", "Version", "ID"]:
            in_table = True
        elif in_table and (row := _PIP_AUDIT_ROW.match(line)):
            fixes = row["fix"].split()
            fix = f"fix: {', '.join(fixes)}" if fixes else "no fixed version yet"
            problem = f"{row['name']} {row['version']}: {row['id']} ({fix}; pip-audit)"
            found.append((SETTINGS, problem))
        elif not set(line) <= {"-", " "}:  # the rule under the header keeps the table open
            in_table = False
    return found


# --- SEC001 python code -------------------------------------------------------------------------


def ruff_security(project: Project) -> Outcome:
    return external(project, "SEC001", [*RUFF, "."], [], parse_ruff)


def bandit(project: Project) -> Outcome:
    targets = [name for name in PYTHON_DIRS if (project.root / name).is_dir()]
    if not targets:
        raise NothingToScan(f"no Python code in {', '.join(PYTHON_DIRS)}")
    template = (
        "{relpath}:{line}:{col}: {test_id} {msg} [severity {severity}, confidence {confidence}]"
    )
    command = [*BANDIT, "--format", "custom", "--msg-template", template, "-r", *targets]
    return external(project, "SEC001", command, [], parse_bandit)


# --- SEC002 secrets -----------------------------------------------------------------------------


def detect_secrets(project: Project) -> Outcome:
    if not (project.root / SECRETS_BASELINE).is_file():
        problem = (
            "missing; restore it from the template (`copier update`) so reviewed false "
            "positives stay recorded"
        )
        return failed(project, "SEC002", [(SECRETS_BASELINE, problem)])
    files = [
        name
        for name in project_files(project)
        if name != SECRETS_BASELINE and not VENDORED_SCHEMAS.match(name)
    ]
    return external(project, "SEC002", DETECT_SECRETS, files, parse_detect_secrets)


# --- SEC003 CI files ----------------------------------------------------------------------------


def zizmor(project: Project) -> Outcome:
    if not yaml_files(project, ".github"):
        raise NothingToScan("no GitHub Actions files in .github/")
    command = [*ZIZMOR, "--color", "never", "--no-progress", ".github"]
    return external(project, "SEC003", command, [], parse_zizmor)


def _image_is_pinned(image: str) -> bool:
    """`name:tag` (not `latest`) or `name@sha256:...`; a registry port is not a tag."""
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


def _gitlab_images(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """(where, image) for every `image:` in a GitLab CI document, in either of its forms."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image":
                image = value.get("name") if isinstance(value, dict) else value
                if isinstance(image, str):
                    yield f"{where}.image" if where else "image", image
            else:
                yield from _gitlab_images(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _gitlab_images(item, f"{where}[{index}]")


def gitlab_ci(project: Project) -> Outcome:
    documents = gitlab_documents(project)
    if documents == "missing":
        raise NothingToScan(f"no {GITLAB_CI}")
    if isinstance(documents, str):
        return failed(project, "SEC003", [(GITLAB_CI, documents)])
    unpinned = [
        (
            GITLAB_CI,
            f"{where}: image `{image}` is not pinned to a version tag or digest"
            " (rule: pinned-image; `latest` and untagged images change under you)",
        )
        for document in documents
        for where, image in _gitlab_images(document, "")
        if "$" not in image and not _image_is_pinned(image)
    ]
    return failed(project, "SEC003", unpinned)


# --- SEC004 Dockerfile --------------------------------------------------------------------------


def _dockerfiles(project: Project) -> list[str]:
    return [
        name
        for name in project_files(project)
        if (base := Path(name).name) == "Dockerfile"
        or base.startswith("Dockerfile.")
        or base.endswith(".Dockerfile")
    ]


def hadolint(project: Project) -> Outcome:
    files = _dockerfiles(project)
    if not files:
        raise NothingToScan("no Dockerfile")
    return external(project, "SEC004", HADOLINT, files, parse_hadolint)


def _final_user(text: str) -> str | None:
    """The user the final build stage runs as (the last USER after the last FROM), if set."""
    user = None
    for raw in re.sub(r"\\\n", " ", text).splitlines():
        words = raw.strip().split()
        if not words or words[0].startswith("#"):
            continue
        instruction = words[0].upper()
        if instruction == "FROM":
            user = None
        elif instruction == "USER" and len(words) > 1:
            user = words[1].split(":", 1)[0]
    return user


def image_user(project: Project) -> Outcome:
    files = _dockerfiles(project)
    if not files:
        raise NothingToScan("no Dockerfile")
    found: list[Located] = []
    for name in files:
        user = _final_user((project.root / name).read_text(encoding="utf-8"))
        if user is None:
            problem = (
                "the final stage sets no USER, so the image runs as root"
                " (rule: non-root-user; add `USER <uid>` with a non-zero uid)"
            )
            found.append((name, problem))
        elif user in ("root", "0"):
            found.append((name, f"the final stage runs as `USER {user}` (rule: non-root-user)"))
    return failed(project, "SEC004", found)


# --- SEC007 posture, SEC008 dependency audit ----------------------------------------------------


def checkov(project: Project) -> Outcome:
    frameworks: set[str] = set()
    files: list[str] = []
    gitlab = [GITLAB_CI] if (project.root / GITLAB_CI).is_file() else []
    for framework, found in (
        ("kubernetes", yaml_files(project, RENDERED_MANIFESTS)),
        ("dockerfile", _dockerfiles(project)),
        ("github_actions", yaml_files(project, ".github/workflows")),
        ("gitlab_ci", gitlab),
    ):
        if found:
            frameworks.add(framework)
            files.extend(found)
    if not files:
        raise NothingToScan("no manifests, Dockerfile or CI files to scan")
    command = [*CHECKOV, "--framework", *sorted(frameworks)]
    # checkov takes one `-f` per file; each file is its own argument.
    arguments = [arg for name in files for arg in ("-f", name)]
    return external(project, "SEC007", command, arguments, parse_checkov, CHECKOV_CONFIG)


def pip_audit(project: Project, ignored: Sequence[str] = ()) -> Outcome:
    """SEC008; `ignored`: advisories waived where the audit's command is written (tox.toml,
    which the platform team reviews), each with its reason beside it."""
    waivers = [argument for advisory in ignored for argument in ("--ignore-vuln", advisory)]
    return external(project, "SEC008", [*PIP_AUDIT, *waivers, "."], [], parse_pip_audit)


SCANNERS = (
    Scanner("SEC001", "python code: ruff S rules", "scan", ruff_security),
    Scanner("SEC001", "python code: bandit", "scan", bandit),
    Scanner("SEC002", "secrets: detect-secrets", "scan", detect_secrets),
    Scanner("SEC003", "CI workflows: zizmor (GitHub Actions)", "scan", zizmor),
    Scanner("SEC003", "CI workflows: pinned images (GitLab CI)", "scan", gitlab_ci),
    Scanner("SEC004", "Dockerfile: hadolint", "scan", hadolint),
    Scanner("SEC004", "Dockerfile: non-root user", "scan", image_user),
    Scanner("SEC005", "manifest schema: kubernetes-validate --strict", "scan", kubernetes_validate),
    Scanner("SEC006", "workload security baseline", "scan", workload_security),
    Scanner("SEC010", "supply chain: release provenance", "scan", release_provenance),
    Scanner("SEC011", "supply chain: OpenSSF Scorecard workflow", "scan", scorecard),
    Scanner("SEC007", "posture: checkov", "posture", checkov),
    Scanner("SEC008", "dependency audit: pip-audit (needs the internet)", "audit", pip_audit),
)
MODES = {
    "scan": "offline scanners, seconds (SEC001-SEC006, SEC010, SEC011)",
    "posture": "checkov --skip-download: heavy, its own CI job (SEC007)",
    "audit": "pip-audit --strict: needs the internet, its own CI job (SEC008)",
}


def run_scanners(project: Project, mode: str, scanners: Sequence[Scanner]) -> Outcome:
    """Run `scanners`: the findings of each, or a line saying it passed or was skipped with
    its notes under it; the count of passed, failed and skipped scanners of `mode` last."""
    outcome = Outcome()
    counts = dict.fromkeys(("passed", "failed", "skipped"), 0)
    for scanner in scanners:
        say(f"\n== {scanner.code} {scanner.title}")
        try:
            result = scanner.run(project)
            status = "failed" if result.findings else "passed"
        except NothingToScan as skip:
            result, status = Outcome(passed=skip.notes), "skipped"
        for note in result.passed:
            say(f"   {note}")
        say(f"== {scanner.code} {scanner.title}: {status}")
        counts[status] += 1
        lines = (f"{scanner.code} {scanner.title}: {status}", *(f"   {n}" for n in result.passed))
        outcome += Outcome(findings=result.findings, passed=() if result.findings else lines)
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    return outcome + Outcome(passed=(f"security {mode}: {summary}",))


# --- the command ---------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    modes = parser.add_subparsers(dest="mode", required=True, metavar="MODE")
    for name, text in MODES.items():
        mode = modes.add_parser(name, help=text, description=text)
        if name == "audit":
            mode.add_argument(
                "--ignore-vuln",
                action="append",
                default=[],
                metavar="ID",
                help="an advisory waived, with its reason beside the command (repeatable)",
            )
    text = "check the CycloneDX SBOM cyclonedx-py wrote and keep it (SEC009)"
    sbom = modes.add_parser("sbom", help=text, description=text)
    sbom.add_argument("--bom", type=Path, required=True, help="the SBOM cyclonedx-py wrote")
    sbom.add_argument(
        "--output", type=Path, default=None, help=f"where to keep it (default: {SBOM_OUTPUT})"
    )


def run(project: Project, options: argparse.Namespace) -> Outcome:
    if options.mode == "sbom":
        return keep_sbom(project, options.bom, options.output or project.root / SBOM_OUTPUT)
    scanners = [scanner for scanner in SCANNERS if scanner.mode == options.mode]
    if options.mode == "audit":
        ignored = partial(pip_audit, ignored=options.ignore_vuln)
        scanners = [replace(scanner, run=ignored) for scanner in scanners]
    return run_scanners(project, options.mode, scanners)
