/*
 * app.js - the rdsim dashboard.
 *
 * Reads rdsim serve's JSON API (docs/live.md): /api/state (the cluster now),
 * /api/metrics (timeseries.csv rows), /api/events (events.csv rows), and
 * streams updates from /api/stream (server-sent events), falling back to
 * polling when the stream fails. Draws the cluster, SVG charts, failover
 * cards and the timeline; posts actions, playback control and SQL.
 *
 * No framework and no external files: the page must work offline from the
 * binary. Everything the server sends is inserted as text, never as HTML.
 */
'use strict';

const MAX_ROWS = 3600;       /* the server keeps as many */
const MAX_TIMELINE = 400;    /* timeline entries drawn */
const POLL_MS = 1000;
const DRAW_MS = 250;         /* redraw charts at most this often */

const S = {
  state: null,
  columns: [],
  col: {},                   /* column name -> index */
  rows: [],                  /* sorted by t_s */
  events: [],                /* sorted by seq */
  seqs: new Set(),
  newestSeq: -1,             /* for the "fresh" highlight */
  mode: 'connecting',        /* live | polling | offline */
  actionsKey: '',
  chartsKey: '',
  drawPending: false,
  timelineDirty: false,
};

/* ---------- small helpers ---------- */

const $ = (sel) => document.querySelector(sel);

/* el('div', {class: 'x'}, 'text', child, ...): children that are strings
   become text nodes, so server data is never parsed as HTML. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false)
      continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false)
      continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const SVGNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {}))
    e.setAttribute(k, v);
  return e;
}

/* Simulated seconds as m:ss.s (h:mm:ss past an hour). */
function fmtT(t, decimals = 1) {
  if (t === null || t === undefined || !isFinite(t))
    return '–';
  const neg = t < 0;
  t = Math.abs(t);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  let s = (t % 60).toFixed(decimals);
  if (s.startsWith('60')) s = (0).toFixed(decimals); /* rounding edge */
  const ss = (s.length < (decimals ? 3 + decimals : 2) ? '0' : '') + s;
  const body = h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  return (neg ? '-' : '') + body;
}

function fmtMs(ms) {
  if (ms === null || ms === undefined || !isFinite(ms))
    return '–';
  if (ms >= 1000)
    return (ms / 1000).toFixed(ms >= 10000 ? 0 : 1) + ' s';
  if (ms >= 10)
    return ms.toFixed(0) + ' ms';
  return ms.toFixed(1) + ' ms';
}

function fmtNum(v) {
  if (v === null || v === undefined || !isFinite(v))
    return '–';
  if (Math.abs(v) >= 10000)
    return (v / 1000).toFixed(0) + 'k';
  if (Math.abs(v) >= 1000)
    return (v / 1000).toFixed(1) + 'k';
  return Math.abs(v) >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(1);
}

/* ---------- talking to the server ---------- */

/* fetch + JSON; resolves {ok, status, body} and never throws for HTTP
   errors, so callers show the server's own message. */
async function request(method, url, body, type) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.body = typeof body === 'string' ? body : JSON.stringify(body);
    opts.headers['Content-Type'] = type || 'application/json';
  }
  let res;
  try {
    res = await fetch(url, opts);
  } catch (e) {
    return { ok: false, status: 0, body: { error: 'cannot reach rdsim serve: ' + e.message } };
  }
  let data;
  const text = await res.text();
  try {
    data = JSON.parse(text);
  } catch (e) {
    data = { error: text || res.statusText };
  }
  return { ok: res.ok, status: res.status, body: data };
}

function setMode(mode) {
  S.mode = mode;
  const c = $('#conn');
  c.className = 'conn conn-' + mode;
  c.textContent = { live: 'live', polling: 'polling', offline: 'server unreachable',
                    connecting: 'connecting' }[mode];
  c.dataset.mode = mode;
  if (mode === 'offline')
    showError('Lost contact with rdsim serve: is it still running? Retrying…', 'conn');
  else
    clearError('conn');
}

/* The red banner for server errors. `tag` lets a later success clear only
   the error it belongs to. */
let bannerTag = null;
let bannerTimer = null;
function showError(msg, tag) {
  bannerTag = tag || null;
  $('#banner-text').textContent = msg;
  $('#banner').hidden = false;
  clearTimeout(bannerTimer);
  if (tag !== 'conn')
    bannerTimer = setTimeout(() => { $('#banner').hidden = true; }, 20000);
}
function clearError(tag) {
  if (bannerTag === tag)
    $('#banner').hidden = true;
}

async function loadAll() {
  const [st, ev] = await Promise.all([request('GET', 'api/state'),
                                      request('GET', 'api/events?since=0')]);
  const mt = await request('GET', 'api/metrics?since=-1');
  if (!st.ok || !mt.ok || !ev.ok) {
    setMode('offline');
    return false;
  }
  setColumns(mt.body.columns);
  mt.body.rows.forEach(addRow);
  ev.body.events.forEach(addEvent);
  renderState(st.body);
  return true;
}

/* After a reconnection: fetch what the stream may have missed. */
async function catchUp() {
  const since = S.rows.length ? S.rows[S.rows.length - 1][0] : -1;
  const [mt, ev] = await Promise.all([
    request('GET', 'api/metrics?since=' + since),
    request('GET', 'api/events?since=' + (S.events.length ? S.events[S.events.length - 1].seq + 1 : 0)),
  ]);
  if (mt.ok) {
    setColumns(mt.body.columns);
    mt.body.rows.forEach(addRow);
  }
  if (ev.ok)
    ev.body.events.forEach(addEvent);
  return mt.ok && ev.ok;
}

function connectStream() {
  if (!window.EventSource) {
    startPolling();
    return;
  }
  const es = new EventSource('api/stream');
  let failures = 0;
  es.addEventListener('open', () => {
    failures = 0;
    setMode('live');
    catchUp();
  });
  es.addEventListener('state', (m) => renderState(JSON.parse(m.data)));
  es.addEventListener('sample', (m) => {
    const d = JSON.parse(m.data);
    if (d.columns)
      setColumns(d.columns);
    if (d.row)
      addRow(d.row);
  });
  es.addEventListener('event', (m) => addEvent(JSON.parse(m.data)));
  es.onerror = () => {
    /* EventSource retries by itself; give up on it after a few failures
       in a row (a proxy that buffers, a server without streaming). */
    if (++failures >= 3 || es.readyState === EventSource.CLOSED) {
      es.close();
      startPolling();
    }
  };
}

let polling = false;
function startPolling() {
  if (polling)
    return;
  polling = true;
  setMode('polling');
  const tick = async () => {
    const st = await request('GET', 'api/state');
    const ok = st.ok && await catchUp();
    if (st.ok)
      renderState(st.body);
    setMode(ok ? 'polling' : 'offline');
    setTimeout(tick, POLL_MS);
  };
  tick();
}

