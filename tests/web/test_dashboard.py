#!/usr/bin/env python3
"""test_dashboard.py - the dashboard in a real browser, end to end.

Usage: test_dashboard.py RDSIM SCENARIO OUTDIR

Starts `rdsim serve SCENARIO --port 0 --speed 20`, drives headless Chromium
through chromedriver with the W3C WebDriver protocol (standard library only:
urllib and json), and checks what a workshop participant would see: the
cluster drawn with its writer, live updates over server-sent events, a
rejected action's message shown, the SQL console answering and refusing,
and, after clicking "AZ outage" on the writer's AZ, the writer moving to
another instance with the failover's phases in the timeline. Screenshots
before and after the click go to OUTDIR (look at them).

Exits 77 (skipped) when /usr/bin/chromium or /usr/bin/chromedriver is
missing: `tools/deps.sh --tests` installs them.
"""
import base64
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
SKIP = 77

# Generous: the sanitizer build runs the simulation and the server slowly.
START_TIMEOUT = 60
FAILOVER_TIMEOUT = 180


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print('ok: ' + what)


def http(method, url, body=None, timeout=60):
    """One HTTP request with a JSON body; returns (status, parsed JSON)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b'null')
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {'raw': raw.decode(errors='replace')}


class WebDriver:
    """The few W3C WebDriver commands this test needs."""

    def __init__(self, base):
        self.base = base
        self.session = None

    def cmd(self, method, path, body=None):
        status, res = http(method, self.base + path, body)
        if status != 200:
            raise Failure('webdriver %s %s: HTTP %d %s' % (method, path, status, res))
        return res['value']

    def start(self, args):
        caps = {'capabilities': {'alwaysMatch': {
            'browserName': 'chrome',
            'goog:chromeOptions': {'binary': CHROMIUM, 'args': args},
        }}}
        self.session = self.cmd('POST', '/session', caps)['sessionId']
        self.cmd('POST', self.path('/timeouts'), {'script': 30000, 'pageLoad': 60000})

    def path(self, p):
        return '/session/%s%s' % (self.session, p)

    def quit(self):
        if self.session:
            try:
                http('DELETE', self.base + self.path(''), timeout=20)
            except OSError:
                pass
            self.session = None

    def get(self, url):
        self.cmd('POST', self.path('/url'), {'url': url})

    def js(self, script, *args):
        return self.cmd('POST', self.path('/execute/sync'), {'script': script, 'args': list(args)})

    def find(self, css):
        res = self.cmd('POST', self.path('/element'), {'using': 'css selector', 'value': css})
        return next(iter(res.values()))

    def click(self, css):
        self.cmd('POST', self.path('/element/%s/click' % self.find(css)), {})

    def type(self, css, text):
        el = self.find(css)
        self.cmd('POST', self.path('/element/%s/clear' % el), {})
        self.cmd('POST', self.path('/element/%s/value' % el), {'text': text})

    def screenshot(self, file):
        png = base64.b64decode(self.cmd('GET', self.path('/screenshot')))
        with open(file, 'wb') as f:
            f.write(png)
        print('screenshot: ' + file)

    def wait(self, script, what, timeout, *args):
        """Poll a script until it returns something truthy; return that."""
        end = time.monotonic() + timeout
        while True:
            v = self.js(script, *args)
            if v:
                print('ok: ' + what)
                return v
            if time.monotonic() > end:
                raise Failure('timed out after %d s waiting for: %s' % (timeout, what))
            time.sleep(0.25)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start_rdsim(rdsim, scenario):
    """Start the server; return (process, port) once it prints its address."""
    p = subprocess.Popen([rdsim, 'serve', scenario, '--port', '0', '--speed', '20'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = []

    def read():
        # Keep draining stdout so the server never blocks on a full pipe.
        for line in p.stdout:
            sys.stdout.write('rdsim: ' + line)
            m = re.search(r'https?://[^\s/]+:(\d+)', line) or re.search(r'\bport (\d+)', line)
            if m and not found:
                found.append(int(m.group(1)))
    threading.Thread(target=read, daemon=True).start()
    end = time.monotonic() + START_TIMEOUT
    while not found:
        if p.poll() is not None:
            raise Failure('rdsim serve exited with %d before printing its port' % p.returncode)
        if time.monotonic() > end:
            raise Failure('rdsim serve printed no port within %d s' % START_TIMEOUT)
        time.sleep(0.1)
    return p, found[0]


def start_chromedriver():
    port = free_port()
    p = subprocess.Popen([CHROMEDRIVER, '--port=%d' % port],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = 'http://127.0.0.1:%d' % port
    end = time.monotonic() + START_TIMEOUT
    while True:
        try:
            status, res = http('GET', base + '/status', timeout=5)
            if status == 200 and res['value'].get('ready'):
                return p, base
        except OSError:
            pass
        if p.poll() is not None or time.monotonic() > end:
            raise Failure('chromedriver did not start')
        time.sleep(0.2)


def stop(p):
    if p and p.poll() is None:
        p.terminate()
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# Scripts run in the page.
WRITER = "return document.getElementById('writer-name').dataset.writer || null;"
AZ_OF = """var c = document.querySelector('.inst[data-instance="' + arguments[0] + '"]');
return c ? c.closest('.az').dataset.az : null;"""
TEXT = "var e = document.querySelector(arguments[0]); return e ? e.textContent : null;"


def exercise(wd, url, outdir):
    wd.get(url)
    writer = wd.wait("return document.getElementById('writer-name').dataset.writer && "
                     "document.querySelectorAll('.inst').length > 1 ? "
                     "document.getElementById('writer-name').dataset.writer : null;",
                     'the page shows the cluster and its writer', START_TIMEOUT)
    writer_az = wd.js(AZ_OF, writer)
    check(writer_az, 'the writer %s is drawn in its AZ (%s)' % (writer, writer_az))
    wd.wait("return document.getElementById('conn').dataset.mode === 'live';",
            'updates arrive over server-sent events', START_TIMEOUT)
    wd.wait("return document.querySelectorAll('#chart-latency path').length >= 2 && "
            "document.querySelectorAll('#timeline li').length >= 1;",
            'the latency chart and the timeline have data', START_TIMEOUT)
    buttons = wd.js("return [...document.querySelectorAll('#actions button[data-action]')]"
                    ".map(function (b) { return b.dataset.action; });")
    for a in ('az-outage', 'instance-failure', 'failover', 'load'):
        check(a in buttons, 'an action button for %s' % a)

    # A rejected action shows the server's message: point the AZ option at
    # an AZ that does not exist, as a stale page would.
    wd.js("var o = document.querySelector('#form-az-outage select[data-field=az] option');"
          "o.value = 'us-east-1z'; o.selected = true;")
    wd.click('#action-az-outage')
    msg = wd.wait("var b = document.getElementById('banner');"
                  "return !b.hidden && document.getElementById('action-result')"
                  ".classList.contains('error') ? b.textContent : null;",
                  'a rejected action shows an error banner', 30)
    check('us-east-1z' in msg or 'az' in msg, 'the banner quotes the server: %r' % msg.strip())
    wd.click('#banner-close')
    # Rebuild the AZ options from the next state.
    wd.js("S.actionsKey = '';")
    wd.wait("return ![...document.querySelectorAll('#form-az-outage option')]"
            ".some(function (o) { return o.value === 'us-east-1z'; });",
            'the AZ list is rebuilt from the server', 30)

    # SQL console: a read on the reader endpoint, then a forbidden statement.
    wd.click('input[name=sql-ep][value=reader]')
    wd.type('#sql-text', 'SELECT k, ver FROM kv WHERE k = 1')
    wd.click('#sql-run')
    head = wd.wait("var r = document.querySelector('#sql-results .sql-result');"
                   "return r && !r.classList.contains('error') ? r.textContent : null;",
                   'the SQL console shows a result', 30)
    check('answered by' in head, 'the result names the instance that answered')
    wd.click('input[name=sql-ep][value=writer]')
    wd.type('#sql-text', 'DROP TABLE kv')
    wd.click('#sql-run')
    err = wd.wait("var r = document.querySelector('#sql-results .sql-result');"
                  "return r && r.classList.contains('error') ? r.textContent : null;",
                  'the SQL console shows a refused statement as an error', 30)
    check('403' in err, 'the error shows HTTP 403: %r' % err)

    before = os.path.join(outdir, 'dashboard-before.png')
    wd.screenshot(before)

    # The fault: "AZ outage" on the writer's AZ, chosen like a user would.
    wd.click('#form-az-outage select[data-field=az] option[value="%s"]' % writer_az)
    wd.click('#action-az-outage')
    ok = wd.wait("var r = document.getElementById('action-result');"
                 "return r.classList.contains('ok') ? r.textContent : null;",
                 'the AZ outage is accepted', 30)
    print('  ' + ok.strip())
    wd.wait("var a = document.querySelector('.az[data-az=\"%s\"]'); return a && a.dataset.up === '0';"
            % writer_az, 'the AZ is marked out', 60)
    new = wd.wait("var w = document.getElementById('writer-name').dataset.writer;"
                  "return w && w !== arguments[0] && "
                  "document.querySelector('#timeline li[data-kind=dns]') ? w : null;",
                  'the writer changes and the DNS update reaches the timeline',
                  FAILOVER_TIMEOUT, writer)
    check(new != writer, 'the writer moved from %s to %s' % (writer, new))
    new_az = wd.js(AZ_OF, new)
    check(new_az and new_az != writer_az, 'the new writer is in another AZ (%s)' % new_az)
    kinds = wd.js("return [...document.querySelectorAll('#timeline li')]"
                  ".map(function (l) { return l.dataset.kind; });")
    for k in ('fault', 'detected', 'promoted', 'dns'):
        check(k in kinds, 'the timeline shows "%s"' % k)
    check(wd.js("return document.querySelector('.inst[data-instance=\"%s\"]').dataset.state;"
                % writer) == 'down', 'the old writer is drawn down')
    card = wd.js("var f = document.querySelector('.failover'); return f && [f.dataset.from, f.dataset.to];")
    check(card == [writer, new], 'a failover card %s -> %s' % (writer, new))
    check(wd.js("return document.querySelectorAll('#failovers .phase.done').length;") == 4,
          'the failover card shows all four phases done')
    target = wd.js("return document.getElementById('writer-endpoint').dataset.target;")
    check(target == new, 'the writer endpoint points at %s' % new)
    time.sleep(1)  # let the charts draw the samples after the DNS change
    wd.screenshot(os.path.join(outdir, 'dashboard-after.png'))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    rdsim, scenario, outdir = sys.argv[1:]
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            print('skip: %s is missing (tools/deps.sh --tests installs it)' % tool)
            return SKIP
    os.makedirs(outdir, exist_ok=True)
    server = driver = None
    wd = None
    try:
        server, port = start_rdsim(rdsim, scenario)
        driver, base = start_chromedriver()
        wd = WebDriver(base)
        wd.start(['--headless=new', '--no-sandbox', '--disable-gpu',
                  '--disable-dev-shm-usage', '--window-size=1600,1000'])
        exercise(wd, 'http://127.0.0.1:%d/' % port, outdir)
    except Failure as e:
        print('FAIL: %s' % e)
        if wd and wd.session:
            try:
                wd.screenshot(os.path.join(outdir, 'dashboard-failure.png'))
            except (Failure, OSError):
                pass
        return 1
    finally:
        if wd:
            wd.quit()
        stop(driver)
        stop(server)
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
