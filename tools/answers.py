#!/usr/bin/env python3
"""answers.py - the workshop's answer key (docs/answers.md), from real runs.

Runs every lesson in scenarios/ with its shipped seed and with a few other
seeds (rdsim run --no-plots), reads each summary.json and writes, per
lesson, the figures an instructor needs: writer downtime and its phases,
lost writes, availability, stale reads, lag, latency, the new writer. The
shipped seed's value is what students see on their laptops; the range over
the other seeds is how much another equally likely run would differ.

    tools/answers.py [--rdsim BIN] [--out docs/answers.md]
    tools/answers.py --check [--rdsim BIN]    # exit 1 when the file is stale

--check recomputes the key and compares it with docs/answers.md byte for
byte (the meson test answers-key does this): runs are deterministic, so a
difference means the model changed and the key must be written again.
Needs only Python's standard library.
"""
import argparse
import concurrent.futures
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Few seeds keep the check under a few minutes on a busy 2-core machine;
# the lesson tests (tests/scenarios/test_lesson.sh) try five.
SEEDS = [101, 102]


def lessons():
    """Lesson names in teaching order, as scenarios/meson.build lists them."""
    text = open(os.path.join(ROOT, "scenarios", "meson.build")).read()
    block = text.split("lesson_names = [", 1)[1].split("]", 1)[0]
    return re.findall(r"'([^']+)'", block)


def question(name):
    """The lesson's one-line question (its description's first paragraph)."""
    text = open(os.path.join(ROOT, "scenarios", name + ".yaml")).read()
    m = re.search(r"^  Question: (.*?)\n\n", text, re.S | re.M)
    return " ".join(m.group(1).split()) if m else ""


def run(rdsim, tmp, name, seed):
    out = os.path.join(tmp, "%s-%s" % (name, seed or "shipped"))
    cmd = [rdsim, "run", os.path.join(ROOT, "scenarios", name + ".yaml"), "-o", out,
           "--quiet", "--force", "--no-plots"]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Exit 3 (an expectation failed) still gives a summary worth reporting;
    # the lesson tests are the ones that fail on it.
    if p.returncode not in (0, 3):
        sys.exit("answers.py: %s failed (exit %d): %s" % (" ".join(cmd), p.returncode, p.stderr))
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


# ---- the figures --------------------------------------------------------

def downtime(s):
    if any(not o["recovered"] for o in s["writer_outages"]):
        return None  # never came back within the run
    return s["max_writer_downtime_s"]


def phase(s, a, b):
    f = s["failovers"]
    if not f or f[0].get(a) is None or f[0].get(b) is None:
        return None
    return f[0][b] - f[0][a]


def lag_ms(s, which):
    """The largest of the instances' lag figures (p99 or max); an instance
    that never had a live source has none (null)."""
    lags = [v[which] for v in s.get("replica_lag_ms", {}).values()
            if v is not None and v.get(which) is not None]
    return max(lags) if lags else None


def p99(s, kind):
    r = s["requests"].get(kind)
    return r["p99_ms"] if r and r["ok"] > 0 else None


# (label, how to get it, how to print it, shown when) in table order.
# "shown when" looks at every run of the lesson: a row that is empty or
# trivially zero everywhere is left out, so each table shows what matters.
def fmt_s(v):
    return "never back" if v is None else "%.1f s" % v


def fmt_ms(v):
    if v < 100:
        return "%.3g ms" % v
    return "%.0f ms" % v if v < 10000 else "%.1f s" % (v / 1000)


def fmt_ratio(v):
    return "%.4f" % v


def fmt_int(v):
    return "%d" % v


def new_replica_wait(s):
    x = (s.get("replicas_created") or [None])[0]
    if not x or x["available_s"] is None:
        return None
    return x["available_s"] - x["at_s"]


def scaling_text(s):
    acts = s.get("autoscaling", {}).get("actions", [])
    return ", ".join("%.0f s: %d -> %d" % (a["at_s"], a["replicas_before"], a["replicas_after"])
                     for a in acts) or "none"


ROWS = [
    ("writer downtime (max_writer_downtime_s)", downtime, fmt_s,
     lambda runs: any(s["writer_outages"] for s in runs)),
    ("detection (fault to detected)", lambda s: phase(s, "at_s", "detected_s"), fmt_s,
     lambda runs: any(phase(s, "at_s", "detected_s") is not None for s in runs)),
    ("promotion (detected to promoted)", lambda s: phase(s, "detected_s", "promoted_s"), fmt_s,
     lambda runs: any(phase(s, "detected_s", "promoted_s") is not None for s in runs)),
    ("DNS update (promoted to DNS updated)", lambda s: phase(s, "promoted_s", "dns_updated_s"),
     fmt_s, lambda runs: any(phase(s, "promoted_s", "dns_updated_s") is not None for s in runs)),
    ("new writer", lambda s: s["failovers"][0]["to"] if s["failovers"] else None, str,
     lambda runs: any(s["failovers"] for s in runs)),
    ("lost writes (lost_writes)", lambda s: s["lost_writes"], fmt_int, lambda runs: True),
    ("writer availability", lambda s: s["availability"].get("writer"), fmt_ratio,
     lambda runs: any(s["availability"].get("writer") is not None for s in runs)),
    ("reader availability", lambda s: s["availability"].get("reader"), fmt_ratio,
     lambda runs: any(s["availability"].get("reader") is not None for s in runs)),
    ("stale read ratio", lambda s: s["stale_reads"]["ratio"], fmt_ratio,
     lambda runs: any(s["stale_reads"]["count"] > 0 for s in runs)),
    ("replica lag, p99 (largest of the instances)", lambda s: lag_ms(s, "p99"), fmt_ms,
     lambda runs: any(lag_ms(s, "p99") is not None for s in runs)),
    ("replica lag, max (largest of the instances)", lambda s: lag_ms(s, "max"), fmt_ms,
     lambda runs: any(lag_ms(s, "max") is not None for s in runs)),
    ("p99 write latency", lambda s: p99(s, "write"), fmt_ms,
     lambda runs: any(p99(s, "write") is not None for s in runs)),
    ("p99 read latency", lambda s: p99(s, "read"), fmt_ms,
     lambda runs: any(p99(s, "read") is not None for s in runs)),
    ("writer peak ACUs", lambda s: s.get("serverless", {}).get("writer", {}).get("peak_acu"),
     lambda v: "%g" % v, lambda runs: any("serverless" in s for s in runs)),
    ("first new replica: asked for to joining the readers", new_replica_wait, fmt_s,
     lambda runs: any(s.get("replicas_created") for s in runs)),
    ("auto scaling actions (time: replicas before -> after)", scaling_text, str,
     lambda runs: any("autoscaling" in s for s in runs)),
]