/* ---------- time series and events ---------- */

function setColumns(cols) {
  if (!cols || cols.join(',') === S.columns.join(','))
    return;
  S.columns = cols;
  S.col = {};
  cols.forEach((c, i) => { S.col[c] = i; });
  S.rows = [];
  S.chartsKey = '';
}

function addRow(row) {
  const t = row[0];
  const n = S.rows.length;
  if (!n || t > S.rows[n - 1][0]) {
    S.rows.push(row);
  } else {
    /* Out of order (a catch-up racing the stream): insert unless known. */
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (S.rows[mid][0] < t) lo = mid + 1; else hi = mid;
    }
    if (lo < n && S.rows[lo][0] === t)
      return;
    S.rows.splice(lo, 0, row);
  }
  if (S.rows.length > MAX_ROWS)
    S.rows.splice(0, S.rows.length - MAX_ROWS);
  scheduleDraw();
}

function addEvent(e) {
  if (S.seqs.has(e.seq))
    return;
  S.seqs.add(e.seq);
  S.events.push(e);
  if (S.events.length > 1 && e.seq < S.events[S.events.length - 2].seq)
    S.events.sort((a, b) => a.seq - b.seq);
  S.timelineDirty = true;
  scheduleDraw();
}

function scheduleDraw() {
  if (S.drawPending)
    return;
  S.drawPending = true;
  setTimeout(() => {
    S.drawPending = false;
    if (S.timelineDirty)
      renderTimeline();
    drawCharts();
  }, DRAW_MS);
}

/* ---------- header, cluster, endpoints ---------- */

const HEALTH = {
  writer: { cls: 'st-up', word: 'UP' },
  standby: { cls: 'st-up', word: 'UP' },
  replica: { cls: 'st-up', word: 'UP' },
  down: { cls: 'st-down', word: 'DOWN' },
  starting: { cls: 'st-starting', word: 'STARTING' },
  detached: { cls: 'st-detached', word: 'DETACHED' },
};

/* The instance that is the writer: the one whose role is writer; during a
   failover the old writer may still carry the role while down, so prefer
   the one that is up. */
function writerOf(st) {
  const ws = (st.instances || []).filter((i) => i.role === 'writer');
  return ws.find((i) => i.state === 'writer') || ws[0] || null;
}

function renderState(st) {
  S.state = st;
  renderHeader(st);
  renderLesson(st);
  renderCluster(st);
  renderFailovers(st);
  renderActions(st);
  renderSqlTargets(st);
  scheduleDraw();
}

function renderHeader(st) {
  $('#scenario-name').textContent = st.scenario;
  $('#scenario-name').title = st.description || '';
  $('#deployment').textContent = `${st.deployment} · ${st.engine} · seed ${st.seed}`;
  $('#sim-time').textContent = fmtT(st.t_s, 0);
  $('#sim-duration').textContent = fmtT(st.duration_s, 0);
  $('#sim-progress').style.width =
    Math.min(100, 100 * st.t_s / Math.max(st.duration_s, 1e-9)).toFixed(1) + '%';

  const w = writerOf(st);
  const wn = $('#writer-name');
  wn.textContent = w ? w.name : 'none';
  wn.dataset.writer = w ? w.name : '';
  $('#writer-where').textContent = w ? `${w.az}${w.state === 'down' ? ' · DOWN' : ''}` : '';
  wn.parentElement.classList.toggle('writer-down', !w || w.state !== 'writer');

  const pp = $('#play-pause');
  const label = st.finished ? 'Finished' : st.paused ? '▶ Play' : '❚❚ Pause';
  if (pp.textContent !== label)
    pp.textContent = label;
  pp.classList.toggle('paused', !!st.paused && !st.finished);
  pp.disabled = !!st.finished;
  for (const b of document.querySelectorAll('#speed button'))
    b.setAttribute('aria-pressed', Number(b.dataset.speed) === Number(st.speed) ? 'true' : 'false');
}

function renderCluster(st) {
  const ep = st.endpoints || {};
  const readers = ep.reader || [];
  const writerTarget = ep.writer || null;
  const w = writerOf(st);

  $('#cluster-sub').textContent = 'by region and availability zone (AZ)';
  const eps = $('#endpoints');
  eps.replaceChildren(
    el('span', { class: 'endpoint ep-writer', id: 'writer-endpoint', 'data-target': writerTarget || '' },
       'writer endpoint', el('span', { class: 'arrow' }, '→'),
       writerTarget ? el('strong', {}, writerTarget) : el('span', { class: 'none' }, 'nothing'),
       w && writerTarget && w.name !== writerTarget
         ? el('span', { class: 'muted' }, ` (DNS still old: the writer is ${w.name})`) : null),
    readers.length || st.deployment !== 'single-az'
      ? el('span', { class: 'endpoint ep-reader', id: 'reader-endpoint' },
           'reader endpoint', el('span', { class: 'arrow' }, '→'),
           readers.length ? el('strong', {}, readers.join(', '))
             : readersExpected(st) ? el('span', { class: 'none' }, 'nothing')
               : el('span', { class: 'muted' }, 'no replica'))
      : null);

  const byAz = {};
  for (const i of st.instances || [])
    (byAz[i.az] = byAz[i.az] || []).push(i);
  /* A replay's folder records no AZs: one box holds every instance, and
     the faults in force are named above it. */
  if (!(st.regions || []).length) {
    const faults = (st.faults || []).map((f) => `${f.action} ${f.subject}` +
      (f.until_s === null ? ' (to the end)' : ` (until ${fmtT(f.until_s, 0)})`));
    $('#cluster-sub').textContent = faults.length ? 'in force: ' + faults.join(', ')
      : 'no fault in force';
    $('#cluster').replaceChildren(el('div', { class: 'region' },
      el('div', { class: 'region-name' }, 'instances (the results folder does not record their AZs)'),
      el('div', { class: 'azs' }, el('div', { class: 'az az-all', 'data-az': '', 'data-up': '1' },
        (st.instances || []).map((i) => instanceCard(i, st, w, writerTarget, readers))))));
    return;
  }

  const regions = (st.regions || []).map((r) => el('div',
    { class: 'region' + (r.up ? '' : ' region-down'), 'data-region': r.name },
    el('div', { class: 'region-name' }, 'region ' + r.name, r.up ? '' : ' · REGION OUT'),
    el('div', { class: 'azs' }, r.azs.map((az) => el('div',
      { class: 'az' + (az.up ? '' : ' az-down'), 'data-az': az.name, 'data-up': az.up ? '1' : '0' },
      el('div', { class: 'az-name' }, el('span', {}, az.name), az.up ? null : el('span', { class: 'az-flag' }, 'AZ OUT')),
      (byAz[az.name] || []).length
        ? byAz[az.name].map((i) => instanceCard(i, st, w, writerTarget, readers))
        : el('div', { class: 'empty' }, 'no instance'))))));
  $('#cluster').replaceChildren(...regions);
}

