"""yaml_text edits YAML as lines of text: values, comments and layout survive."""

from __future__ import annotations

import pytest
import yaml
from yaml_text import YamlEditError, find, indent_step, insert_key, move, rename_key, set_scalar

DOC = """\
# header comment
apiVersion: v1  # the version
kind: Thing

owners:
  # who answers the pager
  team: "@acme/ops"
  onCall: rota  # named as the pager names it

serving:
  runtime: web
  # the image, pinned
  image: "registry/x:1.0"
  resources:
    limits:
      cpu: "1"  # one core
  port: 8080
"""


def test_find_takes_the_comments_above_a_key_and_stops_at_its_value() -> None:
    entry = find(DOC, ("serving", "image"))
    assert entry is not None
    lines = DOC.splitlines()[entry.start : entry.end]
    assert lines == ["  # the image, pinned", '  image: "registry/x:1.0"']
    resources = find(DOC, ("serving", "resources"))
    assert resources is not None
    assert DOC.splitlines()[resources.end - 1] == '      cpu: "1"  # one core'
    assert find(DOC, ("serving", "missing")) is None


def test_set_scalar_keeps_the_inline_comment() -> None:
    assert "apiVersion: v2  # the version\n" in set_scalar(DOC, ("apiVersion",), "v2")


def test_rename_key_keeps_value_and_comment() -> None:
    renamed = rename_key(DOC, ("owners", "onCall"), "rotation")
    assert "  rotation: rota  # named as the pager names it\n" in renamed
    assert yaml.safe_load(renamed)["owners"] == {"team": "@acme/ops", "rotation": "rota"}


def test_move_carries_comments_and_reindents_under_a_new_key() -> None:
    text = insert_key(DOC, ("serving", "container"), before=("serving", "image"))
    text = move(text, ("serving", "image"), ("serving", "container"))
    text = move(text, ("serving", "resources"), ("serving", "container"))
    assert (
        "  container:\n    # the image, pinned\n"
        '    image: "registry/x:1.0"\n    resources:\n      limits:\n'
        '        cpu: "1"  # one core\n  port: 8080\n'
    ) in text
    data = yaml.safe_load(text)
    assert data["serving"] == {
        "runtime": "web",
        "container": {"image": "registry/x:1.0", "resources": {"limits": {"cpu": "1"}}},
        "port": 8080,
    }


def test_move_to_the_top_level_section_before_it() -> None:
    text = insert_key(DOC, ("metadata",), after=("kind",))
    text = move(text, ("owners",), ("metadata",))
    assert "kind: Thing\nmetadata:\n  owners:\n    # who answers the pager\n" in text
    assert "\n\n\n" not in text, "the cut leaves one blank line, not two"
    assert yaml.safe_load(text)["metadata"]["owners"]["onCall"] == "rota"


def test_a_four_space_document_stays_four_space() -> None:
    doc = "a:\n    b: 1\nc:\n    d: 2\n"
    assert indent_step(doc) == 4
    assert move(doc, ("a", "b"), ("c",)) == "a:\nc:\n    d: 2\n    b: 1\n"


def test_flow_style_values_move_whole() -> None:
    doc = "owners: {team: x, onCall: y}\nmeta:\n  name: n\n"
    assert yaml.safe_load(move(doc, ("owners",), ("meta",)))["meta"]["owners"] == {
        "team": "x",
        "onCall": "y",
    }


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda: move(DOC, ("nope",), ("serving",)), "has no `nope`"),
        (lambda: move("a: [1\n", ("a",), ("b",)), "is not valid YAML"),
        (lambda: move("- 1\n", ("a",), ("b",)), "is not a YAML mapping"),
        (lambda: insert_key(DOC, ("serving",), after=("kind",)), "already has `serving`"),
        (lambda: move(DOC + "x:\n  port: 1\n", ("serving", "port"), ("x",)), "has both"),
    ],
)
def test_edits_that_cannot_apply_say_why(edit, message: str) -> None:
    with pytest.raises(YamlEditError, match=message):
        edit()
