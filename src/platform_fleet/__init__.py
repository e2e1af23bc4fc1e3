"""The fleet report: where every project generated from this template stands.

For each repository in an inventory it reads the template version from `.copier-answers.yml`,
compares it with the template's releases, and reuses the generated projects' own checks
(`template/tools/`) for update leftovers, drift and waivers. See docs/fleet-report.md.
"""
