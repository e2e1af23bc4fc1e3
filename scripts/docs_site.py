"""MkDocs hook: build the site's generated pages from the template itself, never twice.

- **Conventions**: a default project is rendered (`copier copy --defaults`) into a temporary
  directory; its `docs/*.md` pages, and the project files they link to, become site pages
  under `project/`, so the site shows exactly what a generated project carries. The
  conventions table and the table of every check are read from the platform kit's registry
  (`ml_platform_kit.registry`, `checks.yml`): one row per page that holds checks, one per
  check, linked to the ID's anchor on its page. Any other page of the project's `docs/`
  appears too, without a change here.
- **Reference**: the questions from `copier.yml`, the tox environments from the rendered
  `tox.toml`, the deploy manifest's fields from `template/deploy/schema/*.json` (when the
  template holds such a schema).
- **Ownership picture**: a Mermaid diagram and a table from `copier.yml`'s `ownership` and
  `teams` computed values, put where a page holds the `<!-- ownership-picture -->` marker.

mkdocs.yml names this file under `hooks:`; `tests/docs/` builds the site with `--strict`.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from ml_platform_kit.registry import Check, checks

ROOT = Path(__file__).resolve().parent.parent
# MkDocs puts this directory on sys.path while it loads the hook; an import from a file does not.
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from template_repository import (  # noqa: E402  (scripts/ is on sys.path only now)
    load_copier_config,
    read_answers,
    render_from,
    snapshot_working_tree,
)

PROJECT_PREFIX = "project"  # where the default project's files live in the site
OWNERSHIP_MARKER = "<!-- ownership-picture -->"
SCHEMA_DIR = ROOT / "template" / "deploy" / "schema"
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?\s*\)|href=\"([^\"]+)\"")


# --- the default project ----------------------------------------------------------------------


@dataclass
class Project:
    """What the site needs from a default render, read into memory."""

    files: dict[str, bytes]  # project-relative posix path -> content
    answers: dict[str, Any]

    def text(self, path: str) -> str:
        return self.files[path].decode("utf-8")


def render_default_project() -> Project:
    with tempfile.TemporaryDirectory(prefix="docs-site-") as tmp:
        src = snapshot_working_tree(ROOT, Path(tmp) / "src")
        dst = render_from(src, {}, Path(tmp) / "project")
        files = {
            p.relative_to(dst).as_posix(): p.read_bytes()
            for p in sorted(dst.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(dst).parts
        }
        return Project(files, read_answers(dst))


def linked_files(project: Project, start: list[str]) -> list[str]:
    """`start` and every project file its pages link to, transitively (pages only)."""
    seen: list[str] = []
    todo = list(start)
    while todo:
        path = todo.pop(0)
        if path in seen or path not in project.files:
            continue
        seen.append(path)
        if not path.endswith(".md"):
            continue
        for match in _LINK.finditer(project.text(path)):
            target = (match.group(1) or match.group(2)).split("#")[0]
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
                continue
            resolved = _normalise(PurePosixPath(path).parent / target)
            if resolved is not None:
                todo.append(resolved)
    return seen


def _normalise(path: PurePosixPath) -> str | None:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def project_pages(project: Project) -> list[str]:
    """The generated project's docs pages, as it renders them."""
    return sorted(p for p in project.files if re.fullmatch(r"docs/[^/]+\.md", p))


def page_title(markdown: str, fallback: str) -> str:
    match = re.search(r"^# (.+)$", markdown, re.MULTILINE)
    return match.group(1).strip() if match else fallback


# --- computed values of copier.yml ------------------------------------------------------------


def computed_value(config: dict[str, Any], name: str, answers: dict[str, Any]) -> Any:
    """A hidden computed question's value for `answers` (its Jinja default, rendered)."""
    env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined)  # noqa: S701
    env.filters["to_json"] = json.dumps
    context = dict(answers)
    for key in ("codeowners_path", "teams"):  # the computed values `ownership` builds on
        if key != name and key in config:
            context[key] = _render_value(env, config[key], context)
    return _render_value(env, config[name], context)


def _render_value(env: jinja2.Environment, spec: dict[str, Any], context: dict[str, Any]) -> Any:
    text = env.from_string(str(spec["default"])).render(context)
    return yaml.safe_load(text) if spec.get("type") == "yaml" else text


