import Hummingbird
import SessionRankCore

/// `GET /admin`: one self-contained page (inline CSS and JavaScript, no build step) that calls
/// the admin API with the token typed into it. The page itself holds no data, so it needs no
/// token; every call it makes does.
struct AdminPage: Sendable {
    func register(in router: Router<some RequestContext>) {
        router.get("/admin") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                    .init("X-Frame-Options")!: "DENY",
                ],
                body: .init(byteBuffer: ByteBuffer(string: Self.html)))
        }
    }

    static let html = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>SessionRank admin</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:1.5em;max-width:1200px}
        h2{margin-top:1.5em;border-bottom:1px solid #ccc}
        textarea{width:100%;height:22em;font:13px monospace}
        table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
        .error{color:#b00}.ok{color:#070}.up{color:#070}.down{color:#b00}
        .cols{display:flex;gap:1em}.cols>div{flex:1}
        </style></head><body>
        <h1>SessionRank ranking config</h1>
        <p>Token: <input id="token" type="password" size="40"> <button id="load">Load</button> <span id="status"></span></p>

        <h2>Live config</h2>
        <p id="live"></p>
        <textarea id="yaml" spellcheck="false"></textarea>
        <p>Comment: <input id="comment" size="50">
        <button id="validate">Validate</button> <button id="activate">Activate</button> <span id="result"></span></p>

        <h2>Preview the draft</h2>
        <p>Session id (needs a privacy token) <input id="session" size="24"> or viewed items <input id="items" size="40" placeholder="p-00005,p-00011">
        placement <select id="placement"><option>home</option><option>product</option><option>cart</option><option>search</option></select>
        <button id="preview">Preview</button></p>
        <table id="previewTable"></table>

        <h2>Replay the draft on recent sessions</h2>
        <p>The newest <input id="replaySessions" type="number" value="2000" min="1" max="20000" style="width:6em"> sessions
        of the last <input id="replayHours" type="number" value="24" min="1" max="24" style="width:4em"> hours, ranked for the
        <select id="replayPlacement"><option>product</option><option>home</option><option>cart</option><option>search</option></select> placement
        under the live config and the draft above <button id="replay">Replay</button> <span id="replayStatus"></span></p>
        <table id="replayTable"></table>
        <table id="replayRules"></table>

        <h2>Versions</h2>
        <table id="versions"></table>

        <h2>Experiment</h2>
        <table id="experiment"></table>

        <h2>Live, last minute (this replica)</h2>
        <div class="cols"><div>requests/s <b id="rpsNow"></b><br><svg id="rps" width="360" height="80"></svg></div>
        <div>p99 latency, ms <b id="p99Now"></b><br><svg id="p99" width="360" height="80"></svg></div>
        <div>click-through rate <b id="ctrNow"></b><br><svg id="ctr" width="360" height="80"></svg></div></div>

        <script>
        const $ = id => document.getElementById(id);
        $('token').value = sessionStorage.getItem('sessionrank-admin-token') || '';
        let etag = null;
        async function api(method, path, body, headers = {}) {
          sessionStorage.setItem('sessionrank-admin-token', $('token').value);
          const response = await fetch('/admin/v1' + path, {method, body,
            headers: Object.assign({'Authorization': 'Bearer ' + $('token').value}, headers)});
          const text = await response.text();
          let json = null; try { json = JSON.parse(text); } catch (e) {}
          if (!response.ok) {
            const error = json && json.error ? (json.error.field ? json.error.field + ': ' : '') + json.error.message : text;
            throw new Error(response.status + ' ' + error);
          }
          return {json, etag: response.headers.get('ETag')};
        }
        function show(id, text, ok) { $(id).textContent = text; $(id).className = ok ? 'ok' : 'error'; }
        function row(table, cells, header) {
          const tr = document.createElement('tr');
          for (const cell of cells) {
            const td = document.createElement(header ? 'th' : 'td');
            if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell == null ? '' : String(cell);
            tr.appendChild(td);
          }
          table.appendChild(tr);
        }
        function draft() { return JSON.stringify({yaml: $('yaml').value, comment: $('comment').value}); }
        async function load() {
          try {
            const config = await api('GET', '/config');
            etag = config.etag;
            const c = config.json;
            $('live').textContent = `version ${c.version} (${c.configVersion}) by ${c.author} at ${c.createdAt}: ${c.comment}`;
            $('yaml').value = c.yaml || '';
            const versions = (await api('GET', '/config/versions?limit=30')).json;
            const table = $('versions'); table.textContent = '';
            row(table, ['version', 'config', 'author', 'time', 'comment', ''], true);
            for (const v of versions.versions) {
              const button = document.createElement('button');
              button.textContent = v.version === versions.live ? 'live' : 'roll back';
              button.disabled = v.version === versions.live;
              button.onclick = () => rollback(v.version);
              row(table, [v.version, v.configVersion, v.author, v.createdAt, v.comment, button]);
            }
            const experiment = (await api('GET', '/experiments')).json;
            const e = $('experiment'); e.textContent = '';
            row(e, ['variant', 'share', 'served', 'impressions', 'CTR', 'Δ CTR vs control (95%)', 'conversion', 'Δ conversion (95%)'], true);
            const pct = x => x == null ? '' : (100 * x).toFixed(2) + '%';
            const ci = d => d == null ? '' : `${pct(d.difference)} [${pct(d.low)}, ${pct(d.high)}]`;
            for (const v of experiment.variants) {
              row(e, [v.name, v.share, v.served, v.impressions, pct(v.ctr), ci(v.ctrDifference), pct(v.conversion), ci(v.conversionDifference)]);
            }
            if (!experiment.experiment) row(e, ['no experiment running']);
            show('status', 'loaded', true);
          } catch (error) { show('status', error.message, false); }
        }
        async function rollback(version) {
          try {
            await api('POST', '/config/rollback/' + version, null, etag ? {'If-Match': etag} : {});
            show('result', 'rolled back to version ' + version, true); await load();
          } catch (error) { show('result', error.message, false); }
        }
        function chart(id, values) {
          const svg = $(id), w = 360, h = 80, max = Math.max(1e-9, ...values.map(v => v || 0));
          const points = values.map((v, i) => `${(i * w / Math.max(1, values.length - 1)).toFixed(1)},${(h - 4 - (v || 0) / max * (h - 8)).toFixed(1)}`);
          svg.innerHTML = `<rect width="${w}" height="${h}" fill="#f7f7f7"/><polyline fill="none" stroke="#36c" stroke-width="2" points="${points.join(' ')}"/>`;
        }
        async function kpis() {
          try {
            const seconds = (await api('GET', '/kpis')).json.seconds.slice(0, -1);
            const last = seconds.slice(-10), sum = (list, key) => list.reduce((a, s) => a + s[key], 0);
            chart('rps', seconds.map(s => s.requests));
            chart('p99', seconds.map(s => s.p99Milliseconds));
            chart('ctr', seconds.map(s => s.impressions ? s.clicks / s.impressions : 0));
            $('rpsNow').textContent = (sum(last, 'requests') / 10).toFixed(1);
            $('p99Now').textContent = Math.max(0, ...last.map(s => s.p99Milliseconds || 0)).toFixed(1);
            const impressions = sum(seconds, 'impressions');
            $('ctrNow').textContent = impressions ? (100 * sum(seconds, 'clicks') / impressions).toFixed(2) + '%' : '';
          } catch (error) { /* shown by load() */ }
        }
        setInterval(() => { if ($('token').value) kpis(); }, 5000);
        $('load').onclick = () => { load(); kpis(); };
        $('validate').onclick = async () => {
          try { const r = await api('POST', '/config/validate', draft(), {'Content-Type': 'application/json'}); show('result', 'valid: ' + r.json.configVersion, true); }
          catch (error) { show('result', error.message, false); }
        };
        $('activate').onclick = async () => {
          try {
            const r = await api('PUT', '/config', draft(), {'Content-Type': 'application/json', 'If-Match': etag || ''});
            show('result', 'activated version ' + r.json.version, true); await load();
          } catch (error) { show('result', error.message, false); }
        };
        $('preview').onclick = async () => {
          const body = {draft: $('yaml').value, placement: $('placement').value, limit: 20};
          if ($('session').value) body.sessionId = $('session').value;
          else body.items = $('items').value.split(',').map(s => s.trim()).filter(s => s);
          const table = $('previewTable'); table.textContent = '';
          try {
            const p = (await api('POST', '/preview', JSON.stringify(body), {'Content-Type': 'application/json'})).json;
            row(table, ['item', 'live rank', 'draft rank', 'change', 'live score', 'draft score', 'removed by draft'], true);
            for (const r of p.rows) {
              const change = document.createElement('span');
              change.textContent = r.rankChange == null ? '' : (r.rankChange > 0 ? '+' : '') + r.rankChange;
              change.className = r.rankChange > 0 ? 'up' : r.rankChange < 0 ? 'down' : '';
              row(table, [r.itemId, r.liveRank, r.draftRank, change, r.liveScore && r.liveScore.toFixed(4), r.draftScore && r.draftScore.toFixed(4), r.draftRemovedBy]);
            }
            show('result', `preview: ${p.removedByDraft.length} removed by the draft only`, true);
          } catch (error) { show('result', error.message, false); }
        };
        function estimate(e, digits) { return `${e.value.toFixed(digits)} [${e.low.toFixed(digits)}, ${e.high.toFixed(digits)}]`; }
        function showReplay(r) {
          const table = $('replayTable'), rules = $('replayRules'); table.textContent = ''; rules.textContent = '';
          const x = r.result;
          row(table, ['figure', 'live', 'draft', 'draft − live'], true);
          for (const [name, c] of [[`MRR@${x.cutoff}`, x.mrr], [`HR@${x.cutoff}`, x.hitRate], ['coverage', x.coverage]]) {
            const change = document.createElement('span'); change.textContent = estimate(c.difference, 4);
            change.className = c.difference.low > 0 ? 'up' : c.difference.high < 0 ? 'down' : '';
            row(table, [name, estimate(c.live, 4), estimate(c.draft, 4), change]);
          }
          row(rules, ['rule', 'kind', 'answers changed, live', 'answers changed, draft', 'answers where it differs'], true);
          for (const rule of x.rules) row(rules, [rule.rule, rule.kind, estimate(rule.live, 0), estimate(rule.draft, 0), estimate(rule.changed, 0)]);
          if (!x.rules.length) row(rules, ['no rule changed any answer']);
          show('replayStatus', `replay ${r.id}: ${x.sessionsEvaluated} sessions, ${x.predictions} predictions` +
            (x.truncated ? ` (truncated: the ${r.budgetSeconds} s budget ended the ${x.truncatedBy === 'log' ? 'log read' : 'ranking'})` : '') +
            `; intervals: ${x.intervals}`, true);
        }
        $('replay').onclick = async () => {
          const body = {draft: $('yaml').value, sessions: Number($('replaySessions').value), hours: Number($('replayHours').value),
            placement: $('replayPlacement').value};
          $('replayTable').textContent = ''; $('replayRules').textContent = '';
          try {
            let r = (await api('POST', '/replay', JSON.stringify(body), {'Content-Type': 'application/json'})).json;
            show('replayStatus', `replay ${r.id} running (at most ${r.budgetSeconds} s)…`, true);
            while (r.status === 'running') {
              await new Promise(resolve => setTimeout(resolve, 500));
              r = (await api('GET', '/replay/' + r.id)).json;
            }
            if (r.status === 'failed') throw new Error(r.error.code + ': ' + r.error.message);
            showReplay(r);
          } catch (error) { show('replayStatus', error.message, false); }
        };
        if ($('token').value) { load(); kpis(); }
        </script></body></html>
        """#
}