/* Is an empty reader endpoint a problem? Only when the cluster has instances
   that serve reads (replicas, a Multi-AZ cluster's standbys): a healthy
   cluster without any is drawn in neutral colours. */
function readersExpected(st) {
  return (st.instances || []).some((i) => i.role === 'replica' ||
    (i.role === 'standby' && st.deployment === 'multi-az-cluster'));
}

function instanceCard(i, st, w, writerTarget, readers) {
  const h = HEALTH[i.state] || { cls: 'st-detached', word: i.state.toUpperCase() };
  const meta = [i.class];
  if (st.deployment === 'aurora' && i.tier !== undefined)
    meta.push('tier ' + i.tier);
  if (i.acu)
    meta.push(i.acu.toFixed(1) + ' ACU');
  const lag = i.role !== 'writer' && i.state !== 'down'
    ? el('div', { class: 'inst-meta' }, 'lag ', el('b', {}, fmtMs(i.lag_ms))) : null;
  const pins = [];
  if (writerTarget === i.name)
    pins.push(el('span', { class: 'pin pin-writer' }, '◀ writer endpoint'));
  if (readers.includes(i.name))
    pins.push(el('span', { class: 'pin pin-reader' }, 'reader endpoint'));
  return el('div', {
      class: `inst ${h.cls}` + (w && w.name === i.name ? ' is-writer' : ''),
      'data-instance': i.name, 'data-role': i.role, 'data-state': i.state,
    },
    el('div', { class: 'inst-head' },
       el('span', { class: 'inst-name' }, i.name),
       el('span', { class: 'role role-' + i.role }, i.role.toUpperCase())),
    el('div', { class: 'inst-state' }, el('span', { class: 'st-word' }, '● ' + h.word)),
    el('div', { class: 'inst-meta inst-class' }, meta.join(' · ')),
    lag,
    pins.length ? el('div', { class: 'pins' }, pins) : null);
}

/* ---------- presenter mode ---------- */

/* The paragraph of a lesson description that starts with `word`, on one
   line and without the word ("Question: How long ..." -> "How long ..."). */
function paragraph(text, word) {
  for (const p of (text || '').split(/\n\s*\n/)) {
    const t = p.replace(/\s+/g, ' ').trim();
    if (t.startsWith(word))
      return t.slice(word.length).replace(/^[^:]*:\s*/, '').replace(/^./, (c) => c.toUpperCase());
  }
  return '';
}

function renderLesson(st) {
  const q = paragraph(st.description, 'Question');
  const p = paragraph(st.description, 'Predict');
  if ($('#lesson-question').textContent !== q)
    $('#lesson-question').textContent = q || st.scenario;
  if ($('#lesson-predict').textContent !== p)
    $('#lesson-predict').textContent = p || '–';
}

function setPresent(on) {
  document.body.classList.toggle('present', on);
  $('#present-toggle').setAttribute('aria-pressed', on ? 'true' : 'false');
  const u = new URL(location.href);
  if (on)
    u.searchParams.set('present', '');
  else
    u.searchParams.delete('present');
  history.replaceState(null, '', u.pathname + u.search.replace('present=', 'present') + u.hash);
  S.chartsKey = '';   /* margins and type follow the mode */
  scheduleDraw();
}

/*
 * Writer downtime as the clients see it, at time tNow: from the fault (or
 * the end of the last interval with a successful write, when no fault is
 * in the gap) to the first successful write. Live, the end is known to the
 * sample interval (the interval where writes succeed again); a replay
 * takes the exact figures of summary.json's writer_outages.
 * Returns {down: bool, since, last: seconds of the last finished outage}.
 */
/* In a replay the outages are summary.json's: exact, and the same figure
   as the report's. */
function replayDowntime(t) {
  const res = { down: false, since: null, last: null };
  for (const o of S.replay.summary.writer_outages || []) {
    if (o.at_s > t + 1e-9)
      break;
    if (o.recovered_s === null || o.recovered_s === undefined || t < o.recovered_s) {
      res.down = true;
      res.since = o.at_s;
    } else {
      res.down = false;
      res.last = o.writer_downtime_s;
    }
  }
  return res;
}

function writerDowntime(tNow) {
  if (S.replay && S.replay.summary)
    return replayDowntime(tNow);
  const ok = S.col.writer_writes_ok, failed = S.col.writer_writes_failed,
    errs = S.col.writer_write_errors, offered = S.col.offered_writes_per_s;
  const res = { down: false, since: null, last: null };
  if (ok === undefined)
    return res;
  let lastOk = null, prevT = null;
  for (const r of S.rows) {
    const t = r[0];
    if (t > tNow + 1e-9)
      break;
    if (Number(r[ok]) > 0) {
      if (res.down)
        res.last = Math.max(0, (prevT === null ? t : prevT) - res.since);
      res.down = false;
      lastOk = t;
    } else if (!res.down && (Number(r[failed]) > 0 || Number(r[errs]) > 0 ||
                             Number(r[offered]) > 0)) {
      const from = lastOk === null ? 0 : lastOk;
      const f = S.events.filter((e) => e.kind === 'fault' && e.t_s >= from - 1 && e.t_s <= t);
      res.down = true;
      res.since = f.length ? f[0].t_s : from;
    }
    prevT = t;
  }
  return res;
}

function renderDowntime(tNow) {
  const d = writerDowntime(tNow);
  const box = $('#downtime');
  let value, note, state;
  if (d.down) {
    state = 'down';
    value = `down ${Math.floor(Math.max(0, tNow - d.since))} s`;
    note = 'since ' + fmtT(d.since, 0);
  } else if (d.last !== null) {
    state = 'recovered';
    value = 'OK';
    /* Live, the end is known to the sample interval: say so. */
    note = S.replay ? `last outage ${d.last.toFixed(1)} s of writer downtime`
      : `last outage ≈${Math.round(d.last)} s of writer downtime (to the sample)`;
  } else {
    state = 'ok';
    value = 'OK';
    note = 'no writer downtime yet';
  }
  box.dataset.state = state;
  if ($('#downtime-value').textContent !== value)
    $('#downtime-value').textContent = value;
  if ($('#downtime-note').textContent !== note)
    $('#downtime-note').textContent = note;
}

/* ---------- failovers ---------- */

