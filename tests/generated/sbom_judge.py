"""The outside judge of a generated SBOM: cyclonedx-python-lib's strict JSON validator with
the CycloneDX 1.6 schema it ships, offline.

It runs in an environment of its own, the `sbom-judge` dependency group (`judge_sboms` in
test_sbom.py), not in the suite's: `python sbom_judge.py <sbom.cdx.json>...` prints why
each invalid document is invalid and exits 1, or exits 0 when every one is valid.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator


def main(sboms: list[Path]) -> int:
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    verdicts = {sbom: validator.validate_str(sbom.read_text("utf-8")) for sbom in sboms}
    for sbom, invalid in verdicts.items():
        if invalid is not None:
            print(f"{sbom} is not valid CycloneDX 1.6: {invalid}")
    return int(any(invalid is not None for invalid in verdicts.values()))


if __name__ == "__main__":
    sys.exit(main([Path(arg) for arg in sys.argv[1:]]))
