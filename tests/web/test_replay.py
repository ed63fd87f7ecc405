#!/usr/bin/env python3
"""test_replay.py - rdsim serve --replay DIR plays a finished results folder.

Usage: test_replay.py RDSIM LESSON01 OUTDIR

Runs lesson 01 into OUTDIR/run with `rdsim run`, serves it with `rdsim
serve --replay`, and checks, with the folder's own files as the reference:
  - GET /api/state?t=T, at times before, during and after the failover:
    each instance's state word and lag are those of timeseries.csv's row of
    the interval holding T, the failover's phase times appear once T reaches
    them (summary.json), the writer endpoint is the one the last DNS event
    named, the faults in force are those of events.csv;
  - /api/metrics and /api/events give every row of the two CSV files;
  - in headless Chromium (when installed), "phase ▶" stops at "promoted"
    with the page showing that state (screenshot OUTDIR/replay-promoted.png:
    look at it), and the slider shows the finished outage later on;
  - bad uses exit 2 with a message.
"""
import csv
import json
import os
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_dashboard as td  # noqa: E402

OPEN = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(port, path):
    with OPEN.open('http://127.0.0.1:%d/%s' % (port, path), timeout=30) as r:
        return json.loads(r.read())


def num(s):
    return None if s == '' else float(s)


