// Turns the per-round measurements into the table, the DESIGN §9 verdicts, Markdown and JSON.

export const median = (xs) => {
  const s = xs.filter((x) => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const min = (xs) => Math.min(...xs.filter((x) => x !== null));
const max = (xs) => Math.max(...xs.filter((x) => x !== null));

const fmtInt = (n) => (n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));
const fmtMs = (n) =>
  n === null || n === undefined ? '–' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0);
const fmtX = (n) => (n === null || n === undefined || !Number.isFinite(n) ? '–' : `${n.toFixed(2)}×`);
const mb = (b) => (b === null || b === undefined ? '–' : `${(b / 1048576).toFixed(0)}`);

function spread(values, fmt) {
  const v = values.filter((x) => x !== null && x !== undefined);
  if (!v.length) return '–';
  if (v.length === 1) return fmt(v[0]);
  return `${fmt(median(v))} (${fmt(min(v))}–${fmt(max(v))})`;
}

/** rounds[r][op][server] = { rps, p50Ms, p99Ms, errors, rssPeak, cpuPct, dbCpuPct } → summary per op/server. */
export function summarize(ops, rounds) {
  const out = {};
  for (const op of ops) {
    out[op.key] = {};
    for (const server of ['baseline', 'plinth']) {
      const runs = rounds.map((r) => r.ops[op.key]?.[server]).filter(Boolean);
      if (!runs.length) continue;
      const col = (k) => runs.map((x) => x[k]);
      out[op.key][server] = {
        rps: { median: median(col('rps')), min: min(col('rps')), max: max(col('rps')), all: col('rps') },
        p50Ms: { median: median(col('p50Ms')), all: col('p50Ms') },
        p99Ms: {
          median: median(col('p99Ms')),
          min: min(col('p99Ms')),
          max: max(col('p99Ms')),
          all: col('p99Ms'),
        },
        errors: col('errors').reduce((a, b) => a + b, 0),
        requests: col('requests').reduce((a, b) => a + b, 0),
        rssPeak: max(col('rssPeak')),
        cpuPct: median(col('cpuPct')),
        dbCpuPct: median(col('dbCpuPct')),
      };
    }
    const b = out[op.key].baseline;
    const p = out[op.key].plinth;
    if (b && p) {
      out[op.key].ratio = p.rps.median / b.rps.median;
      out[op.key].p99Ratio = p.p99Ms.median / b.p99Ms.median;
    }
  }
  return out;
}

export function tableRows(ops, summary, rounds) {
  const header = [
    'operation',
    'server',
    rounds.length > 1 ? 'req/s median (min–max)' : 'req/s',
    'p50 ms',
    rounds.length > 1 ? 'p99 ms median (min–max)' : 'p99 ms',
    'errors',
    'req/s vs base',
    'p99 vs base',
    'RSS MB (peak)',
    'CPU %',
    'DB CPU %',
  ];
  const rows = [];
  for (const op of ops) {
    for (const server of ['baseline', 'plinth']) {
      const s = summary[op.key]?.[server];
      if (!s) continue;
      rows.push([
        server === 'baseline' ? op.label : '',
        server,
        spread(s.rps.all, fmtInt),
        fmtMs(s.p50Ms.median),
        spread(s.p99Ms.all, fmtMs),
        fmtInt(s.errors),
        server === 'plinth' ? fmtX(summary[op.key].ratio) : '1.00×',
        server === 'plinth' ? fmtX(summary[op.key].p99Ratio) : '1.00×',
        mb(s.rssPeak),
        s.cpuPct === null ? '–' : s.cpuPct.toFixed(0),
        s.dbCpuPct === null ? '–' : s.dbCpuPct.toFixed(0),
      ]);
    }
  }
  return { header, rows };
}

export function startRows(rounds) {
  const header = ['server', 'cold start to ready, ms', 'idle RSS MB'];
  const rows = [];
  for (const server of ['baseline', 'plinth']) {
    const starts = rounds.map((r) => r.start?.[server]).filter(Boolean);
    rows.push([
      server,
      spread(
        starts.map((s) => s.coldStartMs),
        fmtInt,
      ),
      spread(
        starts.map((s) => s.idleRss),
        mb,
      ),
    ]);
  }
  return { header, rows };
}

