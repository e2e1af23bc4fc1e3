"""The template's own tests, one folder per layer of "Testing the template" in the design.

- questions/    validators refuse bad answers with a fix; hostile answers stay inert
- render/       every valid combination renders finished, parseable, lint-clean files
- generated/    generated projects are green under their own tox (`-m slow`)
- interactive/  the questionnaire works for a person at a terminal

`pytest` runs everything but the slow layer; `pytest -m slow` runs that layer alone.
"""