function renderFailovers(st) {
  const fos = (st.failovers || []).slice().reverse();
  const box = $('#failovers');
  if (!fos.length) {
    box.replaceChildren(el('p', { class: 'muted' }, S.replay ? 'none yet'
      : 'none yet: inject a fault and watch the phases fill in'));
    return;
  }
  box.replaceChildren(...fos.map((f, k) => {
    const rel = (t) => (t === null || t === undefined ? null : t - f.at_s);
    const phase = (cls, name, t) => el('div', { class: `phase ph-${cls}` + (t !== null ? ' done' : '') },
      el('b', {}, name), t === null ? 'waiting…' : (cls === 'fault' ? 'at ' + fmtT(f.at_s) : `+${rel(t).toFixed(1)} s`));
    const lost = f.lost_writes || 0;
    return el('div', { class: 'failover', 'data-from': f.from || '', 'data-to': f.to || '' },
      el('div', { class: 'fo-title' }, `#${fos.length - k} ${f.from || '?'} → ${f.to ||
           (f.detected_s === null || f.detected_s === undefined ? 'waiting for detection' : 'no candidate')}`,
         el('span', { class: 'muted' }, `  ${f.cause}`)),
      el('div', { class: 'phases' },
         phase('fault', f.cause === 'failover' ? 'requested' : 'fault', f.at_s),
         phase('detected', 'detected', f.detected_s ?? null),
         phase('promoted', 'promoted', f.promoted_s ?? null),
         phase('dns', 'DNS updated', f.dns_updated_s ?? null)),
      f.promoted_s !== null && f.promoted_s !== undefined
        ? el('div', { class: 'fo-lost' + (lost ? ' bad' : '') },
             `${lost} acknowledged write${lost === 1 ? '' : 's'} lost`) : null,
      f.explanation ? el('div', { class: 'fo-why' }, f.explanation) : null);
  }));
}

/* ---------- timeline ---------- */

function renderTimeline() {
  S.timelineDirty = false;
  const list = $('#timeline');
  const shown = S.events.slice(-MAX_TIMELINE).reverse();
  const prevNewest = S.newestSeq;
  list.replaceChildren(...shown.map((e) => el('li', {
      class: `k-${e.kind}` + (prevNewest >= 0 && e.seq > prevNewest ? ' fresh' : ''),
      'data-kind': e.kind, 'data-seq': e.seq,
    },
    el('span', { class: 't' }, fmtT(e.t_s)),
    el('span', { class: 'kind' }, e.kind),
    el('span', { class: 'what' }, el('b', {}, e.subject), e.detail))));
  if (S.events.length)
    S.newestSeq = S.events[S.events.length - 1].seq;
}

/* ---------- actions ---------- */

const DURATIONS = [['30s', '30 s'], ['1m', '1 min'], ['2m', '2 min'], ['5m', '5 min'],
                   ['10m', '10 min'], ['', 'until the end']];
const DELAYS = [['1s', '1 s'], ['5s', '5 s'], ['30s', '30 s'], ['2m', '2 min']];

/* What each action is called on the page and which fields it takes.
   Target lists come from the server (state.actions); a field of the form
   "target?" may be left empty. */
const ACTIONS = {
  'az-outage': { label: 'AZ outage', help: 'every instance and storage copy in the AZ becomes unreachable', fields: ['az', 'for'] },
  'region-outage': { label: 'Region outage', help: 'every AZ of the region becomes unreachable', fields: ['region', 'for'] },
  'instance-failure': { label: 'Instance failure', help: "the instance's host dies", fields: ['target', 'for'] },
  'reboot': { label: 'Reboot', help: 'restart the instance; "with failover" fails a Multi-AZ writer over', fields: ['target', 'failover'] },
  'failover': { label: 'Failover', help: 'manual failover, as an operator would request it', fields: ['target?'] },
  'promote': { label: 'Promote', help: 'promote a read replica to a standalone writer', fields: ['target'] },
  'replica-lag': { label: 'Replica lag', help: 'the replica applies changes late', fields: ['target', 'delay', 'for'] },
  'storage-failure': { label: 'Storage failure', help: 'Aurora: lose volume copies in an AZ', fields: ['az', 'copies', 'for'] },
  'global-failover': { label: 'Global failover', help: 'Aurora Global Database: move the primary region', fields: ['region', 'mode'] },
  'load': { label: 'Load change', help: 'new request rates from now on', fields: ['reads', 'writes'] },
};

/* The server lists valid targets under a plural key (azs, targets, ...). */
const LIST_KEY = { az: 'azs', target: 'targets', region: 'regions', mode: 'modes' };

function renderActions(st) {
  const key = JSON.stringify(st.actions || []);
  if (key !== S.actionsKey) {
    S.actionsKey = key;
    buildActions(st.actions || []);
  }
  annotateTargets(st);
}

function buildActions(list) {
  const box = $('#actions');
  /* Keep what the user had chosen across a rebuild. */
  const kept = {};
  for (const f of box.querySelectorAll('[data-field]'))
    kept[f.closest('form').dataset.action + '/' + f.dataset.field] = f.type === 'checkbox' ? f.checked : f.value;

  box.replaceChildren(...list.map((d) => {
    const kind = d.action;
    const a = ACTIONS[kind] || { label: kind, help: '', fields: Object.keys(LIST_KEY).filter((f) => d[LIST_KEY[f]]) };
    const form = el('form', { class: 'action', id: 'form-' + kind, 'data-action': kind });
    const button = el('button', { type: 'submit', class: 'danger', id: 'action-' + kind,
                                  'data-action': kind, title: a.help }, a.label);
    if (kind === 'load')
      button.className = 'primary';
    form.append(button);
    for (const spec of a.fields) {
      const f = actionField(spec.replace('?', ''), spec.endsWith('?'), d);
      if (f)
        form.append(f);
    }
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      inject(kind, a.label, form);
    });
    return form;
  }));
  if (!list.length)
    box.append(el('p', { class: 'muted' }, 'no actions offered for this cluster'));

  for (const f of box.querySelectorAll('[data-field]')) {
    const v = kept[f.closest('form').dataset.action + '/' + f.dataset.field];
    if (v === undefined)
      continue;
    if (f.type === 'checkbox')
      f.checked = v;
    else if ([...(f.options || [])].some((o) => o.value === v) || f.tagName === 'INPUT')
      f.value = v;
  }
}

function select(field, options, value, label) {
  const s = el('select', { 'data-field': field, 'aria-label': label || field },
    options.map(([v, text]) => el('option', { value: v }, text)));
  if (value !== undefined)
    s.value = value;
  return s;
}

function actionField(field, optional, d) {
  const list = d[LIST_KEY[field]];
  if (list) {
    const opts = list.map((v) => [v, v]);
    if (optional)
      opts.unshift(['', field === 'target' ? 'RDS chooses' : 'any']);
    return select(field, opts, undefined, field);
  }
  switch (field) {
  case 'for':
    return el('label', {}, 'for', select('for', DURATIONS, '2m', 'duration'));
  case 'delay':
    return el('label', {}, 'delay', select('delay', DELAYS, '30s', 'delay'));
  case 'copies':
    return el('label', {}, 'copies', select('copies', [['1', '1'], ['2', '2']], '1', 'copies'));
  case 'mode':
    return select('mode', [['switchover', 'switchover (no loss)'], ['unplanned', 'unplanned (data loss)']]);
  case 'failover':
    return el('label', {}, el('input', { type: 'checkbox', 'data-field': 'failover' }), 'with failover');
  case 'reads':
  case 'writes':
    return el('label', {}, field, el('input', { type: 'number', min: '0', step: 'any',
                                                 'data-field': field, placeholder: 'same' }), '/s');
  default:
    return null;
  }
}

