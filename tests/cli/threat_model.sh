#!/usr/bin/env bash
# spec/threat-model.md against the tree: every threat names a test, and every test it names
# exists (tests/cli/threat_model_refs.py). The named tests themselves run in their own suites.
set -eu
python3 tests/cli/threat_model_refs.py
