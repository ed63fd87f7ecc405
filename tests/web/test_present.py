#!/usr/bin/env python3
"""test_present.py - presenter mode in a real browser, on lesson 01.

Usage: test_present.py RDSIM LESSON01 OUTDIR

Starts `rdsim serve LESSON01 --present --paused`, opens the address it
prints in headless Chromium (tests/web/test_dashboard.py's WebDriver
helpers) and plays the lesson, pausing at three moments: just after the
fault (the failover card must say "waiting for detection", the downtime
counter must count), between detection and promotion, and after the DNS
update (the counter must show the finished outage). At each pause, at
1920x1080 and at 1280x720: every chart is inside the viewport, no two
labels of a chart's faults and phase marks intersect, the lesson's
question and prediction are on screen. Screenshots of the second and third
moments go to OUTDIR (present-during-WxH.png, present-after-WxH.png):
look at them.

Exits 77 (skipped) without chromium or chromedriver.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_dashboard as td  # noqa: E402

SIZES = [(1920, 1080), (1280, 720)]

IN_VIEW = """
var out = [];
var W = window.innerWidth, H = window.innerHeight;
document.querySelectorAll('figure.chart').forEach(function (f) {
  var r = f.getBoundingClientRect();
  if (r.left < -0.5 || r.top < -0.5 || r.right > W + 0.5 || r.bottom > H + 0.5 ||
      r.width < 100 || r.height < 80)
    out.push(f.id + ' at ' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(','));
});
return {bad: out, n: document.querySelectorAll('figure.chart').length, W: W, H: H,
        scroll: document.documentElement.scrollHeight > H + 1};
"""
OVERLAPS = """
var out = [], n = 0;
document.querySelectorAll('figure.chart svg.plot').forEach(function (s) {
  var ls = [].slice.call(s.querySelectorAll('.mark-label, .fault-label'))
    .map(function (t) { return [t.textContent, t.getBoundingClientRect()]; });
  n += ls.length;
  for (var i = 0; i < ls.length; i++)
    for (var j = i + 1; j < ls.length; j++) {
      var a = ls[i][1], b = ls[j][1];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        out.push(s.closest('figure').id + ': "' + ls[i][0] + '" and "' + ls[j][0] + '"');
    }
});
return {bad: out, n: n};
"""
VISIBLE = """
var e = document.querySelector(arguments[0]);
if (!e) return null;
var r = e.getBoundingClientRect();
return r.width > 0 && r.bottom <= window.innerHeight && r.top >= 0 ? e.textContent : null;
"""


def set_viewport(wd, w, h):
    """Resize the window so that the page's viewport is w x h."""
    wd.cmd('POST', wd.path('/window/rect'), {'width': w, 'height': h})
    td.time.sleep(0.3)
    iw, ih = wd.js('return [window.innerWidth, window.innerHeight];')
    if (iw, ih) != (w, h):
        wd.cmd('POST', wd.path('/window/rect'), {'width': 2 * w - iw, 'height': 2 * h - ih})
    for _ in range(20):  # the resize reaches the page a little later
        iw, ih = wd.js('return [window.innerWidth, window.innerHeight];')
        if (iw, ih) == (w, h):
            break
        td.time.sleep(0.1)
    td.check((iw, ih) == (w, h), 'the viewport is %dx%d (got %dx%d)' % (w, h, iw, ih))
    wd.js('drawCharts();')


def control(port, body):
    status, res = td.http('POST', 'http://127.0.0.1:%d/api/control' % port, body)
    td.check(status == 200, 'playback %s' % body)


def play_until(wd, port, t, what, speed=20):
    control(port, {'speed': speed, 'paused': False})
    wd.wait("return S.state && S.state.t_s >= %f;" % t, what, td.FAILOVER_TIMEOUT)
    control(port, {'paused': True})
    wd.wait("return S.state && S.state.paused;", 'the page shows the pause', 30)
    wd.js('drawCharts();')


def check_layout(wd, moment, outdir, shoot):
    for w, h in SIZES:
        set_viewport(wd, w, h)
        v = wd.js(IN_VIEW)
        td.check(v['n'] >= 4 and not v['bad'],
                 '%s, %dx%d: all %d charts in the viewport %s' % (moment, w, h, v['n'], v['bad']))
        td.check(not v['scroll'], '%s, %dx%d: nothing to scroll' % (moment, w, h))
        o = wd.js(OVERLAPS)
        td.check(o['n'] >= 1 and not o['bad'],
                 '%s, %dx%d: %d labels, none overlapping %s' % (moment, w, h, o['n'], o['bad']))
        q = wd.js(VISIBLE, '#lesson-question')
        td.check(q and 'Multi-AZ instance failover' in q, 'the question is on screen: %r' % q)
        p = wd.js(VISIBLE, '#lesson-predict')
        td.check(p and 'failed writes' in p, 'the prediction is on screen')
        td.check(wd.js(VISIBLE, '#downtime-value'), 'the downtime counter is on screen')
        if shoot:
            wd.screenshot(os.path.join(outdir, 'present-%s-%dx%d.png' % (moment, w, h)))


