#!/usr/bin/env python3
"""test_verdicts.py - rdsim run's machine-readable verdicts.

Usage: test_verdicts.py RDSIM WORKDIR

--json: standard output is summary.json, byte for byte, and nothing else.
--junit FILE: the file parses with a real XML parser (xml.etree) and holds
what the common JUnit schema (Apache Ant's JUnit.xsd, as published by Windy
Road) requires: a <testsuites> root whose <testsuite>s carry name, package,
id, timestamp (xs:dateTime without a zone), hostname, tests, failures,
errors and time, hold <properties> first, then <testcase>s, then
<system-out> and <system-err>; each <testcase> carries name, classname and
time, and a failed one a <failure> with its type. One test case per
expectation of summary.json, failed exactly where summary.json says.
SOURCE_DATE_EPOCH makes the file the same bytes from run to run.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SCENARIO = """\
name: verdicts
duration: 2m
cluster:
  deployment: multi-az-instance
  instances:
    - {name: primary, role: writer, az: us-east-1a}
    - {name: standby, role: standby, az: us-east-1b}
    - {name: r1, role: replica, az: us-east-1c}
workload: {rows: 200, reads: 50/s, writes: 10/s}
events:
  - {at: 20s, action: reboot, target: primary, failover: true}
expect:
  max_writer_downtime: 1s        # fails: a Multi-AZ failover takes a minute or two
  lost_writes: 0
  min_availability: {reader: 0.9}
"""

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
failures = []


def check(name, cond):
    if not cond:
        failures.append(name)
        print("FAIL:", name)


def run(rdsim, *args, env=None):
    p = subprocess.run([rdsim, "run", *args], capture_output=True, env=env, timeout=600)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def check_schema(root, summary):
    """The common JUnit schema's structure and required attributes."""
    check("root is <testsuites>", root.tag == "testsuites")
    suites = list(root)
    check("one testsuite", len(suites) == 1 and all(s.tag == "testsuite" for s in suites))
    for i, s in enumerate(suites):
        for a in ("name", "package", "id", "timestamp", "hostname", "tests", "failures",
                  "errors", "time"):
            check("testsuite has " + a, a in s.attrib)
        check("testsuite name is a non-empty token", s.get("name", "").strip() != "")
        check("testsuite package is a non-empty token", s.get("package", "").strip() != "")
        check("testsuite hostname is non-empty", s.get("hostname", "").strip() != "")
        check("testsuite id counts from 0", s.get("id") == str(i))
        check("timestamp is xs:dateTime without a zone",
              DATETIME.match(s.get("timestamp", "")) is not None)
        check("time is a decimal", DECIMAL.match(s.get("time", "")) is not None)
        for a in ("tests", "failures", "errors"):
            check(a + " is an integer", s.get(a, "").isdigit())
        kids = [k.tag for k in s]
        check("properties first", kids[:1] == ["properties"])
        check("system-out and system-err last", kids[-2:] == ["system-out", "system-err"])
        check("only test cases between", set(kids[1:-2]) <= {"testcase"})
        for p in s.find("properties") or []:
            check("property has name and value", p.tag == "property" and "name" in p.attrib
                  and "value" in p.attrib)
        cases = s.findall("testcase")
        check("tests counts the test cases", s.get("tests") == str(len(cases)))
        failed = [c for c in cases if c.find("failure") is not None]
        check("failures counts the failed cases", s.get("failures") == str(len(failed)))
        check("errors is 0", s.get("errors") == "0")
        for c in cases:
            for a in ("name", "classname", "time"):
                check("testcase has " + a, a in c.attrib)
            check("testcase time is a decimal", DECIMAL.match(c.get("time", "")) is not None)
            check("testcase holds at most a failure",
                  [k.tag for k in c] in ([], ["failure"]))
            f = c.find("failure")
            if f is not None:
                check("failure has type", f.get("type", "") != "")
                check("failure has message", f.get("message", "") != "")
        # One test case per expectation, in summary.json's order, failed
        # where summary.json says.
        want = [(x["name"], x["ok"]) for x in summary["expectations"]]
        got = [(c.get("name"), c.find("failure") is None) for c in cases]
        check("a test case per expectation, as in summary.json", want == got)
        check("class name is the scenario", all(c.get("classname") == summary["scenario"]
                                                for c in cases))
        check("the story is system-out",
              "reboot primary with failover" in (s.find("system-out").text or ""))


def main():
    rdsim, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    scenario = os.path.join(work, "verdicts.yaml")
    with open(scenario, "w") as f:
        f.write(SCENARIO)

    junit = os.path.join(work, "junit.xml")
    status, out, err = run(rdsim, scenario, "-o", os.path.join(work, "a"), "--no-plots",
                           "--json", "--junit", junit)
    check("a failed expectation exits 3", status == 3)
    with open(os.path.join(work, "a", "summary.json"), "rb") as f:
        summary_bytes = f.read()
    check("--json prints summary.json byte for byte", out == summary_bytes)
    summary = json.loads(out)
    check("--json stdout parses as JSON", summary["scenario"] == "verdicts")
    check("the closing summary goes to stderr", "expect max_writer_downtime" in err)
    check("summary has a failed expectation",
          [x["ok"] for x in summary["expectations"]] == [False, True, True])

    root = ET.parse(junit).getroot()
    check_schema(root, summary)
    case = root.find("testsuite/testcase[@name='max_writer_downtime']/failure")
    check("the failure says the actual value and the limit",
          case is not None and re.match(r"max_writer_downtime: [0-9.]+ s, expected at most 1 s$",
                                        case.get("message", "")) is not None)
    check("the failure type is expectation", case is not None and case.get("type") == "expectation")
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    check("the seed is a property", props.get("seed") == str(summary["seed"]))
    check("the scenario file is a property", props.get("scenario_file") == "verdicts.yaml")

    # SOURCE_DATE_EPOCH: the same bytes twice (timestamp, host, time fixed).
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    j1, j2 = os.path.join(work, "j1.xml"), os.path.join(work, "j2.xml")
    run(rdsim, scenario, "-o", os.path.join(work, "b"), "--no-plots", "--quiet", "--junit", j1,
        env=env)
    run(rdsim, scenario, "-o", os.path.join(work, "c"), "--no-plots", "--quiet", "--junit", j2,
        env=env)
    with open(j1, "rb") as f1, open(j2, "rb") as f2:
        b1, b2 = f1.read(), f2.read()
    check("SOURCE_DATE_EPOCH gives the same bytes", b1 == b2)
    s = ET.fromstring(b1).find("testsuite")
    check("SOURCE_DATE_EPOCH is the timestamp", s.get("timestamp") == "2023-11-14T22:13:20")
    check("SOURCE_DATE_EPOCH hides the host", s.get("hostname") == "localhost")

    # --json with --quiet: still the summary, nothing on stderr.
    status, out, err = run(rdsim, scenario, "-o", os.path.join(work, "d"), "--no-plots",
                           "--json", "--quiet")
    check("--json --quiet prints the summary", json.loads(out)["scenario"] == "verdicts")
    check("--quiet prints nothing else", err == "")

    # An unwritable JUnit path is an error, after the results are written.
    status, out, err = run(rdsim, scenario, "-o", os.path.join(work, "e"), "--no-plots",
                           "--quiet", "--junit", os.path.join(work, "no", "such", "j.xml"))
    check("an unwritable --junit exits 1", status == 1)
    check("an unwritable --junit is named", "j.xml: cannot write" in err)

    if failures:
        print(len(failures), "check(s) failed")
        return 1
    print("all verdict checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
