"""Holds spec/threat-model.md to the tree: every threat row of section 3 names at least one test,
and every test it names exists.

  - `tests/cli/NAME.sh` followed by quoted labels ("label", ...): the script exists and each label
    occurs in it (labels name checks: the text of an expect_* call or of a `bad` message);
  - unit `name`: a TEST(name) in tests/unit/*.c;
  - `NNN-name.json`: a vector in spec/vectors/;
  - fuzz target `fuzz_x`: tests/fuzz/fuzz_x.c.
usage: python3 tests/cli/threat_model_refs.py   (from the repository root)
Prints one line per problem and the closing line "threat-model: N passed, M failed".
"""
import glob
import os
import re
import sys

MODEL = "spec/threat-model.md"


def main():
    text = open(MODEL, encoding="utf-8").read()
    section3 = text[text.index("## 3 Threats"):text.index("## 4 ")]
    rows = [line for line in section3.splitlines() if re.match(r"^\| [A-Z]\d+ \|", line)]
    unit_tests = set()
    for path in glob.glob("tests/unit/*.c"):
        unit_tests.update(re.findall(r"^TEST\((\w+)\)", open(path, encoding="utf-8").read(), re.M))
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL " + what)

    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        ident, tests = cells[0], cells[-1]
        named = 0
        # Scripts and the labels after them, up to the next script or the end of the cell.
        for m in re.finditer(r"`(tests/cli/[\w./-]+\.sh)`((?:(?!`tests/cli/).)*)", tests):
            script, rest = m.group(1), m.group(2)
            named += 1
            check(os.path.exists(script), f"{ident}: {script} does not exist")
            if not os.path.exists(script):
                continue
            body = open(script, encoding="utf-8").read()
            for label in re.findall(r'"([^"]+)"', rest.split(";")[0]):
                # A computed part of a label is written "..." or as a capital placeholder (FILE);
                # the parts around it must occur. A label a helper builds ("name: X" from
                # name_case "X") may occur as its part after the first ": ".
                parts = [p for p in re.split(r"\.\.\.|\b[A-Z]{3,}\b", label) if p.strip()]
                tail = label.split(": ", 1)[1] if ": " in label else None
                found = all(p.strip() in body for p in parts) or (tail is not None and f'"{tail}"' in body)
                check(found, f'{ident}: {script} has no check "{label}"')
        for name in re.findall(r"unit `(\w+)`", tests) + re.findall(r"(?<=, )`(\w+)`", tests):
            if name in unit_tests or name.startswith("fuzz_"):
                named += 1
                check(name in unit_tests or os.path.exists(f"tests/fuzz/{name}.c"),
                      f"{ident}: no unit test {name}")
        for name in re.findall(r"unit `(\w+)`", tests):
            check(name in unit_tests, f"{ident}: no TEST({name}) in tests/unit")
        for vector in re.findall(r"`(\d{3}-[\w.-]+\.json)`", tests):
            named += 1
            check(os.path.exists(f"spec/vectors/{vector}"), f"{ident}: no vector {vector}")
        for target in re.findall(r"fuzz target `(fuzz_\w+)`", tests):
            named += 1
            check(os.path.exists(f"tests/fuzz/{target}.c"), f"{ident}: no fuzz target {target}")
        check(named > 0, f"{ident}: names no test")
    check(len(rows) >= 60, f"only {len(rows)} threat rows found: the table format changed?")
    print(f"threat-model: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
