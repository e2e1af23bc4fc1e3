"""Edit YAML as text, so a team's comments, quoting and layout survive a migration.

PyYAML (which Copier installs) drops comments when it loads and dumps a document. These
helpers use it only to find where things are: `yaml.compose` gives every node its start
and end position, and the edits cut, re-indent and paste whole lines of the original text.
A mapping entry travels with the comment lines directly above it.

Every function takes text and returns text; none reads or writes files.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

Path = tuple[str, ...]


class YamlEditError(ValueError):
    """The document does not have the shape an edit needs; the message says what and where."""


@dataclass(frozen=True)
class Entry:
    """Where one `key: value` entry sits: lines [start, end), its key's indent."""

    start: int  # first line, including the comment lines directly above the key
    key_line: int
    end: int  # one past the last line of the value
    indent: int
    value: yaml.Node


def _compose(text: str) -> yaml.MappingNode:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise YamlEditError(f"is not valid YAML: {error}") from error
    if not isinstance(root, yaml.MappingNode):
        raise YamlEditError("is not a YAML mapping at the top level")
    return root


def _is_blank_or_comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _child(mapping: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def find(text: str, path: Path) -> Entry | None:
    """The entry at `path` (keys from the top), or None when any key on the way is absent."""
    lines = text.splitlines()
    node: yaml.Node = _compose(text)
    found: tuple[yaml.Node, yaml.Node] | None = None
    for key in path:
        found = _child(node, key)
        if found is None:
            return None
        node = found[1]
    if found is None:
        raise YamlEditError("an empty path names no entry")
    key_node, value_node = found
    key_line = key_node.start_mark.line
    indent = key_node.start_mark.column
    start = key_line
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        if _indent(lines[start - 1]) != indent:
            break
        start -= 1
    # A block collection ends where the next token starts (often a later line's first
    # key); a scalar ends inside its own line.
    mark = value_node.end_mark
    at_line_start = mark.line >= len(lines) or not lines[mark.line][: mark.column].strip()
    end = mark.line if at_line_start else mark.line + 1
    end = max(end, key_line + 1)
    # Blank and comment lines at the end belong to what follows, not to this value.
    while end > key_line + 1 and _is_blank_or_comment(lines[end - 1]):
        end -= 1
    return Entry(start, key_line, end, indent, value_node)


def _join(lines: list[str], original: str) -> str:
    return "\n".join(lines) + ("\n" if original.endswith("\n") else "")


def _reindent(lines: list[str], delta: int) -> list[str]:
    if delta >= 0:
        return [(" " * delta + line) if line.strip() else line for line in lines]
    return [line[min(-delta, _indent(line)) :] if line.strip() else line for line in lines]


def indent_step(text: str) -> int:
    """The indentation the document uses for nesting (2 when it has no nested mapping)."""
    for _, value in _compose(text).value:
        if isinstance(value, yaml.MappingNode) and value.value and not value.flow_style:
            return max(1, value.value[0][0].start_mark.column)
    return 2


def set_scalar(text: str, path: Path, new: str) -> str:
    """Replace the scalar at `path` with `new` (YAML source text), keeping the rest of its line."""
    entry = find(text, path)
    if entry is None or not isinstance(entry.value, yaml.ScalarNode):
        raise YamlEditError(f"has no scalar `{'.'.join(path)}`")
    start, end = entry.value.start_mark.index, entry.value.end_mark.index
    return text[:start] + new + text[end:]


def rename_key(text: str, path: Path, new: str) -> str:
    """Give the entry at `path` the key `new`, keeping its value, comments and position."""
    entry = find(text, path)
    if entry is None:
        raise YamlEditError(f"has no `{'.'.join(path)}`")
    lines = text.splitlines()
    line = lines[entry.key_line]
    lines[entry.key_line] = line[: entry.indent] + new + line[entry.indent + len(path[-1]) :]
    return _join(lines, text)


def insert_key(
    text: str, path: Path, *, before: Path | None = None, after: Path | None = None
) -> str:
    """Add an empty `key:` at `path`, on the line before or after a sibling entry."""
    anchor_path = before or after
    if anchor_path is None:
        raise YamlEditError("insert_key needs a sibling to place the new key by")
    if find(text, path) is not None:
        raise YamlEditError(f"already has `{'.'.join(path)}`")
    anchor = find(text, anchor_path)
    if anchor is None:
        raise YamlEditError(f"has no `{'.'.join(anchor_path)}` to place `{path[-1]}` by")
    lines = text.splitlines()
    at = anchor.start if before else anchor.end
    lines.insert(at, " " * anchor.indent + f"{path[-1]}:")
    return _join(lines, text)


def move(text: str, source: Path, target_parent: Path) -> str:
    """Move the entry at `source`, with its comments, to the end of the mapping at
    `target_parent`, re-indented one level below it. The target may be an empty `key:`."""
    entry = find(text, source)
    if entry is None:
        raise YamlEditError(f"has no `{'.'.join(source)}`")
    parent = find(text, target_parent)
    if parent is None:
        raise YamlEditError(f"has no `{'.'.join(target_parent)}`")
    if _child(parent.value, source[-1]) is not None:
        raise YamlEditError(
            f"has both `{'.'.join(source)}` and `{'.'.join((*target_parent, source[-1]))}`"
        )
    lines = text.splitlines()
    block = lines[entry.start : entry.end]
    child_indent = parent.indent + indent_step(text)
    block = _reindent(block, child_indent - entry.indent)
    # Insert first when the target lies after the source, so the cut does not shift it.
    at = parent.end
    if at >= entry.end:
        lines[at:at] = block
        del lines[entry.start : entry.end]
        _drop_doubled_blank(lines, entry.start)
    else:
        del lines[entry.start : entry.end]
        _drop_doubled_blank(lines, entry.start)
        lines[at:at] = block
    return _join(lines, text)


def _drop_doubled_blank(lines: list[str], cut: int) -> None:
    """Where a cut left two blank lines in a row, keep one."""
    if 0 < cut < len(lines) and not lines[cut - 1].strip() and not lines[cut].strip():
        del lines[cut]