/* Option texts say what is in each AZ and what each instance is, so the
   instructor can pick "the writer's AZ" without looking it up. */
function annotateTargets(st) {
  const inAz = {};
  for (const i of st.instances || [])
    (inAz[i.az] = inAz[i.az] || []).push(i.role === 'writer' ? i.name + ' (writer)' : i.name);
  const byName = {};
  for (const i of st.instances || [])
    byName[i.name] = i;
  for (const s of document.querySelectorAll('#actions select[data-field]')) {
    for (const o of s.options) {
      if (!o.value)
        continue;
      let text = o.value;
      if (s.dataset.field === 'az')
        text += inAz[o.value] ? ': ' + inAz[o.value].join(', ') : ': empty';
      else if (s.dataset.field === 'target' && byName[o.value])
        text += ` (${byName[o.value].role}${byName[o.value].state === 'down' ? ', down' : ''})`;
      if (o.textContent !== text)
        o.textContent = text;
    }
  }
  /* Load inputs show the current rates as a hint. */
  const last = S.rows[S.rows.length - 1];
  for (const k of ['reads', 'writes']) {
    const inp = document.querySelector(`#form-load input[data-field=${k}]`);
    const c = S.col[`offered_${k}_per_s`];
    if (inp && last && c !== undefined)
      inp.placeholder = fmtNum(last[c]);
  }
}

async function inject(kind, label, form) {
  const body = { action: kind };
  for (const f of form.querySelectorAll('[data-field]')) {
    if (f.type === 'checkbox') {
      body[f.dataset.field] = f.checked;
    } else if (f.value !== '') {
      if (f.dataset.field === 'reads' || f.dataset.field === 'writes')
        body[f.dataset.field] = f.value + '/s';
      else if (f.dataset.field === 'copies')
        body.copies = Number(f.value);
      else
        body[f.dataset.field] = f.value;
    }
  }
  const out = $('#action-result');
  const what = [label, body.az || body.region || body.target || ''].join(' ').trim();
  const r = await request('POST', 'api/actions', body);
  if (r.ok) {
    out.className = 'action-result ok';
    out.textContent = `✔ ${what} injected at ${fmtT(r.body.at_s)}`;
    clearError('action');
  } else {
    out.className = 'action-result error';
    out.textContent = `✖ ${what} rejected: ${r.body.error || 'HTTP ' + r.status}`;
    showError(`${what} rejected (HTTP ${r.status}): ${r.body.error || ''}`, 'action');
  }
}

/* ---------- playback ---------- */

async function control(body) {
  const r = await request('POST', 'api/control', body);
  if (!r.ok) {
    showError('Playback: ' + (r.body.error || 'HTTP ' + r.status), 'control');
    return;
  }
  if (S.state) {
    S.state.paused = r.body.paused;
    S.state.speed = r.body.speed;
    renderHeader(S.state);
  }
}

/* ---------- SQL console ---------- */

function renderSqlTargets(st) {
  const sel = $('#sql-instance');
  const names = (st.instances || []).map((i) => i.name);
  if ([...sel.options].map((o) => o.value).join() === names.join())
    return;
  const v = sel.value;
  sel.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
  if (names.includes(v))
    sel.value = v;
}

async function runSql() {
  const stmt = $('#sql-text').value.trim();
  if (!stmt)
    return;
  const ep = document.querySelector('input[name=sql-ep]:checked').value;
  const url = ep === 'instance'
    ? 'sql/instance/' + encodeURIComponent($('#sql-instance').value) : 'sql/' + ep;
  const via = ep === 'instance' ? 'instance ' + $('#sql-instance').value : ep + ' endpoint';
  const btn = $('#sql-run');
  btn.disabled = true;
  const r = await request('POST', url, stmt, 'text/plain');
  btn.disabled = false;
  const at = S.state ? ' · at ' + fmtT(S.state.t_s) : '';
  let item;
  if (r.ok) {
    const b = r.body;
    const table = b.columns && b.columns.length
      ? el('table', { class: 'sql-table' },
           el('thead', {}, el('tr', {}, b.columns.map((c) => el('th', {}, c)))),
           el('tbody', {}, (b.rows || []).map((row) => el('tr', {},
             row.map((v) => el('td', {}, v === null ? 'NULL' : String(v)))))))
      : null;
    item = el('div', { class: 'sql-result', 'data-instance': b.instance || '' },
      el('div', { class: 'sql-head' }, `${via} → answered by `, el('b', {}, b.instance),
         ` in ${Number(b.latency_ms).toFixed(2)} ms`,
         b.columns && b.columns.length ? ` · ${(b.rows || []).length} row(s)` : ` · ${b.changes} row(s) changed`, at),
      el('div', { class: 'sql-stmt' }, stmt),
      table);
  } else {
    item = el('div', { class: 'sql-result error' },
      el('div', { class: 'sql-head' }, `${via} → `, el('b', {}, `error ${r.status || ''}`), at),
      el('div', { class: 'sql-stmt' }, stmt),
      el('div', { class: 'sql-error' }, r.body.error || 'no reply'));
  }
  const box = $('#sql-results');
  box.prepend(item);
  while (box.children.length > 4)
    box.lastChild.remove();
}

/* ---------- charts ---------- */

const COLORS = {
  'writer/write': '#c62828',
  'writer/read': '#7b1fa2',
  'reader/read': '#1565c0',
  'reader/write': '#e65100',
};
const PALETTE = ['#1565c0', '#2e7d32', '#e65100', '#6a1b9a', '#00838f', '#ad1457',
                 '#5d4037', '#827717', '#283593', '#c62828'];

/* Which lines each chart draws, from the column names of timeseries.csv
   (docs/outputs.md). `rate` divides a per-interval count by the interval. */
