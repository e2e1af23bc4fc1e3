"""UPD008: copies of platform code that the platform kit replaced are gone from the project.

`retired.yml` lists, per release, the files that projects carried before it and that it
removed. `copier update` deletes them; the release's migration puts back one a team had
edited, so that nothing the team wrote is lost. Nothing runs such a file any more, so it is
reported here until its change reaches the template and the file is deleted.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from .finding import Finding
from .project import Project


@cache
def retired_patterns() -> dict[str, tuple[str, ...]]:
    """Release -> the files it removed, with `{package_name}` for the project's package."""
    text = resources.files(__package__).joinpath("retired.yml").read_text(encoding="utf-8")
    return {str(release): tuple(paths) for release, paths in yaml.safe_load(text).items()}


def leftovers(project: Project) -> list[Finding]:
    """One UPD008 finding per retired file the project still holds."""
    package = str(project.answers.get("package_name", ""))
    findings: list[Finding] = []
    for release, patterns in retired_patterns().items():
        for pattern in patterns:
            path = pattern.format(package_name=package)
            if package and (project.root / path).is_file():
                findings.append(
                    project.finding(
                        "UPD008",
                        path,
                        f"removed by template {release}: the platform kit runs this check now and "
                        "nothing reads this copy; propose your change to the platform team, then "
                        f"delete the file (`git rm {path}`)",
                    )
                )
    return findings
