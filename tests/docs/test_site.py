"""The documentation site builds with `mkdocs build --strict`, offline, from the template.

One build per module. Its generated pages must cover every question of copier.yml, every
tox environment of a default render and every docs page a generated project carries; a
planted broken link must fail the strict build.
"""

from __future__ import annotations

import json
import logging
import re
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from ml_platform_kit.registry import checks
from tests.docs.support import load_hook
from tests.support import (
    COPIER_CONFIG,
    DEFAULT_COMBO,
    TEMPLATE_ROOT,
    tail,
)

BUILD_SECONDS_LIMIT = 20


@dataclass(frozen=True)
class Build:
    returncode: int
    output: str
    seconds: float
    site: Path

    def page(self, uri: str) -> str:
        """The HTML of a page by its source path, e.g. `reference/questions.md`."""
        html = self.site / uri.removesuffix(".md") / "index.html"
        if uri == "index.md":
            html = self.site / "index.html"
        assert html.is_file(), f"{uri} was not built ({html.relative_to(self.site)} missing)"
        return html.read_text(encoding="utf-8")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def build_site(config: Path, site: Path) -> Build:
    """`mkdocs build --strict`, in this process (one import of MkDocs and the theme)."""
    started = time.monotonic()
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    returncode = 0
    try:
        build(load_config(str(config), site_dir=str(site), strict=True))
    except Abort as aborted:
        collect.lines.append(f"Aborted: {aborted}")
        returncode = 1
    finally:
        logger.removeHandler(collect)
    return Build(returncode, "\n".join(collect.lines), time.monotonic() - started, site)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = build_site(TEMPLATE_ROOT / "mkdocs.yml", tmp_path_factory.mktemp("site") / "site")
    assert build.returncode == 0, f"mkdocs build --strict failed:\n{tail(build.output)}"
    return build


def test_site_builds_strict_without_warnings_in_time(built: Build) -> None:
    warnings = [line for line in built.output.splitlines() if "WARNING" in line]
    assert not warnings, "\n".join(warnings)
    assert built.seconds < BUILD_SECONDS_LIMIT, f"the build took {built.seconds:.1f}s"


def test_every_question_has_its_entry_in_the_reference(built: Build) -> None:
    html = built.page("reference/questions.md")
    questions = [name for name in COPIER_CONFIG if not name.startswith("_")]
    missing = [name for name in questions if f'id="{name}"' not in html]
    assert not missing, f"questions without an entry on reference/questions: {missing}"
    for name, spec in COPIER_CONFIG.items():
        if isinstance(spec, dict) and spec.get("when") is not False and "help" in spec:
            help_text = spec["help"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert help_text.split("(")[0].strip() in html, f"{name}: help text missing"


def test_a_validator_message_is_on_the_reference_page(built: Build) -> None:
    html = built.page("reference/questions.md")
    assert "must be kebab-case" in html, "project_slug's validator message is missing"
    assert "KServe serves online requests only" in html, "a choice's validator is missing"


def test_every_tox_environment_of_a_default_render_is_listed(rendered, built: Build) -> None:
    tox = tomllib.loads((rendered(DEFAULT_COMBO) / "tox.toml").read_text(encoding="utf-8"))
    html = built.page("reference/tox-environments.md")
    assert tox["env"], "the rendered tox.toml defines environments"
    missing = [name for name in tox["env"] if f"<code>{name}</code>" not in html]
    assert not missing, f"tox environments missing from the reference: {missing}"
    for name, env in tox["env"].items():
        assert env["description"].split(":")[0] in html, f"{name}: description missing"


def test_every_docs_page_of_a_generated_project_is_a_site_page(rendered, built: Build) -> None:
    pages = sorted((rendered(DEFAULT_COMBO) / "docs").glob("*.md"))
    assert len(pages) >= 4, [p.name for p in pages]
    for page in pages:
        html = built.page(f"project/docs/{page.name}")
        heading = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), re.MULTILINE)
        assert heading, f"{page.name} has no title"
        assert heading.group(1).replace("`", "") in re.sub(r"<[^>]+>", "", html)


