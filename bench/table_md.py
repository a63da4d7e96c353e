"""Prints the results of a make bench run (bench/results/latest.json) as the Markdown tables of
docs/benchmarks.md: the machine line, every row with its ratio, and the targets.
usage: python3 bench/table_md.py [RESULTS.json]
"""
import json
import sys


def fmt(v):
    if isinstance(v, float) and v < 100:
        return f"{v:,.2f}"
    return f"{v:,.0f}"


def main():
    d = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest.json"))
    m = d["machine"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items())
    print(f"Run {d['generated']} ({d['seconds_taken']} s, {d['knobs']}), {m['cpu']}, "
          f"{m['cores']} cores, {m['os']}, kernel {m['kernel']}; {libs}.")
    print()
    print("| row | operation | figure | unit | ratio to the limit | target |")
    print("|---|---|---:|---|---:|---|")
    for r in d["table"]:
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.2f}"
        target = ""
        if r.get("target") is not None:
            target = f"{r['target']}: " + ("met" if r.get("met") else "**missed**")
        print(f"| {r['section']} | {r['what']} | {fmt(r['value'])} | {r['unit']} | {ratio} | {target} |")
    print()
    print("| target | this run | |")
    print("|---|---:|---|")
    for t in d["targets"]:
        state = "not measured" if t["met"] is None else "met" if t["met"] else "**missed**"
        print(f"| {t['target']} | {t['value']} | {state} |")


if __name__ == "__main__":
    main()
