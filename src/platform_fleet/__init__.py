"""The fleet report: where every project generated from this template stands.

For each repository in an inventory it reads the template version from `.copier-answers.yml`,
compares it with the template's releases, and judges update leftovers, drift and waivers
with the platform kit (`ml_platform_kit`), as each project's own `ml-platform conventions`
does. See docs/fleet-report.md.
"""
