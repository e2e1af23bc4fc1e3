"""Drift (UPD004, UPD005), waivers (UPD006, UPD007), notebooks (NB001) and the command that
runs them with the conflict gate and the ownership checks, `ml-platform conventions`, on
small projects whose `.platform-managed.json` the test writes. Waivers are judged on the
day the test gives, never on the day it runs."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ml_platform_kit.cli import main
from ml_platform_kit.conventions import check
from ml_platform_kit.drift import RECORD, drift
from ml_platform_kit.notebooks import notebook_outputs
from ml_platform_kit.project import Project
from ml_platform_kit.waivers import WAIVERS_FILE, judge
from tests.kit.managed import HEADER, managed, record, write

DAY = date(2026, 11, 30)
WAIVER = (
    "  - rule: {rule}\n    path: {path}\n    reason: an extra hook until the template ships one\n"
    '    approved_by: "{by}"\n    expires: {expires}\n'
)


def waivers(project: Project, *rows: str) -> None:
    write(project, WAIVERS_FILE, "# the platform team approves each\nwaivers:\n" + "".join(rows))


def waiver(rule: str, path: str, expires: str, by: str = "@acme/ml-platform") -> str:
    return WAIVER.format(rule=rule, path=path, expires=expires, by=by)


# --- drift ----------------------------------------------------------------------------------


@pytest.mark.check("UPD004", "fails")
def test_a_deleted_managed_file_is_named(project: Project) -> None:
    project = managed(project)
    (project.root / "tox.toml").unlink()
    (found,) = drift(project)
    assert (found.code, found.where, found.owner) == ("UPD004", "tox.toml", "@acme/ml-platform")
    assert "Copier never updates a deleted file again" in found.problem
    assert "`git checkout <last good commit> -- tox.toml`" in found.problem


def test_a_missing_record_is_named(project: Project) -> None:
    (found,) = drift(project)
    assert (found.code, found.where) == ("UPD004", RECORD)
    assert found.problem.startswith("the record of platform-managed files is missing")


@pytest.mark.check("UPD004", "passes")
@pytest.mark.check("UPD005", "passes")
def test_managed_files_as_rendered_pass(project: Project) -> None:
    assert drift(managed(project)) == []


@pytest.mark.check("UPD005", "fails")
def test_an_edited_managed_file_is_named(project: Project) -> None:
    project = managed(project)
    with (project.root / "tox.toml").open("a", encoding="utf-8") as handle:
        handle.write("# the team's local tweak\n")
    (found,) = drift(project)
    assert (found.code, found.where, found.owner) == ("UPD005", "tox.toml", "@acme/ml-platform")
    assert found.problem.startswith("platform-managed file edited by hand (it differs from")


def test_only_the_platforms_part_of_a_shared_file_counts(project: Project) -> None:
    write(project, "pyproject.toml", 'dependencies = []\n\n[build-system]\nrequires = ["x"]\n')
    project = record(project, "pyproject.toml", start={"pyproject.toml": "[build-system]"})
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8").replace("[]", '["rich"]'), "utf-8")
    assert drift(project) == []
    pyproject.write_text(pyproject.read_text("utf-8").replace('"x"', '"y"'), "utf-8")
    (found,) = drift(project)
    assert "it differs from `[build-system]` on from what the template renders" in found.problem


# --- waivers --------------------------------------------------------------------------------


@pytest.mark.check("UPD006", "fails")
def test_an_expired_waiver_fails_on_the_day_after_it(project: Project) -> None:
    waivers(project, waiver("UPD005", "tox.toml", "2026-11-29"))
    judged = judge(project, DAY)
    assert judged.valid == ()
    (found,) = judged.problems
    assert (found.code, found.where, found.owner) == (
        "UPD006",
        f"{WAIVERS_FILE}:3",
        "@acme/ml-platform",
    )
    assert found.problem.startswith(
        "waiver 1 for UPD005 tox.toml expired on 2026-11-29 (approved by @acme/ml-platform)"
    )


@pytest.mark.check("UPD006", "passes")
def test_a_waiver_holds_through_its_last_day(project: Project) -> None:
    waivers(project, waiver("UPD005", "tox.toml", "2026-11-30"))
    judged = judge(project, DAY)
    assert judged.problems == ()
    (valid,) = judged.valid
    assert str(valid) == (
        "UPD005 tox.toml: an extra hook until the template ships one (approved by "
        f"@acme/ml-platform, until 2026-11-30; {WAIVERS_FILE}:3)"
    )


@pytest.mark.check("UPD007", "fails")
@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (
            "waivers:\n  - rule: UPD005\n    path: tox.toml\n",
            f"{WAIVERS_FILE}:2",
            "waiver 1: missing field 'reason'; missing field 'approved_by'; "
            "missing field 'expires'",
        ),
        (
            "waivers:\n"
            + waiver("UPD001", "tox.toml", "2099-02-30", by="platform team").replace(
                "    reason: an extra hook until the template ships one\n", "    why: x\n"
            ),
            f"{WAIVERS_FILE}:2",
            "waiver 1: missing field 'reason'; unknown field 'why'; rule 'UPD001' is not a "
            "check ID a waiver can cover (UPD004, UPD005, OWN006, NB001); approved_by "
            "'platform team' is not a handle like @org/team or @user; expires '2099-02-30' "
            "is not a date (YYYY-MM-DD)",
        ),
        (
            "waivers:\n" + waiver("UPD005", "tox.toml", "2027-01-01") + "  - just a line\n",
            f"{WAIVERS_FILE}:7",
            "waiver 2: is not a mapping of rule, path, reason, approved_by, expires",
        ),
        (
            "waivers:\n" + waiver("UPD005", "", "2027-01-01"),
            f"{WAIVERS_FILE}:2",
            "waiver 1: missing field 'path'",
        ),
        ("waivers: tox.toml\n", WAIVERS_FILE, "must be a mapping with a `waivers:` list"),
        ("- rule: UPD005\n", WAIVERS_FILE, "must be a mapping with a `waivers:` list"),
    ],
    ids=["missing-fields", "every-field-wrong", "not-a-mapping", "empty", "no-list", "a-list"],
)
def test_a_malformed_waiver_names_its_line_and_what_is_wrong(
    project: Project, text: str, where: str, problem: str
) -> None:
    write(project, WAIVERS_FILE, text)
    judged = judge(project, DAY)
    (found,) = judged.problems
    assert (found.code, found.where, found.owner) == ("UPD007", where, "@acme/ml-platform")
    assert found.problem.startswith(problem), found.problem
    assert found.docs == "docs/ci.md#upd007"


def test_a_waivers_file_that_is_not_yaml_names_the_line(project: Project) -> None:
    write(project, WAIVERS_FILE, "waivers:\n  - rule: [UPD005\n")
    (found,) = judge(project, DAY).problems
    assert (found.code, found.where) == ("UPD007", f"{WAIVERS_FILE}:3")
    assert found.problem.startswith("not valid YAML")


@pytest.mark.check("UPD007", "passes")
@pytest.mark.parametrize(
    "text",
    [
        "waivers:\n" + waiver("OWN006", "deploy/", "2027-01-01"),
        "# no waivers yet\nwaivers: []\n",
        "# only comments\n",
        None,  # no file at all
    ],
    ids=["one-waiver", "empty-list", "comments", "no-file"],
)
def test_well_formed_waivers_pass(project: Project, text: str | None) -> None:
    if text is not None:
        write(project, WAIVERS_FILE, text)
    assert judge(project, DAY).problems == ()


# --- notebooks ------------------------------------------------------------------------------


def notebook(*outputs: list[dict[str, object]]) -> str:
    cells = [{"cell_type": "markdown", "source": ["# Explore"], "metadata": {}}]
    cells += [
        {
            "cell_type": "code",
            "source": ["1"],
            "outputs": o,
            "metadata": {},
            "execution_count": None,
        }
        for o in outputs
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.check("NB001", "fails")
def test_each_cell_with_outputs_is_named(project: Project) -> None:
    stream = {"output_type": "stream", "name": "stdout", "text": ["0.72\n"]}
    write(project, "notebooks/01-explore.ipynb", notebook([], [stream, stream]))
    (found,) = notebook_outputs(project)
    assert (found.code, found.where, found.owner) == (
        "NB001",
        "notebooks/01-explore.ipynb",
        "@acme/data-science",  # only `*` claims notebooks/ here: the role's team
    )
    assert found.problem.startswith("cell 3 has 2 output(s) (stream); clear them")


def test_a_file_that_is_no_notebook_is_named(project: Project) -> None:
    write(project, "src/scratch.ipynb", "{not json")
    (found,) = notebook_outputs(project)
    assert (found.code, found.where, found.owner) == (
        "NB001",
        "src/scratch.ipynb",
        "@acme/data-science",
    )
    assert found.problem.startswith("cannot be read as a notebook")


@pytest.mark.check("NB001", "passes")
def test_notebooks_without_outputs_pass(project: Project) -> None:
    write(project, "notebooks/01-explore.ipynb", notebook([], []))
    assert notebook_outputs(project) == []


# --- the command ----------------------------------------------------------------------------


def test_a_clean_project_passes_every_group(project: Project) -> None:
    outcome = check(managed(project), DAY)
    assert outcome.ok, [str(f) for f in outcome.findings]
    assert [line.split(":")[0] for line in outcome.passed] == [
        "UPD001, UPD002",
        "UPD004, UPD005",
        "UPD006, UPD007",
        "OWN001-OWN006",
        "NB001",
    ]


def test_a_valid_waiver_lets_a_deviation_pass_and_lists_it(project: Project) -> None:
    project = managed(project)
    (project.root / "tox.toml").write_text(HEADER + "[env.ours]\n", "utf-8")
    waivers(project, waiver("UPD005", "tox.*", "2026-12-31"))
    outcome = check(project, DAY)
    assert outcome.ok, [str(f) for f in outcome.findings]
    ((finding, by),) = outcome.waived
    assert (finding.code, finding.where) == ("UPD005", "tox.toml")
    assert by.startswith("UPD005 tox.*: an extra hook")
    assert "until 2026-12-31" in by
    assert "UPD006, UPD007: waivers valid (1 deviation(s) waived)" in outcome.passed


def test_the_day_is_given_on_the_command_line(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project = managed(project)
    (project.root / "tox.toml").write_text(HEADER + "[env.ours]\n", "utf-8")
    waivers(project, waiver("UPD005", "tox.toml", "2026-12-31"))
    root = str(project.root)
    assert main(["--root", root, "conventions", "--as-of", "2026-12-31"]) == 0
    assert "waived: UPD005 tox.toml by UPD005 tox.toml:" in capsys.readouterr().out
    assert main(["--root", root, "conventions", "--as-of", "2027-01-01"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("UPD005 tox.toml: platform-managed file edited by hand"), out
    assert f"UPD006 {WAIVERS_FILE}:3: waiver 1 for UPD005 tox.toml expired on 2026-12-31" in out
    assert "UPD004, UPD005:" not in out
    assert "NB001: notebooks without outputs" in out


def test_a_day_that_is_no_date_is_a_usage_error(project: Project) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--root", str(project.root), "conventions", "--as-of", "soon"])
    assert exited.value.code == 2


def test_conflict_leftovers_fail_the_conventions_too(project: Project) -> None:
    project = managed(project)
    write(project, "tox.toml.rej", "@@ -1 +1 @@\n")
    outcome = check(project, DAY)
    assert [f.code for f in outcome.findings] == ["UPD002"]
    assert not any(line.startswith("UPD001, UPD002") for line in outcome.passed)
