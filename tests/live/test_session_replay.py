#!/usr/bin/env python3
"""test_session_replay.py - a saved live session replays with rdsim run.

Usage: test_session_replay.py RDSIM SCENARIO WORKDIR

Runs `rdsim serve SCENARIO --port 0 --paused --save WORKDIR/session.yaml
-o WORKDIR/live`, injects a replica-lag, a load change, an AZ outage on the
writer's AZ and a manual failover back at different simulated times while
the clock runs, lets the run reach its end, stops the server with SIGTERM,
then runs `rdsim run WORKDIR/session.yaml -o WORKDIR/replay` and checks that
the replay has the same failovers (the acceptance) and, stronger, the same
summary.json, events.csv and timeseries.csv bytes as the live run
(report.md differs in one line: the file its "Reproduce" command names).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

TIMEOUT = 400


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print('ok: ' + what)


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    rdsim, scenario, work = sys.argv[1:]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    session = os.path.join(work, 'session.yaml')
    live_dir = os.path.join(work, 'live')
    replay_dir = os.path.join(work, 'replay')
    p = subprocess.Popen([rdsim, 'serve', scenario, '--port', '0', '--paused', '--save', session,
                          '-o', live_dir], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = []
    lines = []

    def read():
        for line in p.stdout:
            lines.append(line)
            sys.stdout.write('rdsim: ' + line)
            m = re.search(r'http://127\.0\.0\.1:(\d+)/', line)
            if m and not port:
                port.append(int(m.group(1)))
    threading.Thread(target=read, daemon=True).start()
    try:
        end = time.monotonic() + 60
        while not port:
            if p.poll() is not None or time.monotonic() > end:
                raise Failure('rdsim serve did not print its address: %s' % lines)
            time.sleep(0.05)
        base = 'http://127.0.0.1:%d/' % port[0]

        def state():
            return call(base, 'GET', 'api/state')[1]

        def run_until(t):
            end = time.monotonic() + TIMEOUT
            while state()['t_s'] < t:
                if time.monotonic() > end:
                    raise Failure('simulated time did not reach %s s' % t)
                time.sleep(0.05)

        def inject(action):
            status, res = call(base, 'POST', 'api/actions', action)
            check(status == 200, 'injected %s at %.3f s' % (action['action'], res.get('at_s', -1)))
            return res['at_s']

        st = state()
        writer_az = next(i['az'] for i in st['instances'] if i['name'] == st['endpoints']['writer'])
        inject({'action': 'replica-lag', 'target': 'replica1', 'delay': '5s', 'for': '1m'})
        status, _ = call(base, 'POST', 'api/control', {'paused': False, 'speed': 100})
        check(status == 200, 'resumed at 100x')
        run_until(60)
        inject({'action': 'load', 'writes': '120/s'})
        outage_at = inject({'action': 'az-outage', 'az': writer_az, 'for': '3m'})
        run_until(outage_at + 400)
        inject({'action': 'failover'})
        status, _ = call(base, 'POST', 'api/control', {'speed': 1000})
        end = time.monotonic() + TIMEOUT
        while not state()['finished']:
            if time.monotonic() > end:
                raise Failure('the run did not finish')
            time.sleep(0.1)
        live = state()
        check(len(live['failovers']) >= 2, 'the live run had %d failovers' % len(live['failovers']))
        p.send_signal(signal.SIGTERM)
        check(p.wait(60) == 0, 'rdsim serve stopped with status 0')
        check(os.path.exists(session), 'the session was saved to %s' % session)
        with open(session) as f:
            text = f.read()
        check(text.count('action: ') == 4, 'the session holds the four injected actions')

        r = subprocess.run([rdsim, 'run', session, '-o', replay_dir, '--quiet'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
        print(r.stdout)
        check(r.returncode in (0, 3), 'rdsim run replays the session (status %d)' % r.returncode)
        with open(os.path.join(replay_dir, 'summary.json')) as f:
            replay = json.load(f)
        want = [(f['at_s'], f['from'], f['to'], round(f['detected_s'], 3), round(f['promoted_s'], 3),
                 round(f['dns_updated_s'], 3)) for f in live['failovers']]
        got = [(f['at_s'], f['from'], f['to'], round(f['detected_s'], 3), round(f['promoted_s'], 3),
                round(f['dns_updated_s'], 3)) for f in replay['failovers']]
        check(got == want, 'the replay has the same failovers: %s' % got)
        for name in ('summary.json', 'events.csv', 'timeseries.csv'):
            with open(os.path.join(live_dir, name), 'rb') as a, \
                    open(os.path.join(replay_dir, name), 'rb') as b:
                check(a.read() == b.read(), '%s is byte-identical live and replayed' % name)
    except Failure as e:
        print('FAIL: %s' % e)
        return 1
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
