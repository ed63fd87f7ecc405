#!/usr/bin/env python3
"""test_live_api.py - rdsim serve's HTTP API, end to end (issue 6 acceptance).

Usage: test_live_api.py RDSIM SCENARIO

Starts `rdsim serve SCENARIO --port 0 --paused` on loopback, reads the port
from the address it prints, and drives the API with the standard library:
the page and its assets are served from the binary; a write through the
writer endpoint is not yet visible through the reader endpoint while an
injected replica-lag holds the replica back (a stale read), and is once the
lag ends; an AZ outage on the writer's AZ makes the state show a failover
to another AZ, with the writer endpoint following; malformed JSON, an
oversize body, an unknown action, a restore (it would create an instance),
forbidden SQL, a write on a replica and unknown endpoints get their 4xx with
a JSON message, a snapshot is injected, connections past the
limit a 503; the server still
answers afterwards; SIGTERM stops it with status 0.
"""
import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

START_TIMEOUT = 60
WAIT_TIMEOUT = 240  # ASan builds simulate slowly


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print('ok: ' + what)


class Server:
    """rdsim serve on a free loopback port. `echo` copies its output lines to
    ours (the robustness test counts them instead: a flood must not flood
    the test log); other keywords go to subprocess.Popen."""

    def __init__(self, rdsim, scenario, *args, echo=True, **popen):
        self.p = subprocess.Popen([rdsim, 'serve', scenario, '--port', '0'] + list(args),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  errors='replace', **popen)
        self.port = None
        self.lines = []
        self.echo = echo
        self.output_bytes = 0
        threading.Thread(target=self._read, daemon=True).start()
        end = time.monotonic() + START_TIMEOUT
        while self.port is None:
            if self.p.poll() is not None:
                raise Failure('rdsim serve exited with %d: %s' % (self.p.returncode, self.lines))
            if time.monotonic() > end:
                raise Failure('rdsim serve printed no address')
            time.sleep(0.05)
        self.base = 'http://127.0.0.1:%d/' % self.port

    def _read(self):
        for line in self.p.stdout:
            self.output_bytes += len(line)
            if len(self.lines) < 1000:
                self.lines.append(line)
            if self.echo:
                sys.stdout.write('rdsim: ' + line)
            m = re.search(r'http://127\.0\.0\.1:(\d+)/', line)
            if m and self.port is None:
                self.port = int(m.group(1))

    def request(self, method, path, body=None, ctype='application/json', raw=False):
        """(status, parsed JSON body, headers)."""
        data = body if isinstance(body, (bytes, type(None))) else body.encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={'Content-Type': ctype})
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                payload = res.read()
                return res.status, payload if raw else json.loads(payload), res.headers
        except urllib.error.HTTPError as e:
            payload = e.read()
            try:
                return e.code, json.loads(payload), e.headers
            except ValueError:
                raise Failure('%s %s: HTTP %d without a JSON body: %r' % (method, path, e.code, payload[:200]))

    def get(self, path):
        return self.request('GET', path)[:2]

    def post(self, path, obj):
        return self.request('POST', path, json.dumps(obj))[:2]

    def sql(self, endpoint, stmt):
        return self.request('POST', 'sql/' + endpoint, stmt, 'text/plain')[:2]

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                return self.p.wait(30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
                raise Failure('rdsim serve did not stop on SIGTERM')
        return self.p.returncode


def wait_for(srv, pred, what, timeout=WAIT_TIMEOUT):
    end = time.monotonic() + timeout
    while True:
        status, st = srv.get('api/state')
        if status == 200 and pred(st):
            print('ok: ' + what)
            return st
        if time.monotonic() > end:
            raise Failure('timed out waiting for: %s (t_s %.1f)' % (what, st.get('t_s', -1)))
        time.sleep(0.2)


def expect_error(srv, what, status, res, code, needle=None):
    check(status == code, '%s: HTTP %d (got %d: %s)' % (what, code, status, res))
    check(isinstance(res, dict) and isinstance(res.get('error'), str) and res['error'],
          '%s: a JSON message: %r' % (what, res.get('error')))
    if needle:
        check(needle in res['error'], '%s: the message says %r' % (what, needle))


def exercise(srv):
    # The dashboard comes from the binary.
    status, page, hdr = srv.request('GET', '', raw=True)
    check(status == 200 and b'app.js' in page and 'text/html' in hdr['Content-Type'],
          'GET / serves the dashboard')
    for asset in ('app.js', 'style.css'):
        status, body, _ = srv.request('GET', asset, raw=True)
        check(status == 200 and len(body) > 1000, 'GET /%s serves the asset' % asset)

    status, st = srv.get('api/state')
    check(status == 200 and st['paused'] and st['scenario'] == 'live-multi-az',
          'the state names the scenario and says paused')
    writer = st['endpoints']['writer']
    azs = {i['name']: i['az'] for i in st['instances']}
    check(writer == 'primary' and st['endpoints']['reader'] == ['replica1'],
          'writer endpoint -> primary, reader endpoint -> replica1')

    # Let time run: fast enough for the test, slow enough to watch the lag.
    status, res = srv.post('api/control', {'paused': False, 'speed': 20})
    check(status == 200 and res['paused'] is False and res['speed'] == 20, 'resume at 20x')
    wait_for(srv, lambda s: s['t_s'] >= 5, 'simulated time runs')
    status, m = srv.get('api/metrics?since=-1')
    check(status == 200 and m['columns'][0] == 't_s' and len(m['rows']) >= 1,
          'metrics have the timeseries.csv columns and rows')
    status, ev = srv.get('api/events?since=0')
    check(status == 200 and ev['events'][0]['kind'] == 'start', 'the event log starts with start')

    # A stale read: hold the replica back, write on the writer, read on both.
    status, res = srv.post('api/actions', {'action': 'replica-lag', 'target': 'replica1',
                                           'delay': '2m', 'for': '3m'})
    check(status == 200 and res['at_s'] > 0, 'replica-lag injected at %.3f s' % res.get('at_s', -1))
    time.sleep(0.5)
    status, res = srv.sql('writer', 'UPDATE kv SET ver = 999999, cnt = cnt + 1 WHERE k = 7')
    check(status == 200 and res['instance'] == 'primary' and res['changes'] == 1,
          'UPDATE through the writer endpoint runs on primary: %s' % res)
    check(res['latency_ms'] > 0, 'the answer carries a simulated latency (%.3f ms)' % res['latency_ms'])
    status, res = srv.sql('writer', 'SELECT ver FROM kv WHERE k = 7')
    check(status == 200 and res['rows'] == [[999999]], 'the writer reads its own write')
    # A row the workload never writes, to check the catch-up later.
    status, res = srv.sql('writer', 'INSERT INTO kv VALUES (5001, 999999, 1, 0)')
    check(status == 200 and res['changes'] == 1, 'INSERT of k = 5001 through the writer')
    # Give replication (ticks of milliseconds) several simulated seconds.
    t0 = srv.get('api/state')[1]['t_s']
    wait_for(srv, lambda s: s['t_s'] >= t0 + 10, 'ten simulated seconds pass')
    status, res = srv.sql('reader', 'SELECT k, ver FROM kv WHERE k = 7')
    check(status == 200 and res['instance'] == 'replica1', 'the reader endpoint answers from replica1')
    check(res['rows'] and res['rows'][0][1] != 999999,
          'stale read: replica1 still has ver %s, not 999999 (lag %.0f ms)' % (res['rows'][0][1], res['lag_ms']))
    check(res['lag_ms'] > 5000, 'the reply shows the replica lagging')
    status, res = srv.sql('reader', 'SELECT k, ver FROM kv WHERE k = 5001')
    check(status == 200 and res['rows'] == [], 'stale read: replica1 lacks the inserted row')
    # A read replica refuses writes.
    status, res = srv.sql('reader', "UPDATE kv SET ver = 1 WHERE k = 7")
    expect_error(srv, 'a write on the reader endpoint', status, res, 403, 'read-only')

    # The 4xx family.
    status, res, _ = srv.request('POST', 'api/actions', '{"action": "az-outage", "az": ')
    expect_error(srv, 'malformed JSON', status, res, 400, 'malformed JSON')
    status, res, _ = srv.request('POST', 'api/actions', '{"action": "az-outage", "az": "%s"}' % ('x' * 200000))
    expect_error(srv, 'an oversize body', status, res, 413, 'limit')
    status, res = srv.post('api/actions', {'action': 'meteor-strike'})
    expect_error(srv, 'an unknown action', status, res, 400, 'action')
    status, res = srv.post('api/actions', {'action': 'az-outage', 'az': 'us-east-1z'})
    expect_error(srv, 'an unknown AZ', status, res, 400, 'us-east-1z')
    status, res = srv.post('api/actions', {'action': 'az-outage', 'az': 'us-east-1a', 'at': '1m'})
    expect_error(srv, 'an action with at:', status, res, 400)
    status, res = srv.post('api/actions', ['az-outage'])
    expect_error(srv, 'a JSON array', status, res, 400)
    # A restore needs an instance slot planned at the start: refused, and
    # said why; a snapshot works live.
    status, res = srv.post('api/actions', {'action': 'restore', 'name': 'copy',
                                           'az': 'us-east-1c', 'to': 'latest'})
    expect_error(srv, 'a live restore', status, res, 400, 'not available live')
    status, res = srv.post('api/actions', {'action': 'snapshot', 'name': 'live-snap'})
    check(status == 200 and res.get('action') == 'snapshot',
          'a live snapshot is injected: %r' % res)
    for stmt, needle in (('DROP TABLE kv', 'refused'),
                         ('CREATE TABLE t(x)', 'refused'),
                         ('PRAGMA journal_mode', 'refused'),
                         ('SELECT * FROM sqlite_master', 'refused'),
                         ('ATTACH DATABASE \'/tmp/x.db\' AS x', 'refused'),
                         ('DELETE FROM kv', 'workload')):
        status, res = srv.sql('writer', stmt)
        expect_error(srv, 'forbidden SQL %r' % stmt, status, res, 403, needle)
    status, res = srv.sql('writer', 'SELECT 1; DROP TABLE kv')
    expect_error(srv, 'two statements', status, res, 400, 'one statement')
    status, res = srv.sql('writer', 'SELEC nothing')
    expect_error(srv, 'a syntax error', status, res, 400, 'SQL error')
    status, res = srv.sql('writer', 'SELECT count(*) FROM kv a, kv b, kv c')
    expect_error(srv, 'a runaway query', status, res, 400, 'limit')
    status, res = srv.sql('instance/nosuch', 'SELECT 1')
    expect_error(srv, 'an unknown instance', status, res, 404, 'nosuch')
    status, res = srv.get('api/nothing')
    expect_error(srv, 'an unknown API path', status, res, 404)
    status, res = srv.get('api/actions')
    expect_error(srv, 'GET on a POST endpoint', status, res, 405)
    status, res = srv.post('api/control', {'speed': -3})
    expect_error(srv, 'a negative speed', status, res, 400, 'speed')
    status, res = srv.sql('writer', 'SELECT count(*) AS n FROM kv WHERE k < 1000')
    check(status == 200 and res['rows'] == [[1000]], 'the workload table is intact after all that')
    # Rows beyond the workload's keys may come and go.
    status, res = srv.sql('writer', 'INSERT INTO kv VALUES (5000, 1, 1, 1)')
    check(status == 200 and res['changes'] == 1, 'INSERT of a new key (k >= rows) is allowed')
    status, res = srv.sql('writer', 'DELETE FROM kv WHERE k = 5000')
    check(status == 200 and res['changes'] == 1, 'and DELETE of it')

    # The connection limit (64): keep-alive connections that have each sent
    # a request count; past the limit the answer is 503 in JSON.
    conns, codes = [], []
    for _ in range(70):
        c = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=30)
        c.request('GET', '/api/state')
        r = c.getresponse()
        body = json.loads(r.read())
        codes.append(r.status)
        if r.status == 503:
            check('too many connections' in body['error'], 'past the limit: %s' % body['error'])
            c.close()
        else:
            conns.append(c)
    check(codes.count(200) >= 60 and codes.count(503) >= 1,
          'the connection limit holds: %d answered, %d refused' % (codes.count(200), codes.count(503)))
    for c in conns:
        c.close()
    time.sleep(0.5)
    check(srv.get('api/state')[0] == 200, 'closed connections free their places')

    # The lag ends: the replica catches up with the write.
    wait_for(srv, lambda s: s['t_s'] >= t0 + 200, 'the replica-lag is over')
    wait_for(srv, lambda s: next(i for i in s['instances'] if i['name'] == 'replica1')['lag_ms'] < 1000,
             'replica1 has caught up')
    status, res = srv.sql('reader', 'SELECT ver FROM kv WHERE k = 5001')
    check(status == 200 and res['rows'] == [[999999]], 'the reader endpoint now sees the write')

    # The AZ outage: the failover shows in the state.
    status, res = srv.post('api/actions', {'action': 'az-outage', 'az': azs[writer], 'for': '10m'})
    check(status == 200, 'az-outage of %s injected at %.3f s' % (azs[writer], res['at_s']))
    at = res['at_s']
    st = wait_for(srv, lambda s: any(f['dns_updated_s'] for f in s['failovers'])
                  and s['endpoints']['writer'] != writer,
                  'a failover with its DNS update, the writer endpoint moved')
    fo = st['failovers'][-1]
    check(fo['from'] == writer and fo['to'] == 'standby' and fo['at_s'] == at,
          'failover %s -> %s at the injected time' % (fo['from'], fo['to']))
    check(at < fo['detected_s'] <= fo['promoted_s'] <= fo['dns_updated_s'],
          'phases in order: detected %.1f, promoted %.1f, DNS %.1f' %
          (fo['detected_s'], fo['promoted_s'], fo['dns_updated_s']))
    check(st['endpoints']['writer'] == 'standby' and azs['standby'] != azs[writer],
          'the writer endpoint points at standby, in another AZ')
    old = next(i for i in st['instances'] if i['name'] == writer)
    check(old['state'] == 'down', 'the old writer is down')
    az = next(a for r in st['regions'] for a in r['azs'] if a['name'] == azs[writer])
    check(not az['up'], 'the AZ is marked out')
    check([e['action'] for e in st['injected']] == ['replica-lag', 'snapshot', 'az-outage'],
          'the state lists the injected actions')
    status, res = srv.sql('writer', 'SELECT ver FROM kv WHERE k = 5001')
    check(status == 200 and res['instance'] == 'standby' and res['rows'] == [[999999]],
          'the new writer has the acknowledged write')
    status, ev = srv.get('api/events?since=0')
    kinds = [e['kind'] for e in ev['events']]
    for k in ('fault', 'detected', 'promoted', 'dns'):
        check(k in kinds, 'the event log has "%s"' % k)

    status, text, hdr = srv.request('GET', 'api/session', raw=True)
    check(status == 200 and b'az-outage' in text and b'replica-lag' in text,
          'GET /api/session returns the session as YAML')


def run(srv, body):
    """body(srv), then SIGTERM must stop the server with status 0; the exit
    status for the test (0 PASS, 1 FAIL), the server stopped either way."""
    try:
        body(srv)
        rc = srv.stop()
        check(rc == 0, 'SIGTERM stops rdsim serve with status 0 (got %s)' % rc)
    except Failure as e:
        print('FAIL: %s' % e)
        srv.stop()
        return 1
    finally:
        if srv.p.poll() is None:
            srv.p.kill()
    print('PASS')
    return 0


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    return run(Server(sys.argv[1], sys.argv[2], '--paused'), exercise)


if __name__ == '__main__':
    sys.exit(main())