def ownership_picture(config: dict[str, Any], answers: dict[str, Any]) -> str:
    """Markdown: a Mermaid diagram (directories -> teams) and the same as a table."""
    teams: dict[str, dict[str, str]] = computed_value(config, "teams", answers)
    rows: list[dict[str, str]] = computed_value(config, "ownership", answers)
    lines = ["```mermaid", "flowchart LR"]
    for key, team in teams.items():
        lines.append(f'    {key}(["{team["name"]}<br/>{team["handle"]}"])')
    for number, row in enumerate(rows):
        label = "everything else" if row["path"] == "*" else row["path"]
        lines.append(f'    p{number}["{label}"] --> {row["team"]}')
    lines += ["```", "", "| path | owner | handle |", "|---|---|---|"]
    for row in rows:
        label = "everything else (`*`)" if row["path"] == "*" else f"`{row['path']}`"
        team = teams[row["team"]]
        lines.append(f"| {label} | {team['name']} | `{team['handle']}` |")
    lines += [
        "",
        "Later rows win, as in CODEOWNERS. Rendered from `ownership` and `teams` in `copier.yml`"
        " with the default answers; a project's own handles are in its CODEOWNERS and README.",
    ]
    return "\n".join(lines)


# --- reference pages --------------------------------------------------------------------------


def _questions(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in config.items() if not k.startswith("_") and isinstance(v, dict)}


def validation_messages(validator: str) -> list[str]:
    """The messages a Jinja validator can print, with `{{ name }}` shown as `<name>`."""
    messages = []
    for chunk in re.split(r"\{%-?.*?-?%\}", validator, flags=re.DOTALL):
        text = re.sub(r"\{\{-?\s*(\w+)[^}]*-?\}\}", r"<\1>", chunk)
        text = " ".join(text.split())
        if text:
            messages.append(text)
    return messages


