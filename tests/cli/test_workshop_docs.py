#!/usr/bin/env python3
"""test_workshop_docs.py - the workshop kit's documents agree with the lessons.

docs/workshop.md: the timetable lists every lesson of scenarios/meson.build
once, in teaching order, and its minutes add up to the totals the text
states (80 for the core lessons in a 90-minute track, 210 for all of them
in the full track). docs/handout.md: one page per lesson, in order, whose
question is the lesson's own "Question:" paragraph, with room to predict.

Usage: test_workshop_docs.py SOURCE_ROOT
"""
import re
import sys

root = sys.argv[1]
failures = []


def check(what, ok):
    if not ok:
        failures.append(what)
        print("FAIL: " + what)


names = re.findall(r"'([^']+)'", open(root + "/scenarios/meson.build").read()
                   .split("lesson_names = [", 1)[1].split("]", 1)[0])

ws = open(root + "/docs/workshop.md").read()
table = ws.split("## Timetable", 1)[1].split("\n## ", 1)[0]
rows = re.findall(r"^\| (\d\d[a-z]?)( ★)? \| `([^`]+)` \| (\d+) \|", table, re.M)
check("the timetable lists every lesson once, in order (got %s)" % [r[2] for r in rows],
      [r[2] for r in rows] == names)
core = sum(int(r[3]) for r in rows if r[1])
full = sum(int(r[3]) for r in rows)
check("core lessons add up to 80 minutes (got %d)" % core, core == 80)
check("all lessons add up to 210 minutes (got %d)" % full, full == 210)
check("the text states the core total", "5 (setup check) + 80 (the nine ★ lessons) + 5 "
      "(wrap-up) = 90 min" in ws and len([r for r in rows if r[1]]) == 9)
check("the text states the full total", "10 (setup check) + 210 (all twenty-nine lessons) + 2 x 10 "
      "(breaks) +\n  5 (wrap-up) = 245 min" in ws and len(rows) == 29)
check("two breaks in the table", table.count("*full track: break, 10 min*") == 2)
check("no \"the issue's\" in the students' guide", "the issue's" not in ws)

ho = open(root + "/docs/handout.md").read()
pages = re.findall(r"^## Lesson (\S+)\n\n\*\*Question:\*\* (.*?)\n\n", ho, re.M | re.S)
check("the handout has one page per lesson, in order (got %s)" % [p[0] for p in pages],
      [p[0] for p in pages] == names)
for name, q in pages:
    y = open("%s/scenarios/%s.yaml" % (root, name)).read()
    m = re.search(r"^  Question: (.*?)\n\n", y, re.S | re.M)
    want = " ".join(m.group(1).split()) if m else None
    check("%s: the handout's question is the lesson's (%r vs %r)" % (name, q, want),
          " ".join(q.split()) == want)
for name in names:
    page = ho.split("## Lesson %s\n" % name, 1)[-1].split("\n## ", 1)[0]
    check("%s: the page has room for the prediction" % name, "My prediction" in page and
          page.count("\\_\\_\\_\\_") >= 2)

print("%d failures" % len(failures))
sys.exit(1 if failures else 0)