function chartSpecs() {
  const lat = [], err = [], thr = [], lag = [], acu = [];
  let p = 0;
  for (const c of S.columns) {
    let m;
    if ((m = c.match(/^(writer|reader)_(read|write)_p(50|99)_ms$/))) {
      lat.push({ col: c, label: `${m[2]}s p${m[3]} (${m[1]} ep.)`, color: COLORS[m[1] + '/' + m[2]],
                 width: m[3] === '99' ? 3 : 1.6, dash: m[3] === '50' ? '5 4' : null });
    } else if ((m = c.match(/^(writer|reader)_(read|write)_errors$/))) {
      err.push({ col: c, rate: true, label: `${m[2]} errors/s (${m[1]} ep.)`, color: COLORS[m[1] + '/' + m[2]], width: 2.2 });
    } else if ((m = c.match(/^(writer|reader)_(read|write)s_failed$/))) {
      err.push({ col: c, rate: true, label: `${m[2]}s given up/s (${m[1]} ep.)`, color: COLORS[m[1] + '/' + m[2]],
                 width: 3.2, dash: '7 4' });
    } else if ((m = c.match(/^(writer|reader)_(read|write)s_ok$/))) {
      thr.push({ col: c, rate: true, label: `${m[2]}s ok/s (${m[1]} ep.)`, color: COLORS[m[1] + '/' + m[2]], width: 2.4 });
    } else if ((m = c.match(/^offered_(reads|writes)_per_s$/))) {
      thr.push({ col: c, label: `${m[1]} offered/s`, color: m[1] === 'reads' ? '#7fa7d9' : '#e59a9a', width: 1.5, dash: '3 3' });
    } else if ((m = c.match(/^lag_ms_(.+)$/))) {
      lag.push({ col: c, inst: m[1], label: m[1], color: PALETTE[p++ % PALETTE.length], width: 2.4 });
    } else if ((m = c.match(/^acu_(.+)$/))) {
      acu.push({ col: c, label: m[1], color: PALETTE[(p++) % PALETTE.length], width: 2.4 });
    }
  }
  const specs = [
    { id: 'latency', title: 'Latency', sub: 'ms, log scale; every operation, a failed one at its give-up time; thick = p99, dashed = p50', log: true, floor: 0.1, series: lat, unit: fmtMs },
    { id: 'errors', title: 'Errors and failed operations', sub: 'per second; dashed = gave up after retries', series: err, unit: fmtNum },
    { id: 'throughput', title: 'Throughput', sub: 'successful operations per second; dotted = offered load', series: thr, unit: fmtNum },
    { id: 'lag', title: 'Replication lag', sub: 'ms, log scale; each interval\'s maximum per standby / replica; a gap: no live source', log: true, floor: 0.1, series: lag, unit: fmtMs },
  ];
  if (acu.length)
    specs.push({ id: 'acu', title: 'Serverless v2 capacity', sub: 'ACUs', series: acu, unit: (v) => fmtNum(v) + ' ACU' });
  return specs;
}

function buildCharts() {
  const key = S.columns.join(',');
  if (key === S.chartsKey)
    return S.specs;
  S.chartsKey = key;
  S.specs = chartSpecs();
  $('#charts').replaceChildren(...S.specs.map((c) => {
    const fig = el('figure', { class: 'chart', id: 'chart-' + c.id },
      el('figcaption', {}, c.title, el('span', { class: 'sub' }, c.sub)),
      el('div', { class: 'chart-legend' }, c.series.map((s) => el('span', { class: 'key' },
        legendLine(s), s.label, ' ', el('span', { class: 'val', 'data-col': s.col }, '–')))));
    fig.append(svg('svg', { class: 'plot', role: 'img', 'aria-label': c.title }));
    return fig;
  }));
  return S.specs;
}

function legendLine(s) {
  const g = svg('svg', { viewBox: '0 0 24 10' });
  g.append(svg('line', { x1: 0, y1: 5, x2: 24, y2: 5, stroke: s.color, 'stroke-width': Math.min(s.width, 3),
                          'stroke-dasharray': s.dash || '' }));
  return g;
}

/* Fault windows and failover phase marks, from the events: a fault whose
   detail says "for N s" lasts N s; "until the end" lasts to the end; other
   faults (a requested failover, a promote) are instants. */
function eventOverlays(t1) {
  const windows = [], marks = [];
  const MARK = { detected: ['detected', '#d35400'], promoted: ['promoted', '#6a1b9a'],
                 dns: ['DNS', '#0b4fc4'], load: ['load', '#55657d'] };
  for (const e of S.events) {
    if (e.kind === 'fault') {
      const action = (e.detail.match(/^[a-z-]+/) || [''])[0];
      const m = e.detail.match(/for ([\d.]+) s/);
      if (m)
        windows.push({ a: e.t_s, b: e.t_s + Number(m[1]), label: `${action} ${e.subject}` });
      else if (/until the end/.test(e.detail))
        windows.push({ a: e.t_s, b: Infinity, label: `${action} ${e.subject}` });
      else
        marks.push({ t: e.t_s, label: action || 'fault', color: '#c62828' });
    } else if (MARK[e.kind]) {
      marks.push({ t: e.t_s, label: MARK[e.kind][0], color: MARK[e.kind][1] });
    }
  }
  for (const w of windows)
    w.b = Math.min(w.b, t1);
  return { windows, marks };
}

function drawCharts() {
  if (!S.columns.length)
    return;
  const specs = buildCharts();
  const rows = S.rows;
  const last = rows[rows.length - 1];
  const tNow = Math.max(last ? last[0] : 0, S.state ? S.state.t_s : 0);
  const win = Number($('#window').value);
  let t0, t1;
  if (!win) {
    t0 = rows.length ? Math.min(0, rows[0][0]) : 0;
    t1 = Math.max(tNow, S.state ? S.state.duration_s : 60);
  } else {
    t1 = Math.max(tNow, win);
    t0 = t1 - win;
  }
  const overlays = eventOverlays(tNow);
  renderDowntime(S.state ? S.state.t_s : tNow);
  const ti = 0;
  /* Only rows inside the window (plus one either side, so lines reach the
     edges). */
  let i0 = 0;
  while (i0 < rows.length && rows[i0][ti] < t0)
    i0++;
  const vis = rows.slice(Math.max(0, i0 - 1));
  for (const c of specs) {
    const series = c.series.map((s) => {
      const ci = S.col[s.col];
      const roleCol = s.inst !== undefined ? S.col['role_' + s.inst] : undefined;
      const pts = vis.map((r, k) => {
        let v = r[ci];
        if (v === null || v === undefined || v === '')
          return [r[ti], null];
        v = Number(v);
        /* Lag means nothing while the instance is the writer. */
        if (roleCol !== undefined && r[roleCol] === 'writer')
          return [r[ti], null];
        if (s.rate) {
          const prev = k > 0 ? vis[k - 1][ti] : (i0 > 0 ? null : 0);
          const dt = prev === null ? 1 : r[ti] - prev;
          v = dt > 0 ? v / dt : v;
        }
        return [r[ti], v];
      });
      return Object.assign({}, s, { pts });
    });
    const fig = document.getElementById('chart-' + c.id);
    /* Legend values first: their width can change the plot's height. */
    for (const s of series) {
      const v = fig.querySelector(`.val[data-col="${s.col}"]`);
      const lastPt = s.pts.length ? s.pts[s.pts.length - 1][1] : null;
      if (v)
        v.textContent = lastPt === null ? '–' : c.unit(lastPt);
    }
    drawChart(fig.querySelector('svg.plot'), { t0, t1, log: c.log, floor: c.floor, unit: c.unit, series,
                                          windows: overlays.windows, marks: overlays.marks,
                                          markLabels: c.id === 'latency' || c.id === 'errors' });
  }
  watchSizes();
}