def _choices(spec: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(value, label, validator) per choice, whichever form copier.yml uses."""
    choices = spec.get("choices") or []
    if isinstance(choices, list):
        return [(str(c), str(c), None) for c in choices]
    out = []
    for label, value in choices.items():
        if isinstance(value, dict):
            out.append((str(value["value"]), str(label), value.get("validator")))
        else:
            out.append((str(value), str(label), None))
    return out


def _inline(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return "`" + text.replace("`", "'") + "`" if text else "(empty)"


def _indented_code(text: str) -> list[str]:
    """A Jinja code block nested in a list item."""
    return ["", "    ```jinja", *("    " + line for line in text.splitlines()), "    ```"]


def questions_page(config: dict[str, Any], answers: dict[str, Any]) -> str:
    questions = _questions(config)
    asked = {k: v for k, v in questions.items() if v.get("when") is not False}
    computed = {k: v for k, v in questions.items() if v.get("when") is False}
    lines = [
        "# Questions",
        "",
        "Generated from `copier.yml` when the site is built: every question, its help, its",
        "type, its default (as a default render resolves it) and what its validator refuses.",
        "Pass answers with `--data name=value`; `--defaults` takes every default.",
        "",
        "| question | type | default | choices |",
        "|---|---|---|---|",
    ]
    for name, spec in asked.items():
        choices = ", ".join(_inline(v) for v, _, _ in _choices(spec)) or "free text"
        default = _inline(answers.get(name, spec.get("default")))
        lines.append(f"| [`{name}`](#{name}) | {spec.get('type', 'str')} | {default} | {choices} |")
    for name, spec in asked.items():
        lines += ["", f"## `{name}` {{#{name}}}", "", f"**Asks:** {spec.get('help', '')}", ""]
        lines.append(f"- **type:** {spec.get('type', 'str')}")
        lines.append(f"- **default:** {_inline(answers.get(name, spec.get('default')))}")
        raw_default = str(spec.get("default", ""))
        if "{{" in raw_default or "{%" in raw_default:
            lines.append("- **derived:** the default is computed from earlier answers:")
            lines += _indented_code(raw_default)
        for value, label, choice_validator in _choices(spec):
            lines.append(f"- **choice** {_inline(value)}: {label}")
            for message in validation_messages(choice_validator or ""):
                lines.append(f"    - refused when: {message}")
        messages = validation_messages(str(spec.get("validator", "")))
        if messages:
            lines.append("- **validation:** the validator refuses an answer with:")
            lines += [f"    - {m}" for m in messages]
        else:
            rule = "one of the choices" if "choices" in spec else "none"
            lines.append(f"- **validation:** {rule}")
    lines += [
        "",
        "## Derived values",
        "",
        "Computed once from the answers (`when: false`): never asked, not stored in",
        "`.copier-answers.yml`; templates use these names.",
    ]
    for name, spec in computed.items():
        lines += ["", f"### `{name}` {{#{name}}}", "", f"- **type:** {spec.get('type', 'str')}"]
        if name == "reserved_import_names":
            groups = spec["default"]
            summary = ", ".join(f"{k} ({len(v)} names)" for k, v in groups.items())
            lines.append(f"- **value:** from `includes/reserved-import-names.yml`: {summary}")
            continue
        if name == "platform_checks":
            count = len(spec["default"])
            lines.append(
                f"- **value:** the registry of checks, `src/ml_platform_kit/checks.yml`:"
                f" {count} checks, listed under [Conventions](../conventions.md#every-check)"
            )
            continue
        lines += _indented_code(str(spec["default"]))
    return "\n".join(lines) + "\n"


def tox_page(tox_toml: str) -> str:
    data = tomllib.loads(tox_toml)
    default = data.get("env_list", [])
    lines = [
        "# tox environments",
        "",
        "Generated from the `tox.toml` of a default render. `tox` runs the default list;",
        "`tox -e <env>` runs one environment.",
        "",
        "| environment | in `tox`'s default list | what it checks |",
        "|---|---|---|",
    ]
    for name, env in data.get("env", {}).items():
        listed = "yes" if name in default else "no (run it with `-e`)"
        lines.append(f"| `{name}` | {listed} | {env.get('description', '')} |")
    return "\n".join(lines) + "\n"


def _resolve(schema: dict[str, Any], root: dict[str, Any], seen: frozenset[str]) -> dict[str, Any]:
    """Follow a local `$ref` (`#/$defs/...`), once per path, so cycles end."""
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
        return schema
    target: Any = root
    for part in ref[2:].split("/"):
        target = target.get(part, {}) if isinstance(target, dict) else {}
    merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return _resolve(merged, root, seen | {ref})


def _schema_rows(
    schema: dict[str, Any],
    root: dict[str, Any] | None = None,
    prefix: str = "",
    seen: frozenset[str] = frozenset(),
) -> list[tuple[str, str, bool, str]]:
    """(field path, type, required, description) for every property, depth first."""
    root = schema if root is None else root
    schema = _resolve(schema, root, seen)
    rows = []
    required = set(schema.get("required", []))
    for name, raw in (schema.get("properties") or {}).items():
        ref = raw.get("$ref") if isinstance(raw, dict) else None
        inner = seen | {ref} if isinstance(ref, str) else seen
        prop = _resolve(raw, root, seen)
        path = f"{prefix}{name}"
        kind = prop.get("type", "object" if "properties" in prop else "")
        kind = " or ".join(kind) if isinstance(kind, list) else str(kind)
        detail = " ".join(str(prop.get("description", "")).split())
        if "enum" in prop:
            detail += " One of: " + ", ".join(_inline(v) for v in prop["enum"]) + "."
        if "default" in prop:
            detail += f" Default: {_inline(prop['default'])}."
        rows.append((path, kind, name in required, detail.strip()))
        rows += _schema_rows(prop, root, path + ".", inner)
        items = prop.get("items")
        if isinstance(items, dict):
            rows += _schema_rows(items, root, path + "[].", inner)
    return rows


def manifest_page(schema_dir: Path) -> str:
    lines = ["# Deploy manifest fields", ""]
    schemas = sorted(schema_dir.glob("*.json")) if schema_dir.is_dir() else []
    if not schemas:
        lines += [
            "The template does not carry a deploy manifest schema yet",
            "(`template/deploy/schema/*.json`). When it does, this page lists every field of",
            "`deploy/manifest.yaml` from that schema, at the next build of the site.",
        ]
        return "\n".join(lines) + "\n"
    lines += ["Generated from the JSON Schema the template vendors; the schema is the source."]
    for path in schemas:
        schema = json.loads(path.read_text(encoding="utf-8"))
        title = schema.get("title", path.name)
        lines += ["", f"## {title}", "", f"`deploy/schema/{path.name}`", ""]
        lines += ["| field | type | required | description |", "|---|---|---|---|"]
        for field, kind, required, detail in _schema_rows(schema):
            detail = detail.replace("|", "\\|")
            lines.append(f"| `{field}` | {kind} | {'yes' if required else 'no'} | {detail} |")
    return "\n".join(lines) + "\n"


def convention_pages(registry: list[Check]) -> list[str]:
    """The pages that describe checks, in the registry's order: one per convention."""
    return list(dict.fromkeys(check.page for check in registry))


def _id_link(check: Check) -> str:
    return f"[`{check.id}`]({PROJECT_PREFIX}/{check.page}#{check.id.lower()})"


def conventions_page(config: dict[str, Any], project: Project, registry: list[Check]) -> str:
    """The conventions and every check, from the registry; titles from the rendered pages."""
    teams = computed_value(config, "teams", project.answers)
    lines = [
        "# Conventions",
        "",
        "One home, one check, one owner and one page per convention. The pages in this section",
        "are the pages a generated project carries in its `docs/` (rendered with the default",
        "answers, so handles read `@acme/...`); every failing check links to its row on one of",
        "them. The checks come from the platform kit; this page is generated from its registry",
        "of checks, `src/ml_platform_kit/checks.yml`, as the project's pages and README are.",
        "",
        "| convention | owner | checks | page |",
        "|---|---|---|---|",
    ]
    for page in convention_pages(registry):
        if page not in project.files:
            raise LookupError(f"the registry names {page}, which a default project lacks")
        on_page = [check for check in registry if check.page == page]
        owners = dict.fromkeys(teams[check.owner]["name"] for check in on_page)
        ids = ", ".join(_id_link(check) for check in on_page)
        title = page_title(project.text(page), page)
        link = f"[`{page}`]({PROJECT_PREFIX}/{page})"
        lines.append(f"| {title} | {', '.join(owners)} | {ids} | {link} |")
    others = [p for p in project_pages(project) if p not in convention_pages(registry)]
    if others:
        lines += ["", "Pages of a generated project without check IDs of the platform kit:", ""]
        for page in others:
            lines.append(f"- [{page_title(project.text(page), page)}]({PROJECT_PREFIX}/{page})")
    lines += [
        "",
        "## Every check",
        "",
        "| ID | family | fails when | owner | how to fix it |",
        "|---|---|---|---|---|",
    ]
    for check in registry:
        cells = [_id_link(check), check.family, check.title, teams[check.owner]["name"], check.fix]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


# --- MkDocs events ----------------------------------------------------------------------------

_state: dict[str, Any] = {}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    project = render_default_project()
    copier_config = load_copier_config()
    registry = list(checks().values())
    registered = convention_pages(registry)
    others = [p for p in project_pages(project) if p not in registered]
    pages = linked_files(project, [*registered, *others, "README.md"])
    _state.update(project=project, copier_config=copier_config, pages=pages, registry=registry)

    entries: list[Any] = []
    for path in [*registered, *others]:
        title = page_title(project.text(path), path)
        entries.append({title: f"{PROJECT_PREFIX}/{path}"})
    for section in config.nav or []:
        if isinstance(section, dict) and "Conventions" in section:
            section["Conventions"] = [*section["Conventions"], *entries]
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    project: Project = _state["project"]
    copier_config = _state["copier_config"]
    for path in _state["pages"]:
        uri = f"{PROJECT_PREFIX}/{path}"
        files.append(File.generated(config, uri, content=project.files[path]))
    generated = {
        "conventions.md": conventions_page(copier_config, project, _state["registry"]),
        "reference/questions.md": questions_page(copier_config, project.answers),
        "reference/tox-environments.md": tox_page(project.text("tox.toml")),
        "reference/deploy-manifest.md": manifest_page(SCHEMA_DIR),
    }
    for uri, content in generated.items():
        files.append(File.generated(config, uri, content=content))
    return files


def on_page_markdown(markdown: str, **_: Any) -> str:
    if OWNERSHIP_MARKER in markdown:
        picture = ownership_picture(_state["copier_config"], _state["project"].answers)
        return markdown.replace(OWNERSHIP_MARKER, picture)
    return markdown
