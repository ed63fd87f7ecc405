#!/usr/bin/env python3
"""test_expect_lessons.py - expect: over the real lessons, through rdsim run.

Usage: test_expect_lessons.py RDSIM SOURCE_ROOT WORKDIR

- Lesson 03b states its point in expect: writer_recovers: false holds,
  for the shipped seed and another.
- A copy of 03b with the DNS cache changed (another file name, the same
  scenario name) fails writer_recovers, and summary.json, report.md, the
  terminal and the JUnit file name the parameter that differs from the
  lesson as shipped, with both values; a --seed other than the lesson's
  is named too.
- Lesson 09's failover_target is the replica its tier rule promotes; a
  copy with that replica's tier changed fails it and names the tier.
- min:/max: bounds report the figure's actual value, equal to the number
  summary.json prints for it; a scenario that is no lesson gets no
  lesson note.
- An unknown figure is refused at load time: FILE:LINE:COL, exit 2.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

failures = []


def check(name, cond):
    if not cond:
        failures.append(name)
        print("FAIL:", name)


def run(rdsim, path, out, *args):
    p = subprocess.run([rdsim, "run", path, "-o", out, "--force", "--no-plots", *args],
                       capture_output=True, timeout=600)
    summary = None
    if os.path.exists(os.path.join(out, "summary.json")):
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
    return p.returncode, p.stdout.decode(), p.stderr.decode(), summary


def expectation(summary, name):
    for x in summary["expectations"]:
        if x["name"] == name:
            return x
    return None


def copy_lesson(root, work, lesson, file_name, edits):
    with open(os.path.join(root, "scenarios", lesson + ".yaml")) as f:
        text = f.read()
    for old, new in edits:
        if old not in text:
            sys.exit("%s: no %r to edit" % (lesson, old))
        text = text.replace(old, new, 1)
    path = os.path.join(work, file_name)
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    rdsim, root, work = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    lesson03b = os.path.join(root, "scenarios", "03b-dns-cache-forever.yaml")

    # 03b as shipped: the writer never recovers, and expect: says so.
    for seed in ([], ["--seed", "7"]):
        code, out, err, s = run(rdsim, lesson03b, os.path.join(work, "03b"), *seed)
        x = expectation(s, "writer_recovers") if s else None
        check("03b %s exits 0 (%d: %s)" % (seed, code, err), code == 0)
        check("03b %s: writer_recovers false, actually false" % seed,
              x == {"name": "writer_recovers", "ok": True, "actual": False, "limit": False})
        check("03b %s: no lesson note when it passes" % seed, s is not None and "lesson" not in s)
        check("03b %s: the terminal shows the actual value" % seed,
              re.search(r"expect writer_recovers +ok +false \(expected false\)", out) is not None)

    # A student's copy with a TTL-respecting DNS cache: the writer recovers.
    copy = copy_lesson(root, work, "03b-dns-cache-forever", "my-experiment.yaml",
                       [("dns_cache: forever", "dns_cache: ttl")])
    junit = os.path.join(work, "03b-ttl.xml")
    code, out, err, s = run(rdsim, copy, os.path.join(work, "03b-ttl"), "--junit", junit)
    check("03b with ttl exits 3 (%d: %s)" % (code, err), code == 3)
    x = expectation(s, "writer_recovers")
    check("03b with ttl: writer_recovers was true", x is not None and x["actual"] is True
          and x["ok"] is False)
    want = [{"path": "clients.dns_cache", "shipped": "forever", "here": "ttl"}]
    check("summary.json names the changed parameter",
          s.get("lesson") == {"name": "03b-dns-cache-forever", "as_shipped": False,
                              "changes": want})
    with open(os.path.join(work, "03b-ttl", "report.md")) as f:
        report = f.read()
    check("report.md has the change table",
          "### Changed from lesson `03b-dns-cache-forever`" in report
          and "| `clients.dns_cache` | `forever` | `ttl` |" in report)
    check("report.md gives the actual value",
          "| writer_recovers | true | false | **FAIL** |" in report)
    flat = " ".join(out.split())
    check("the terminal names the change",
          "differs from lesson 03b-dns-cache-forever as shipped in clients.dns_cache "
          "(forever there, ttl here)" in flat)
    tree = ET.parse(junit)
    cases = tree.getroot().findall("./testsuite/testcase")
    check("JUnit: one case per expectation", [c.get("name") for c in cases]
          == [x["name"] for x in s["expectations"]])
    failed = [c.find("failure") for c in cases if c.find("failure") is not None]
    check("JUnit: the failure names the change",
          len(failed) == 1 and "clients.dns_cache (forever there, ttl here)" in failed[0].text)

    # The same copy with another seed: the seed is a change too.
    code, out, err, s = run(rdsim, copy, os.path.join(work, "03b-ttl-7"), "--seed", "7")
    check("03b with ttl, --seed 7 exits 3", code == 3)
    check("the seed is named", s is not None and {"path": "seed", "shipped": "5",
                                                  "here": "7 (--seed)"}
          in s["lesson"]["changes"])

    # Lesson 09: Aurora promotes the tier-0 replica of the largest class.
    lesson09 = os.path.join(root, "scenarios", "09-aurora-failover-by-tier.yaml")
    code, out, err, s = run(rdsim, lesson09, os.path.join(work, "09"))
    x = expectation(s, "failover_target") if s else None
    check("09 exits 0 (%d: %s)" % (code, err), code == 0)
    check("09: failover_target large-t0 is the failover's target",
          x is not None and x["ok"] and x["actual"] == "large-t0"
          and s["failovers"][0]["to"] == "large-t0")
    tier = copy_lesson(root, work, "09-aurora-failover-by-tier", "09-tier.yaml",
                       [("tier: 0, instance_class: db.r6g.2xlarge",
                         "tier: 1, instance_class: db.r6g.2xlarge")])
    code, out, err, s = run(rdsim, tier, os.path.join(work, "09-tier"))
    x = expectation(s, "failover_target") if s else None
    check("09 with large-t0 in tier 1 exits 3", code == 3)
    check("09 with large-t0 in tier 1 promotes small-t0",
          x is not None and not x["ok"] and x["actual"] == "small-t0")
    check("09 with large-t0 in tier 1 names the tier",
          s is not None and s.get("lesson", {}).get("changes")
          == [{"path": "cluster.instances.large-t0.tier", "shipped": "0", "here": "1"}])

    # min:/max: on a scenario that is no lesson: actual values as summary.json has them.
    bounds = copy_lesson(root, work, "09-aurora-failover-by-tier", "bounds.yaml",
                         [("name: 09-aurora-failover-by-tier", "name: bounds"),
                          ("expect:\n", "expect:\n  max: {p99_write_ms: 0.001, "
                           "max_writer_downtime_s: 60}\n  min: {reads_ok: 1, "
                           "availability_reader: 0.999}\n")])
    code, out, err, s = run(rdsim, bounds, os.path.join(work, "bounds"))
    check("bounds exits 3 (%d: %s)" % (code, err), code == 3)
    p99 = expectation(s, "max.p99_write_ms")
    check("max.p99_write_ms fails with the actual p99",
          p99 is not None and not p99["ok"] and p99["limit"] == 0.001
          and p99["actual"] == s["requests"]["write"]["p99_ms"])
    down = expectation(s, "max.max_writer_downtime_s")
    check("max.max_writer_downtime_s holds with the actual downtime",
          down is not None and down["ok"] and down["actual"] == s["max_writer_downtime_s"])
    reads = expectation(s, "min.reads_ok")
    check("min.reads_ok holds with the actual count",
          reads is not None and reads["ok"] and reads["actual"] == s["requests"]["read"]["ok"])
    avail = expectation(s, "min.availability_reader")
    check("min.availability_reader is availability.reader",
          avail is not None and avail["actual"] == s["availability"]["reader"])
    check("no lesson note for a scenario that is no lesson", "lesson" not in s)

    # An unknown figure: refused before anything runs.
    typo = copy_lesson(root, work, "09-aurora-failover-by-tier", "typo.yaml",
                       [("expect:\n", "expect:\n  max: {p99_wrte_ms: 50}\n")])
    code, out, err, s = run(rdsim, typo, os.path.join(work, "typo"))
    check("an unknown figure exits 2", code == 2)
    check("an unknown figure is named at its position",
          re.search(r"typo\.yaml:\d+:\d+: expect\.max\.p99_wrte_ms: unknown key; did you mean "
                    r"\"p99_write_ms\"\?", err) is not None)

    print("%d failures" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