def test_conventions_overview_is_the_registry(rendered, built: Build) -> None:
    """One row per page the registry names, linked; every check linked to its own anchor,
    which the built project page has; the pages without checks listed too."""
    html = built.page("conventions.md")
    registry = list(checks().values())
    for page in dict.fromkeys(check.page for check in registry):
        assert f'href="../project/{page.removesuffix(".md")}/"' in html, f"{page} not linked"
    for check in registry:
        page = check.page.removesuffix(".md")
        assert f'href="../project/{page}/#{check.id.lower()}"' in html, f"{check.id} not linked"
        assert f'id="{check.id.lower()}"' in built.page(f"project/{check.page}"), check.id
    others = sorted(
        f"docs/{path.name}"
        for path in (rendered(DEFAULT_COMBO) / "docs").glob("*.md")
        if f"docs/{path.name}" not in {check.page for check in registry}
    )
    assert others, "a project has pages without check IDs (code quality, the model card)"
    for page in others:
        assert f'href="../project/{page.removesuffix(".md")}/"' in html, f"{page} not listed"


# A row of the ownership picture's table: `| `/src/` | Data science | `@acme/data-science` |`.
_PICTURE_ROW = re.compile(
    r"<tr>\s*<td>.*?<code>([^<]+)</code>.*?</td>\s*<td>[^<]*</td>\s*<td><code>(@[^<]+)</code></td>"
    r"\s*</tr>",
    re.DOTALL,
)


def codeowners_rules(project: Path) -> list[tuple[str, str]]:
    """(pattern, handle) per rule of a rendered project's CODEOWNERS, in order."""
    path = next(p for p in (project / ".github/CODEOWNERS", project / "CODEOWNERS") if p.is_file())
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pattern, handle = line.split()
            rules.append((pattern, handle))
    return rules


def test_ownership_picture_is_the_rendered_codeowners(rendered, built: Build) -> None:
    """The picture (drawn by the hook from copier.yml) says what a default project's CODEOWNERS
    enforces: the same rules, in the same order, with the same handles."""
    html = built.page("getting-started.md")
    assert '<pre class="mermaid">' in html, "the ownership diagram is a Mermaid fence"
    assert "flowchart LR" in html
    rules = codeowners_rules(rendered(DEFAULT_COMBO))
    assert len(rules) > 10, rules
    assert _PICTURE_ROW.findall(html) == rules
    diagram = html.split('<pre class="mermaid">', 1)[1].split("</pre>", 1)[0]
    for _, handle in rules:
        assert handle in diagram, f"{handle} is not in the diagram"


def test_manifest_reference_says_so_when_the_template_has_no_schema(tmp_path: Path) -> None:
    page = load_hook().manifest_page(tmp_path / "absent")
    assert "does not carry a deploy manifest schema yet" in page


def test_manifest_reference_lists_every_schema_field(tmp_path: Path) -> None:
    schema = {
        "title": "Deploy manifest",
        "type": "object",
        "required": ["name", "resources"],
        "properties": {
            "name": {"type": "string", "description": "The service name."},
            "replicas": {"type": "integer", "default": 2},
            "resources": {
                "type": "object",
                "properties": {"cpu": {"type": "string", "enum": ["500m", "1"]}},
            },
            "ports": {"type": "array", "items": {"properties": {"port": {"type": "integer"}}}},
            "probe": {"$ref": "#/$defs/probe"},
        },
        "$defs": {"probe": {"type": "object", "properties": {"path": {"type": "string"}}}},
    }
    (tmp_path / "manifest.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    page = load_hook().manifest_page(tmp_path)
    for row in (
        "| `name` | string | yes | The service name. |",
        "| `replicas` | integer | no | Default: `2`. |",
        "| `resources` | object | yes |",
        "| `resources.cpu` | string | no | One of: `500m`, `1`. |",
        "| `ports[].port` | integer | no |",
        "| `probe.path` | string | no |",
    ):
        assert row in page, f"missing row {row!r} in:\n{page}"


def test_a_planted_broken_anchor_fails_the_strict_build(tmp_path: Path) -> None:
    """The site's own settings (validation, extensions) on two pages, one linking wrongly."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [DC999](other.md#dc999).\n", "utf-8")
    (docs / "other.md").write_text('# Other\n\n<a id="dc005"></a>`DC005`\n', "utf-8")
    settings = (TEMPLATE_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    hook = "hooks:\n  - scripts/docs_site.py\n"
    assert hook in settings, "mkdocs.yml names the hook"
    assert settings.rstrip().splitlines()[-1].startswith("  - "), "nav ends mkdocs.yml"
    settings = settings.replace(hook, "").split("\nnav:\n")[0] + "\n"
    planted = tmp_path / "mkdocs.yml"
    planted.write_text(settings.replace("docs_dir: docs", f"docs_dir: {docs}"), "utf-8")
    build = build_site(planted, tmp_path / "site")
    assert build.returncode != 0, "a broken anchor must fail the strict build"
    assert "does not contain an anchor '#dc999'" in build.output, tail(build.output)