def region_rows(shipped):
    """With workload.regions: each Region's read and write p50 (over every
    operation, as summary.json's `regions`) and stale read ratio."""
    rows = []
    for name in shipped.get("regions", {}):
        rows += [
            ("%s clients: read p50 (regions)" % name,
             lambda s, n=name: s["regions"][n]["read"]["p50_ms"], fmt_ms),
            ("%s clients: write p50 (regions)" % name,
             lambda s, n=name: s["regions"][n]["write"]["p50_ms"], fmt_ms),
            ("%s clients: stale read ratio" % name,
             lambda s, n=name: s["regions"][n]["stale_reads"]["ratio"], fmt_ratio),
        ]
    return rows


def cell(fmt, v):
    return "-" if v is None and fmt is not fmt_s else fmt(v)


def span(fmt, values):
    """The range over seeds: "a - b", or the one value when all agree."""
    if all(isinstance(v, (int, float)) for v in values):
        lo, hi = fmt(min(values)), fmt(max(values))
        return lo if lo == hi else "%s - %s" % (lo, hi)
    seen = []
    for v in values:
        c = cell(fmt, v)
        if c not in seen:
            seen.append(c)
    return ", ".join(seen)


def limit_text(v):
    """An expectation's limit as summary.json's JSON has it (true, not True)."""
    return json.dumps(v) if isinstance(v, bool) else str(v)


def lesson_section(name, shipped, others):
    runs = [shipped] + others
    out = ["### %s" % name, "", "*%s*" % question(name), "",
           "| figure | shipped seed (%d) | seeds %s |" % (
               shipped["seed"], ", ".join(str(s) for s in SEEDS)),
           "|---|---|---|"]
    for label, get, fmt, shown in ROWS:
        if not shown(runs):
            continue
        out.append("| %s | %s | %s |" % (label, cell(fmt, get(shipped)),
                                         span(fmt, [get(s) for s in others])))
    for label, get, fmt in region_rows(shipped):
        out.append("| %s | %s | %s |" % (label, cell(fmt, get(shipped)),
                                         span(fmt, [get(s) for s in others])))
    met = "all met" if all(s["expectations_met"] for s in runs) else "NOT all met"
    checks = ", ".join("`%s` %s" % (e["name"], limit_text(e["limit"]))
                       for e in shipped["expectations"])
    out += ["", "Expectations (%s on every run above): %s." % (met, checks), ""]
    return out


HEADER = """# Answer key (for instructors)

The numbers each lesson's runs give, for the questions in docs/handout.md.
**Generated** by `tools/answers.py` from real runs of `scenarios/`: do not
edit by hand; run `tools/answers.py` after a change to the model or a
lesson (the meson test `answers-key` fails while this file is out of date).

For each lesson: the value with the shipped seed (what every student's
laptop shows, since runs are deterministic) and the range over seeds %s
(`rdsim run LESSON --seed N`: other equally likely runs). Times are
simulated seconds; "never back" means writes did not return before the run
ended. Phases are those of the first failover. Availability is the share
of operations that succeeded (summary.json `availability`); latency is
over successful operations. docs/workshop.md says what each figure means
for the lesson; docs/outputs.md defines every field.

## Lessons
"""


def generate(rdsim):
    names = lessons()
    jobs = {}
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for n in names:
            for seed in [None] + SEEDS:
                jobs[(n, seed)] = pool.submit(run, rdsim, tmp, n, seed)
        res = {k: f.result() for k, f in jobs.items()}
    lines = (HEADER % ", ".join(str(s) for s in SEEDS)).split("\n")
    for n in names:
        lines += lesson_section(n, res[(n, None)], [res[(n, s)] for s in SEEDS])
    return "\n".join(lines).rstrip("\n") + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rdsim", default=os.path.join(ROOT, "build", "src", "cli", "rdsim"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "answers.md"))
    ap.add_argument("--check", action="store_true",
                    help="compare with --out instead of writing it; exit 1 if they differ")
    a = ap.parse_args()
    text = generate(a.rdsim)
    if a.check:
        try:
            old = open(a.out).read()
        except OSError as e:
            sys.exit("answers.py: cannot read %s: %s" % (a.out, e))
        if old != text:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True), a.out, "from the runs"))
            print("answers.py: %s disagrees with the runs; run tools/answers.py" % a.out)
            return 1
        print("answers.py: %s matches %d runs" % (a.out, len(lessons()) * (1 + len(SEEDS))))
        return 0
    with open(a.out, "w") as f:
        f.write(text)
    print(a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