/** DESIGN §9's targets, judged on the medians. */
export function judgeTargets(summary, rounds) {
  const t = [];
  const vsBase = (key, label) => {
    const s = summary[key];
    if (!s?.baseline || !s?.plinth) return;
    t.push({
      target: `${label}: req/s ≥ 0.6× baseline`,
      value: fmtX(s.ratio),
      met: s.ratio >= 0.6,
    });
    t.push({
      target: `${label}: p99 ≤ 2× baseline`,
      value: `${fmtMs(s.plinth.p99Ms.median)} vs ${fmtMs(s.baseline.p99Ms.median)} ms (${fmtX(s.p99Ratio)})`,
      met: s.p99Ratio <= 2,
    });
  };
  vsBase('get', 'get one');
  vsBase('list', 'filtered list (skipTotal)');
  vsBase('list-total', 'filtered list (with total)');
  vsBase('create', 'create');
  vsBase('update', 'update');
  const rules = summary['list-rules']?.plinth;
  const plain = summary.list?.plinth;
  if (rules && plain) {
    const kept = rules.rps.median / plain.rps.median;
    const baseKept =
      summary['list-rules'].baseline && summary.list.baseline
        ? summary['list-rules'].baseline.rps.median / summary.list.baseline.rps.median
        : null;
    t.push({
      target: 'rules cost ≤ 20 % (owner-rule list vs the same list without rule)',
      value:
        `cost ${((1 - kept) * 100).toFixed(0)} %` +
        (kept > 1
          ? ' (the owner-rule list ran faster than the list without a rule: the two lists read different' +
            ' tables, and the per-owner index serves the first one fully)'
          : '') +
        (baseKept === null
          ? ''
          : ` (baseline's hand-written owner check: ${((1 - baseKept) * 100).toFixed(0)} %)`),
      met: kept >= 0.8,
    });
  }
  const small = summary['list-small']?.plinth;
  const scale = summary['list-scale']?.plinth;
  if (small && scale) {
    const kept = scale.rps.median / small.rps.median;
    const bs = summary['list-small'].baseline;
    const bl = summary['list-scale'].baseline;
    t.push({
      target: 'list at scale rows keeps ≥ 0.8 of its speed at small rows',
      value: `${fmtX(kept)}${bs && bl ? ` (baseline: ${fmtX(bl.rps.median / bs.rps.median)})` : ''}`,
      met: kept >= 0.8,
    });
  }
  const rss = median(rounds.map((r) => r.start?.plinth?.idleRss));
  if (rss !== null) {
    t.push({ target: 'idle server RSS ≤ 150 MB', value: `${mb(rss)} MB`, met: rss <= 150 * 1048576 });
  }
  return t;
}

function textTable({ header, rows }) {
  const all = [header, ...rows];
  const w = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i < 2 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

function mdTable({ header, rows }) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

export function renderText(ops, summary, rounds, targets, notes) {
  const parts = [
    textTable(tableRows(ops, summary, rounds)),
    '',
    textTable(startRows(rounds)),
    '',
    'DESIGN §9 targets (medians):',
    ...targets.map((t) => `  ${t.met ? 'MET    ' : 'NOT MET'}  ${t.target}: ${t.value}`),
  ];
  if (notes.length) parts.push('', 'Notes:', ...notes.map((n) => `  - ${n}`));
  return parts.join('\n');
}

export function renderMarkdown(meta, ops, summary, rounds, targets, notes, checks) {
  return [
    `# Plinth benchmark — ${meta.startedAt}`,
    '',
    `\`npm run bench -- ${meta.argv.join(' ')}\` · ${meta.tool} · ${meta.connections} connections · ` +
      `${meta.duration} s per operation (after ${meta.warmup} s warm-up) · ${rounds.length} round(s) · ` +
      `${meta.rows.toLocaleString('en-US')} rows (scale: ${meta.smallRows.toLocaleString('en-US')} vs ${meta.scaleRows.toLocaleString('en-US')})`,
    '',
    `Machine: ${meta.machine}. Commit: ${meta.commit}.`,
    '',
    mdTable(tableRows(ops, summary, rounds)),
    '',
    mdTable(startRows(rounds)),
    '',
    '## DESIGN §9 targets (medians)',
    '',
    '| target | value | met |',
    '| --- | --- | --- |',
    ...targets.map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    '## Same answers on both servers',
    '',
    ...checks.map(
      (c) => `- ${c.ok ? 'same' : '**DIFFERENT**'}: ${c.name}${c.detail ? ` — ${c.detail}` : ''}`,
    ),
    '',
    ...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
}
