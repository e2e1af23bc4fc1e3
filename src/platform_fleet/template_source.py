"""The template's releases, as one template source (a git URL or path) publishes them.

Releases are the `vX.Y.Z` tags, compared as versions (`packaging.version`), read the way the
kit's update report reads `_commit`. At the latest one, `copier.yml` says which migrations
an update would run and `CHANGELOG.md` what changed; both are read from a shallow fetch of
that tag into the cache, once per source however many projects use it.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.version import Version

from ml_platform_kit.update_report import changelog_excerpt, release_of
from platform_fleet.gitcmd import GitError, git

# Copier's shortcuts for the two public forges.
SHORTCUTS = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}


def version_text(version: Version) -> str:
    return str(version)


@dataclass(frozen=True)
class Migration:
    version: str
    stage: str  # before, after, or both
    command: str


@dataclass(frozen=True)
class Template:
    """What one template source has released; `problem` says why it could not be read."""

    source: str
    releases: tuple[Version, ...] = ()
    migrations: tuple[tuple[Version, Migration], ...] = ()
    changelog: str = ""
    problem: str | None = None

    @property
    def latest(self) -> Version | None:
        return self.releases[-1] if self.releases else None

    def behind(self, version: Version) -> int:
        return sum(1 for release in self.releases if release > version)

    def migrations_after(self, version: Version) -> list[Migration]:
        """What `copier update` to the latest release runs, in the order copier.yml lists."""
        latest = self.latest
        return [m for v, m in self.migrations if latest is not None and version < v <= latest]

    def changelog_after(self, commit: str) -> list[str]:
        """The CHANGELOG headings between `commit`'s release and the latest, oldest first."""
        if self.latest is None:
            return []
        excerpt = changelog_excerpt(self.changelog, commit, "v" + version_text(self.latest))
        headings = [line[3:].strip() for line in excerpt.splitlines() if line.startswith("## ")]
        return sorted(headings, key=_heading_version)


def _heading_version(heading: str) -> Version:
    """A CHANGELOG heading's release (`1.2.0 — 2026-11-30`); an Unreleased one sorts last."""
    tagged = release_of(heading.split()[0].strip("[]"))
    return tagged[0] if tagged else Version("999999")


def expand(source: str) -> str:
    for shortcut, prefix in SHORTCUTS.items():
        if source.startswith(shortcut):
            return prefix + source.removeprefix(shortcut)
    return source


class _IgnoreIncludes(yaml.SafeLoader):
    """copier.yml's `!include` documents hold questions, not migrations."""


_IgnoreIncludes.add_constructor("!include", lambda loader, node: None)


def _stage(when: Any) -> str:
    text = str(when)
    for stage in ("before", "after"):
        if f"'{stage}'" in text or f'"{stage}"' in text:
            return stage
    return "both"


def _command(command: Any) -> str:
    parts = command if isinstance(command, list) else [command]
    words = [str(part).replace("{{ _copier_conf.src_path }}/", "") for part in parts]
    return " ".join(word for word in words if "_copier_python" not in word)


def parse_migrations(copier_yml: str) -> tuple[tuple[Version, Migration], ...]:
    found: list[tuple[Version, Migration]] = []
    for document in yaml.load_all(copier_yml, Loader=_IgnoreIncludes):
        entries = document.get("_migrations", []) if isinstance(document, dict) else []
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue  # the legacy string form carries no version
            tagged = release_of(str(entry.get("version", "")))
            if tagged is None:
                continue
            found.append(
                (
                    tagged[0],
                    Migration(
                        version_text(tagged[0]),
                        _stage(entry.get("when", "")),
                        _command(entry.get("command", "")),
                    ),
                )
            )
    return tuple(found)


def read_template(source: str, cache: Path) -> Template:
    """Releases, migrations and CHANGELOG of `source`; a `problem` instead of an exception."""
    url = expand(source)
    try:
        listed = git("ls-remote", "--tags", "--refs", "--", url)
        releases = sorted(
            tagged[0]
            for line in listed.splitlines()
            if (tagged := release_of(line.rpartition("refs/tags/")[2])) and not tagged[1]
        )
        if not releases:
            return Template(source, problem=f"{source} has no release tags (vX.Y.Z)")
        tag = "v" + version_text(releases[-1])
        store = cache / "templates" / hashlib.sha256(url.encode()).hexdigest()[:16]
        if not (store / "HEAD").is_file():
            store.mkdir(parents=True, exist_ok=True)
            git("init", "--quiet", "--bare", str(store))
        git(
            "fetch",
            "--quiet",
            "--depth",
            "1",
            "--",
            url,
            f"+refs/tags/{tag}:refs/tags/{tag}",
            cwd=store,
        )
        copier_yml = git("show", f"{tag}:copier.yml", cwd=store)
        changelog = git("show", f"{tag}:CHANGELOG.md", cwd=store)
        return Template(source, tuple(releases), parse_migrations(copier_yml), changelog)
    except GitError as error:
        return Template(source, problem=f"cannot read the template at {source}: {error}")
    except yaml.YAMLError as error:
        return Template(source, problem=f"the template's copier.yml is not valid YAML: {error}")


class Templates:
    """Each template source read once, however many threads ask for it."""

    def __init__(self, cache: Path) -> None:
        self._cache = cache
        self._read: dict[str, Template] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, source: str) -> Template:
        with self._guard:
            lock = self._locks.setdefault(source, threading.Lock())
        with lock:
            if source not in self._read:
                self._read[source] = read_template(source, self._cache)
            return self._read[source]

    def all(self) -> list[Template]:
        with self._guard:
            return [self._read[source] for source in sorted(self._read)]