def start_replay(rdsim, folder):
    import re
    import threading
    import time
    p = subprocess.Popen([rdsim, 'serve', '--replay', folder, '--port', '0'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = []

    def read():
        for line in p.stdout:
            sys.stdout.write('rdsim: ' + line)
            m = re.search(r'https?://[^\s/]+:(\d+)', line)
            if m and not found:
                found.append(int(m.group(1)))
    threading.Thread(target=read, daemon=True).start()
    end = time.monotonic() + td.START_TIMEOUT
    while not found:
        if p.poll() is not None or time.monotonic() > end:
            raise td.Failure('rdsim serve --replay printed no address')
        time.sleep(0.1)
    return p, found[0]


def check_api(port, folder):
    with open(os.path.join(folder, 'timeseries.csv')) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(folder, 'events.csv')) as f:
        events = list(csv.DictReader(f))
    with open(os.path.join(folder, 'summary.json')) as f:
        summary = json.load(f)
    fo = summary['failovers'][0]

    m = get(port, 'api/metrics?since=-1')
    td.check(len(m['rows']) == len(rows) and m['rows'][-1][0] == float(rows[-1]['t_s']),
             '/api/metrics gives all %d rows of timeseries.csv' % len(rows))
    e = get(port, 'api/events?since=0')['events']
    td.check([(x['t_s'], x['kind'], x['subject'], x['detail']) for x in e] ==
             [(float(x['t_s']), x['kind'], x['subject'], x['detail']) for x in events],
             '/api/events gives the %d rows of events.csv' % len(events))

    names = [c[5:] for c in rows[0] if c.startswith('role_')]
    for t in (100.0, 121.0, fo['detected_s'], fo['promoted_s'], 190.0, fo['dns_updated_s'] + 0.5,
              400.0):
        st = get(port, 'api/state?t=%r' % t)
        row = next((r for r in rows if float(r['t_s']) >= t - 1e-9), rows[-1])
        td.check(st['replay'] and abs(st['t_s'] - t) < 1e-9 and
                 st['sample_t_s'] == float(row['t_s']),
                 't=%g: the state uses the sample of its interval (t_s %s)' % (t, row['t_s']))
        got = {i['name']: (i['state'], i['lag_ms']) for i in st['instances']}
        want = {n: (row['role_' + n], num(row['lag_ms_' + n]) or 0.0) for n in names}
        td.check(got == want, 't=%g: instance states and lags are the row\'s %s' % (t, want))
        f = st['failovers']
        if t < fo['at_s']:
            td.check(f == [], 't=%g: no failover yet' % t)
        else:
            for k in ('detected_s', 'promoted_s', 'dns_updated_s'):
                td.check(f[0][k] == (fo[k] if fo[k] <= t + 1e-9 else None),
                         't=%g: %s is %s' % (t, k, f[0][k]))
            td.check((f[0]['to'] is None) == (t < fo['detected_s']),
                     't=%g: the new writer is named once detected' % t)
        dns = [x for x in events if x['kind'] == 'dns' and float(x['t_s']) <= t + 1e-9]
        want_ep = dns[-1]['detail'].split('resolves to ')[1].split()[0] if dns else rows[0]['writer']
        td.check(st['endpoints']['writer'] == want_ep,
                 't=%g: the writer endpoint names %s' % (t, want_ep))
        in_force = [x['subject'] for x in st['faults']]
        td.check(in_force == (['us-east-1a'] if 120 <= t < 360 else []),
                 't=%g: faults in force %s' % (t, in_force))
    return summary


def check_page(rdsim, port, outdir, summary):
    if not all(os.access(t, os.X_OK) for t in (td.CHROMIUM, td.CHROMEDRIVER)):
        print('skip: the page (no chromium or chromedriver)')
        return
    driver = wd = None
    fo = summary['failovers'][0]
    try:
        driver, base = td.start_chromedriver()
        wd = td.WebDriver(base)
        wd.start(['--headless=new', '--no-sandbox', '--disable-gpu',
                  '--disable-dev-shm-usage', '--window-size=1600,1000'])
        wd.get('http://127.0.0.1:%d/' % port)
        wd.wait("return document.body.classList.contains('replay') && "
                "document.querySelectorAll('.inst').length >= 3;",
                'the page opens the replay', td.START_TIMEOUT)
        td.check(wd.js("return document.getElementById('conn').dataset.mode;") == 'replay',
                 'the page says it is a replay')
        td.check(wd.js("return getComputedStyle(document.getElementById('actions-panel')).display;")
                 == 'none', 'no inject buttons in a replay')
        for _ in range(6):
            wd.click('#replay-next')
            kind = wd.wait("var p = document.getElementById('replay-phase');"
                           "return S.replay.seq && p.dataset.kind !== undefined && "
                           "Math.abs(Number(document.getElementById('replay-slider').value) - S.replay.t) < 0.01"
                           " ? (p.dataset.kind || 'none') : null;", 'a phase step', 30)
            if kind == 'promoted':
                break
        td.check(kind == 'promoted', '"phase ▶" reaches "promoted"')
        t = wd.js("return S.replay.t;")
        td.check(abs(t - fo['promoted_s']) < 1e-6, 'the slider stops at %.3f s' % t)
        wd.wait("return document.getElementById('sim-time').textContent === arguments[0];",
                'the clock shows the promotion time', 30, '3:08')
        st = get(port, 'api/state?t=%r' % t)
        page = wd.js("return [...document.querySelectorAll('.inst')].map(function (e) {"
                     "return [e.dataset.instance, e.dataset.state]; });")
        td.check(sorted(map(tuple, page)) == sorted((i['name'], i['state']) for i in st['instances']),
                 'the page draws the state at that time: %s' % page)
        done = wd.js("return [...document.querySelectorAll('#failovers .phase.done b')]"
                     ".map(function (b) { return b.textContent; });")
        td.check(done == ['fault', 'detected', 'promoted'], 'the card shows the phases so far: %s' % done)
        wd.wait("return document.getElementById('downtime').dataset.state === 'down';",
                'writes are still down at promotion', 30)
        want = 'down %d s' % int(fo['promoted_s'] - summary['writer_outages'][0]['at_s'])
        wd.wait("return document.getElementById('downtime-value').textContent === arguments[0];",
                'the counter reads %r at promotion' % want, 30, want)
        import time
        time.sleep(0.8)
        wd.screenshot(os.path.join(outdir, 'replay-promoted.png'))
        # The same moment in presenter mode, on a small projector.
        import test_present as tp
        wd.click('#present-toggle')
        tp.set_viewport(wd, 1280, 720)
        time.sleep(0.5)
        v = wd.js(tp.IN_VIEW)
        td.check(v['n'] >= 4 and not v['bad'] and not v['scroll'],
                 'presenter mode at 1280x720: all %d charts in the viewport %s' % (v['n'], v['bad']))
        o = wd.js(tp.OVERLAPS)
        td.check(not o['bad'], 'no labels overlap %s' % o['bad'])
        td.check('How long' in (wd.js(tp.VISIBLE, '#lesson-question') or ''),
                 'the question (from report.md) is on screen')
        wd.screenshot(os.path.join(outdir, 'replay-promoted-present-1280x720.png'))
        wd.click('#present-toggle')
        wd.js("var s = document.getElementById('replay-slider'); s.value = '300';"
              "s.dispatchEvent(new Event('input'));")
        note = wd.wait("return S.replay.t === 300 && "
                       "document.getElementById('downtime').dataset.state === 'recovered' ? "
                       "document.getElementById('downtime-note').textContent : null;",
                       'the slider moves to 5:00', 30)
        want = 'last outage %.1f s' % summary['writer_outages'][0]['writer_downtime_s']
        td.check(want in note, 'the counter shows summary.json\'s outage: %r' % note)
        kinds = wd.js("return [...document.querySelectorAll('#timeline li')].map(function (l) {"
                      "return l.dataset.kind; });")
        td.check('dns' in kinds and 'end' not in kinds, 'the timeline holds the events up to 5:00')
    finally:
        if wd:
            wd.quit()
        td.stop(driver)


def check_no_replica(rdsim, outdir, lesson10):
    """A healthy cluster without replicas (lesson 10) has an empty reader
    endpoint, drawn in neutral colours, not as a fault."""
    if not all(os.access(t, os.X_OK) for t in (td.CHROMIUM, td.CHROMEDRIVER)):
        return
    folder = os.path.join(outdir, 'run-no-replica')
    p = subprocess.run([rdsim, 'run', lesson10, '-o', folder, '--quiet', '--force',
                        '--no-plots'], capture_output=True, text=True)
    td.check(p.returncode == 0, 'lesson 10 runs')
    server = driver = wd = None
    try:
        server, port = start_replay(rdsim, folder)
        driver, base = td.start_chromedriver()
        wd = td.WebDriver(base)
        wd.start(['--headless=new', '--no-sandbox', '--disable-gpu',
                  '--disable-dev-shm-usage', '--window-size=1600,1000'])
        wd.get('http://127.0.0.1:%d/?present&t=30' % port)
        text = wd.wait("var r = document.getElementById('reader-endpoint');"
                       "return S.replay && S.replay.t === 30 && r ? r.textContent : null;",
                       'lesson 10 at 0:30 in presenter mode', td.START_TIMEOUT)
        td.check('no replica' in text and not wd.js("return document.querySelectorAll("
                                                    "'.endpoint .none').length;"),
                 'an empty reader endpoint without replicas is not drawn as broken: %r' % text)
        wd.wait("return document.getElementById('downtime').dataset.state === 'ok';",
                'the downtime counter is calm before the fault', 30)
        wd.screenshot(os.path.join(outdir, 'replay-no-replica-healthy.png'))
    finally:
        if wd:
            wd.quit()
        td.stop(driver)
        td.stop(server)


def check_errors(rdsim, outdir):
    p = subprocess.run([rdsim, 'serve', '--replay', os.path.join(outdir, 'nothing-here')],
                       capture_output=True, text=True)
    td.check(p.returncode == 2 and 'summary.json' in p.stderr,
             'a folder without results exits 2 and names the file: %s' % p.stderr.strip())
    p = subprocess.run([rdsim, 'serve', '--replay', outdir, 'x.yaml'], capture_output=True,
                       text=True)
    td.check(p.returncode == 2 and 'not both' in p.stderr, '--replay with a scenario exits 2')
    p = subprocess.run([rdsim, 'serve', '--replay', outdir, '--speed', '5'], capture_output=True,
                       text=True)
    td.check(p.returncode == 2 and '--speed' in p.stderr, '--replay with --speed exits 2')


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    rdsim, lesson, outdir = sys.argv[1:]
    os.makedirs(outdir, exist_ok=True)
    folder = os.path.join(outdir, 'run')
    server = None
    try:
        p = subprocess.run([rdsim, 'run', lesson, '-o', folder, '--quiet', '--force',
                            '--no-plots'], capture_output=True, text=True)
        td.check(p.returncode == 0, 'lesson 01 runs into %s' % folder)
        check_errors(rdsim, outdir)
        server, port = start_replay(rdsim, folder)
        summary = check_api(port, folder)
        check_page(rdsim, port, outdir, summary)
        check_no_replica(rdsim, outdir,
                         os.path.join(os.path.dirname(lesson), '10-aurora-no-replica.yaml'))
    except td.Failure as e:
        print('FAIL: %s' % e)
        return 1
    finally:
        td.stop(server)
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