def exercise(wd, url, port, outdir):
    td.check(url.endswith('/?present'), '--present prints the presenter address: %s' % url)
    wd.get(url)
    wd.wait("return document.body.classList.contains('present') && "
            "document.querySelectorAll('figure.chart').length >= 4;",
            'the page opens in presenter mode with its charts', td.START_TIMEOUT)
    control(port, {'speed': 20})

    # One second after the fault: nothing detected yet.
    play_until(wd, port, 110, 'nearly at the fault')
    play_until(wd, port, 122, 'the fault has happened', speed=5)
    title = wd.wait("var f = document.querySelector('.failover .fo-title');"
                    "return f ? f.textContent : null;", 'a failover card', 30)
    td.check(wd.js("return S.state.failovers[0].detected_s === null;"), 'not detected yet')
    td.check('waiting for detection' in title and 'no candidate' not in title,
             'before detection the card says "waiting for detection": %r' % title)
    td.check(wd.js("return document.getElementById('downtime').dataset.state;") == 'down',
             'the downtime counter counts')
    check_layout(wd, 'fault', outdir, False)

    # Between detection and promotion.
    # Slowly: promotion follows detection by some 40 simulated seconds.
    play_until(wd, port, 165, 'detection has happened', speed=5)
    kinds = wd.js("return S.events.map(function (e) { return e.kind; });")
    td.check('detected' in kinds and 'promoted' not in kinds, 'paused between detected and promoted')
    check_layout(wd, 'during', outdir, True)

    # After the DNS update: the outage is over and counted.
    play_until(wd, port, 240, 'the DNS update has happened')
    state = wd.js("return document.getElementById('downtime').dataset.state;")
    note = wd.js("return document.getElementById('downtime-note').textContent;")
    td.check(state == 'recovered' and 'last outage' in note,
             'after recovery the counter shows the outage: %r' % note)
    check_layout(wd, 'after', outdir, True)
    healthy_red = wd.js("return [...document.querySelectorAll('.endpoint .none')].length;")
    td.check(healthy_red == 0, 'no endpoint is drawn as broken while the cluster is healthy')

    # The toggle leaves presenter mode and comes back.
    wd.click('#present-toggle')
    td.check(not wd.js("return document.body.classList.contains('present');"),
             'the Presenter button leaves presenter mode')
    wd.click('#present-toggle')
    td.check(wd.js("return document.body.classList.contains('present') && "
                   "location.search === '?present';"), '... and comes back')


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    rdsim, scenario, outdir = sys.argv[1:]
    for tool in (td.CHROMIUM, td.CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            print('skip: %s is missing (tools/deps.sh --tests installs it)' % tool)
            return td.SKIP
    os.makedirs(outdir, exist_ok=True)
    server = driver = wd = None
    try:
        server, port, url = start(rdsim, scenario)
        driver, base = td.start_chromedriver()
        wd = td.WebDriver(base)
        wd.start(['--headless=new', '--no-sandbox', '--disable-gpu',
                  '--disable-dev-shm-usage', '--window-size=1920,1080'])
        exercise(wd, url, port, outdir)
    except td.Failure as e:
        print('FAIL: %s' % e)
        if wd and wd.session:
            try:
                wd.screenshot(os.path.join(outdir, 'present-failure.png'))
            except (td.Failure, OSError):
                pass
        return 1
    finally:
        if wd:
            wd.quit()
        td.stop(driver)
        td.stop(server)
    print('PASS')
    return 0


def start(rdsim, scenario):
    """rdsim serve --present --paused; returns (process, port, printed URL)."""
    import re
    import subprocess
    import threading
    import time
    p = subprocess.Popen([rdsim, 'serve', scenario, '--port', '0', '--present', '--paused'],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = []

    def read():
        for line in p.stdout:
            sys.stdout.write('rdsim: ' + line)
            m = re.search(r'(https?://[^\s/]+:(\d+)/\S*)', line)
            if m and not found:
                found.append((int(m.group(2)), m.group(1)))
    threading.Thread(target=read, daemon=True).start()
    end = time.monotonic() + td.START_TIMEOUT
    while not found:
        if p.poll() is not None or time.monotonic() > end:
            raise td.Failure('rdsim serve --present printed no address')
        time.sleep(0.1)
    return p, found[0][0], found[0][1]


if __name__ == '__main__':
    sys.exit(main())
