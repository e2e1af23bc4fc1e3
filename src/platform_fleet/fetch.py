"""Remote repositories, cloned or fetched shallowly into the cache directory."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from platform_fleet.gitcmd import GitError, git
from platform_fleet.inventory import Repository


class Unreachable(RuntimeError):
    """The repository could not be read; the report lists it and goes on."""


def checkout(repository: Repository, cache: Path) -> Path:
    """The working tree to read: the local path, or a shallow clone of the URL's ref."""
    if repository.path is not None:
        if not repository.path.is_dir():
            raise Unreachable(f"{repository.location}: no such directory")
        return repository.path
    if repository.url is None:  # the inventory schema requires path or url
        raise Unreachable(f"{repository.location}: neither a path nor a URL")
    key = hashlib.sha256(f"{repository.url}#{repository.ref or ''}".encode()).hexdigest()[:16]
    clone = cache / "repositories" / key
    ref = repository.ref or "HEAD"
    try:
        if (clone / ".git").is_dir():
            git("fetch", "--quiet", "--depth", "1", "origin", ref, cwd=clone)
            git("reset", "--quiet", "--hard", "FETCH_HEAD", cwd=clone)
            git("clean", "--quiet", "-dfx", cwd=clone)
        else:
            shutil.rmtree(clone, ignore_errors=True)  # a clone interrupted earlier
            clone.parent.mkdir(parents=True, exist_ok=True)
            branch = ["--branch", repository.ref] if repository.ref else []
            git("clone", "--quiet", "--depth", "1", *branch, "--", repository.url, str(clone))
    except GitError as error:
        shutil.rmtree(clone, ignore_errors=True)
        raise Unreachable(f"{repository.url}: {error}") from None
    return clone