/* Redraw when a plot's box changes size (a window resize, presenter mode,
   a legend that wraps): drawn at the old size, its text would be scaled. */
let sizeObserver = null;
function watchSizes() {
  if (!window.ResizeObserver)
    return;
  if (!sizeObserver)
    sizeObserver = new ResizeObserver((entries) => {
      if (entries.some((e) => {
        const vb = e.target.viewBox && e.target.viewBox.baseVal;
        return vb && (Math.abs(vb.width - e.target.clientWidth) > 1 ||
                      Math.abs(vb.height - e.target.clientHeight) > 1);
      }))
        scheduleDraw();
    });
  for (const p of document.querySelectorAll('svg.plot'))
    if (!p.dataset.watched) {
      p.dataset.watched = '1';
      sizeObserver.observe(p);
    }
}

function niceStep(range, target) {
  const raw = range / target;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10])
    if (m * p >= raw)
      return m * p;
  return 10 * p;
}

/*
 * Labels of fault windows and phase marks in rows above the plot, so that
 * no two overlap: each goes into the first row where it clears the one
 * before it (widths estimated from the font size: SVG text cannot be
 * measured before it is drawn); past MAX_LABEL_ROWS a label is left out,
 * its line stays. Returns [{x, row, text, color, cls}] and the rows used.
 */
const MAX_LABEL_ROWS = 3;
function layoutLabels(items, W, px) {
  const ends = [];
  const out = [];
  items.sort((a, b) => a.x - b.x);
  for (const it of items) {
    const w = it.text.length * px * 0.68 + 6;
    const x = Math.max(0, Math.min(it.x + 2, W - w));
    let r = 0;
    while (r < ends.length && x < ends[r])
      r++;
    if (r >= MAX_LABEL_ROWS)
      continue;
    ends[r] = x + w + 4;
    out.push(Object.assign({}, it, { x, row: r, w }));
  }
  return { labels: out, rows: ends.length };
}

function drawChart(root, o) {
  const W = Math.max(200, root.clientWidth || 500);
  const H = Math.max(100, root.clientHeight || 200);
  root.setAttribute('viewBox', `0 0 ${W} ${H}`);
  /* Margins follow the type size (presenter mode enlarges it). */
  const px = parseFloat(getComputedStyle(root).fontSize) || 12;
  const L = Math.round(px * 4.4), R = Math.round(px * 1.6), B = Math.round(px * 1.7);
  const pw = W - L - R;
  const x = (t) => L + (t - o.t0) / (o.t1 - o.t0) * pw;
  const labelPx = px * 0.95;
  const items = [];
  if (o.markLabels) {
    for (const w of o.windows)
      if (!(w.b < o.t0 || w.a > o.t1))
        items.push({ x: x(Math.max(o.t0, w.a)), text: w.label, color: '#a31515', cls: 'fault-label' });
    for (const m of o.marks)
      if (m.t >= o.t0 && m.t <= o.t1)
        items.push({ x: x(m.t), text: m.label, color: m.color, cls: 'mark-label' });
  }
  const lay = layoutLabels(items, W, labelPx);
  const lineH = Math.round(labelPx * 1.25);
  const T = o.markLabels ? Math.max(1, lay.rows) * lineH + 4 : 6;
  const ph = H - T - B;

  let lo = Infinity, hi = -Infinity;
  for (const s of o.series)
    for (const [t, v] of s.pts)
      if (v !== null && t >= o.t0) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
  let y, ticks;
  if (o.log) {
    const f = o.floor;
    const a = Math.floor(Math.log10(Math.max(f, lo === Infinity ? 1 : lo)));
    let b = Math.ceil(Math.log10(Math.max(f * 10, hi === -Infinity ? 10 : hi)));
    if (b <= a) b = a + 1;
    y = (v) => T + ph - (Math.log10(Math.max(v, Math.pow(10, a))) - a) / (b - a) * ph;
    ticks = [];
    for (let k = a; k <= b; k++)
      ticks.push(Math.pow(10, k));
  } else {
    const top = hi === -Infinity || hi <= 0 ? 1 : hi * 1.1;
    const step = niceStep(top, 4);
    const max = Math.ceil(top / step) * step;
    y = (v) => T + ph - v / max * ph;
    ticks = [];
    for (let v = 0; v <= max + step / 2; v += step)
      ticks.push(v);
  }

  const parts = [];
  const grid = svg('g', { class: 'grid' });
  const axis = svg('g', { class: 'axis' });
  for (const v of ticks) {
    grid.append(svg('line', { x1: L, x2: L + pw, y1: y(v), y2: y(v) }));
    const tx = svg('text', { x: L - 5, y: y(v) + px * 0.35, 'text-anchor': 'end' });
    tx.textContent = o.unit(v);
    axis.append(tx);
  }
  const xstep = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]
    .find((s) => (o.t1 - o.t0) / s <= 7) || 7200;
  for (let t = Math.ceil(o.t0 / xstep) * xstep; t <= o.t1; t += xstep) {
    grid.append(svg('line', { x1: x(t), x2: x(t), y1: T, y2: T + ph }));
    const tx = svg('text', { x: x(t), y: H - 5, 'text-anchor': 'middle' });
    tx.textContent = fmtT(t, 0);
    axis.append(tx);
  }
  parts.push(grid);

  /* Fault windows under the lines; one dashed line per phase mark. */
  const clip = (t) => Math.max(o.t0, Math.min(o.t1, t));
  for (const w of o.windows) {
    if (w.b < o.t0 || w.a > o.t1)
      continue;
    const xa = x(clip(w.a)), xb = x(clip(w.b));
    parts.push(svg('rect', { class: 'fault', x: xa, y: T, width: Math.max(2, xb - xa), height: ph }));
  }
  for (const m of o.marks) {
    if (m.t < o.t0 || m.t > o.t1)
      continue;
    const xm = x(m.t);
    parts.push(svg('line', { x1: xm, x2: xm, y1: T, y2: T + ph, stroke: m.color,
                             'stroke-width': 1.5, 'stroke-dasharray': '4 3' }));
  }
  for (const lb of lay.labels) {
    const tx = svg('text', { class: lb.cls, x: lb.x, y: (lb.row + 1) * lineH - 2, fill: lb.color,
                             style: `font-size: ${labelPx.toFixed(1)}px` });
    tx.textContent = lb.text;
    parts.push(tx);
  }

  let any = false;
  for (const s of o.series) {
    let d = '';
    let pen = false;
    for (const [t, v] of s.pts) {
      if (v === null || t < o.t0 - (o.t1 - o.t0)) {
        pen = false;
        continue;
      }
      d += (pen ? 'L' : 'M') + x(Math.max(t, o.t0)).toFixed(1) + ',' + y(v).toFixed(1);
      pen = true;
      any = true;
    }
    if (d)
      parts.push(svg('path', { d, fill: 'none', stroke: s.color, 'stroke-width': s.width,
                               'stroke-dasharray': s.dash || '', 'stroke-linejoin': 'round' }));
  }
  parts.push(svg('rect', { class: 'frame', x: L, y: T, width: pw, height: ph }));
  parts.push(axis);
  if (!any) {
    const tx = svg('text', { class: 'nodata', x: L + pw / 2, y: T + ph / 2, 'text-anchor': 'middle' });
    tx.textContent = o.series.length ? 'no data yet' : 'nothing to show for this cluster';
    parts.push(tx);
  }
  root.replaceChildren(...parts);
}

/* ---------- wiring ---------- */

function wire() {
  $('#banner-close').addEventListener('click', () => { $('#banner').hidden = true; });
  $('#play-pause').addEventListener('click', () => {
    if (S.state)
      control({ paused: !S.state.paused });
  });
  for (const b of document.querySelectorAll('#speed button'))
    b.addEventListener('click', () => control({ speed: Number(b.dataset.speed) }));
  $('#window').addEventListener('change', drawCharts);
  $('#present-toggle').addEventListener('click', () =>
    setPresent(!document.body.classList.contains('present')));
  document.addEventListener('keydown', (e) => {
    if ((e.key === 'p' || e.key === 'P') && !e.ctrlKey && !e.metaKey && !e.altKey &&
        !/^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName))
      setPresent(!document.body.classList.contains('present'));
  });
  window.addEventListener('resize', scheduleDraw);
  $('#sql-run').addEventListener('click', runSql);
  $('#sql-text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      runSql();
    }
  });
  for (const b of document.querySelectorAll('.sql-examples button'))
    b.addEventListener('click', () => { $('#sql-text').value = b.dataset.sql; });
  $('#sql-instance').addEventListener('change', () => {
    document.querySelector('input[name=sql-ep][value=instance]').checked = true;
  });
}

/* ---------- replay ---------- */

/* Where "phase" steps to: faults, the phases of a failover, recoveries. */
const PHASE_KINDS = new Set(['fault', 'detected', 'promoted', 'dns', 'recovered', 'rejoined',
                             'repaired', 'quorum', 'recreated', 'replaced']);
const PHASE_WORD = { dns: 'DNS updated' };

/* rdsim serve --replay: the page keeps every row and event of the folder
   and shows those up to the chosen time; the server gives the state then. */
async function startReplay() {
  const r = await request('GET', 'api/replay');
  if (!r.ok || !r.body || !r.body.replay)
    return false;
  const [mt, ev] = await Promise.all([request('GET', 'api/metrics?since=-1'),
                                      request('GET', 'api/events?since=0')]);
  if (!mt.ok || !ev.ok)
    return false;
  S.replay = { summary: r.body.summary, t: 0, playing: false, speed: 10, seq: 0,
               rows: mt.body.rows, events: ev.body.events, timer: null };
  document.body.classList.add('replay');
  $('#replay-bar').hidden = false;
  $('#replay-dir').textContent = r.body.dir.replace(/\/+$/, '').split('/').pop();
  $('#replay-dir').title = r.body.dir;
  $('#replay-slider').max = String(r.body.summary.simulated_s);
  $('#window').value = '0';
  const c = $('#conn');
  c.className = 'conn conn-replay';
  c.textContent = 'replay';
  c.dataset.mode = 'replay';
  setColumns(mt.body.columns);
  $('#replay-slider').addEventListener('input', () => { stopReplay(); seek(Number($('#replay-slider').value)); });
  $('#replay-play').addEventListener('click', () => (S.replay.playing ? stopReplay() : playReplay()));
  $('#replay-next').addEventListener('click', () => stepPhase(1));
  $('#replay-prev').addEventListener('click', () => stepPhase(-1));
  for (const b of document.querySelectorAll('#replay-speed button'))
    b.addEventListener('click', () => {
      S.replay.speed = Number(b.dataset.rspeed);
      for (const o of document.querySelectorAll('#replay-speed button'))
        o.setAttribute('aria-pressed', o === b ? 'true' : 'false');
    });
  const t = Number(new URLSearchParams(location.search).get('t'));
  await seek(isFinite(t) ? t : 0);
  return true;
}

async function seek(t) {
  const R = S.replay;
  t = Math.max(0, Math.min(R.summary.simulated_s, t));
  R.t = t;
  const my = ++R.seq;
  const st = await request('GET', 'api/state?t=' + t);
  if (my !== R.seq || !st.ok)
    return;   /* a later seek won, or the server is gone */
  const upto = st.body.sample_t_s;
  S.rows = R.rows.filter((row) => row[0] <= upto + 1e-9);
  S.events = R.events.filter((e) => e.t_s <= t + 1e-9);
  S.seqs = new Set(S.events.map((e) => e.seq));
  S.timelineDirty = true;
  $('#replay-slider').value = String(t);
  const last = S.events.filter((e) => PHASE_KINDS.has(e.kind)).pop();
  $('#replay-phase').textContent = last
    ? `last: ${PHASE_WORD[last.kind] || last.kind} ${last.subject} at ${fmtT(last.t_s)}` : 'before any fault';
  $('#replay-phase').dataset.kind = last ? last.kind : '';
  renderState(st.body);
}

function playReplay() {
  const R = S.replay;
  if (R.t >= R.summary.simulated_s)
    R.t = 0;
  R.playing = true;
  $('#replay-play').textContent = '❚❚ Pause';
  const TICK_MS = 200;
  R.timer = setInterval(() => {
    const t = R.t + R.speed * TICK_MS / 1000;
    seek(t);
    if (t >= R.summary.simulated_s)
      stopReplay();
  }, TICK_MS);
}

function stopReplay() {
  const R = S.replay;
  R.playing = false;
  clearInterval(R.timer);
  $('#replay-play').textContent = '▶ Play';
}

function stepPhase(dir) {
  const R = S.replay;
  const ph = R.events.filter((e) => PHASE_KINDS.has(e.kind));
  const e = dir > 0 ? ph.find((p) => p.t_s > R.t + 1e-6)
    : ph.filter((p) => p.t_s < R.t - 1e-6).pop();
  stopReplay();
  seek(e ? e.t_s : (dir > 0 ? R.summary.simulated_s : 0));
}

async function main() {
  wire();
  if (new URLSearchParams(location.search).has('present'))
    setPresent(true);
  if (await startReplay())
    return;
  while (!(await loadAll()))
    await new Promise((r) => setTimeout(r, 2000));
  connectStream();
}

main();
