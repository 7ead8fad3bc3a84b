import { FAILURE_REASONS, type DeskReport } from '../domain/deskReport.js';
import { htmlLang, type Language } from '../messages/catalog.js';
import type { ReportWords } from './reportWords.js';

const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const COLORS = { email: '#2563eb', sms: '#d97706', coverage: '#0f766e', failure: '#b91c1c', source: '#7c3aed', grid: '#e5e7eb', axis: '#6b7280', text: '#111827' };

interface Bar {
  label: string;
  value: number;
  /** Shown after the value, e.g. a share. */
  note?: string;
}

/** Roughly how wide a label is at 13px: CJK characters are square, Latin ones about half as wide. */
const labelWidth = (text: string) => [...text].reduce((w, ch) => w + (/[\u2e80-\uffef]/.test(ch) ? 13 : 7), 0);

/** A label split into lines that fit `width` (at spaces, or anywhere in CJK text). */
function wrapLabel(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of text.split(/(?<=\s)|(?=[\u2e80-\uffef])|(?<=[\u2e80-\uffef])/)) {
    if (line && labelWidth(line + part) > width) {
      lines.push(line.trimEnd());
      line = part.trimStart();
    } else line += part;
  }
  if (line) lines.push(line.trimEnd());
  return lines;
}

/** Horizontal bars, one a row (a long label takes two lines), scaled to the largest value (or to `max`). */
function barChart(title: string, bars: Bar[], color: string, w: ReportWords, max = Math.max(1, ...bars.map((b) => b.value))): string {
  const labelW = 320;
  const barW = 300;
  const width = labelW + barW + 150;
  let y = 4;
  const rows = bars
    .map((b) => {
      const label = wrapLabel(b.label, labelW - 16);
      const rowH = 12 + 17 * label.length;
      const mid = y + rowH / 2;
      const len = max > 0 ? Math.max(b.value > 0 ? 2 : 0, Math.round((b.value / max) * barW)) : 0;
      const value = `${w.number(b.value)}${b.note ? ` (${b.note})` : ''}`;
      const text = label.map((l, i) => `<tspan x="0" y="${(mid + 5 + (i - (label.length - 1) / 2) * 17).toFixed(1)}">${esc(l)}</tspan>`).join('');
      const row = [
        `<text class="label">${text}</text>`,
        `<rect x="${labelW}" y="${mid - 9}" width="${barW}" height="18" rx="3" fill="${COLORS.grid}"/>`,
        `<rect x="${labelW}" y="${mid - 9}" width="${len}" height="18" rx="3" fill="${color}"><title>${esc(b.label)}: ${esc(value)}</title></rect>`,
        `<text x="${labelW + barW + 10}" y="${mid + 5}" class="value">${esc(value)}</text>`,
      ].join('');
      y += rowH;
      return row;
    })
    .join('\n');
  const height = y + 4;
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(w.t('report.chart.bars', { title }))}" xmlns="http://www.w3.org/2000/svg">\n${rows}\n</svg>`;
}

/** A rounded-up scale of whole numbers with about four gridlines. */
function niceMax(value: number): { max: number; step: number } {
  if (value <= 4) return { max: 4, step: 1 };
  const raw = value / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!);
  return { max: Math.ceil(value / step) * step, step };
}

/** Resets per day as stacked columns (email below, SMS above), with gridlines and a few day labels. */
function resetsChart(report: DeskReport, w: ReportWords): string {
  const days = report.resets.perDay;
  const left = 44;
  const plotW = 700;
  const plotH = 200;
  const top = 10;
  const width = left + plotW + 10;
  const height = top + plotH + 30;
  const { max, step } = niceMax(Math.max(0, ...days.map((d) => d.email + d.sms)));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const slot = plotW / Math.max(1, days.length);
  const barW = Math.max(1, Math.min(28, slot * 0.7));
  const grid: string[] = [];
  for (let v = 0; v <= max; v += step) {
    grid.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${COLORS.grid}"/>`);
    grid.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${esc(w.number(v))}</text>`);
  }
  const every = Math.max(1, Math.ceil(days.length / 8));
  const bars = days.map((d, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const tip = `${w.day(d.day)}: ${w.t('report.resets.email')} ${w.number(d.email)}, ${w.t('report.resets.sms')} ${w.number(d.sms)}`;
    const parts = [`<g><title>${esc(tip)}</title>`];
    if (d.email > 0) parts.push(`<rect x="${x.toFixed(1)}" y="${y(d.email).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(0) - y(d.email)).toFixed(1)}" fill="${COLORS.email}"/>`);
    if (d.sms > 0) parts.push(`<rect x="${x.toFixed(1)}" y="${y(d.email + d.sms).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(d.email) - y(d.email + d.sms)).toFixed(1)}" fill="${COLORS.sms}"/>`);
    parts.push('</g>');
    if (i % every === 0) parts.push(`<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${top + plotH + 18}" class="tick" text-anchor="middle">${esc(w.shortDay(d.day))}</text>`);
    return parts.join('');
  });
  return [
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(w.t('report.chart.resets'))}" xmlns="http://www.w3.org/2000/svg">`,
    ...grid,
    `<line x1="${left}" x2="${left + plotW}" y1="${y(0)}" y2="${y(0)}" stroke="${COLORS.axis}"/>`,
    ...bars,
    '</svg>',
    `<p class="legend"><span class="swatch" style="background:${COLORS.email}"></span>${esc(w.t('report.resets.email'))}<span class="swatch" style="background:${COLORS.sms}"></span>${esc(w.t('report.resets.sms'))}</p>`,
  ].join('\n');
}

/** Rows of a figure and its value; a row marked `sub` is a part of the row above it. */
function table(rows: ([string, string] | [string, string, 'sub'])[]): string {
  return `<table><tbody>${rows.map(([k, v, sub]) => `<tr${sub ? ' class="sub"' : ''}><td>${esc(k)}</td><td class="num">${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}

function tile(label: string, value: string, note?: string): string {
  return `<div class="tile"><div class="tile-value">${esc(value)}</div><div class="tile-label">${esc(label)}</div>${note ? `<div class="tile-note">${esc(note)}</div>` : ''}</div>`;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:${COLORS.text};font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK TC","PingFang HK","Microsoft JhengHei","WenQuanYi Micro Hei",sans-serif}
main{max-width:1000px;margin:0 auto;padding:24px}
header h1{margin:0 0 4px;font-size:26px}
header p{margin:0;color:#4b5563}
section{background:#fff;border-radius:10px;padding:18px 22px;margin:18px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h2{font-size:18px;margin:0 0 12px}
h3{font-size:15px;margin:16px 0 6px;color:#374151}
.tiles{display:grid;grid-template-columns:repeat(3,1fr);gap:12px;background:none;box-shadow:none;padding:0}
.tile{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.tile-value{font-size:24px;font-weight:650;white-space:nowrap}
.tile-label{color:#4b5563;font-size:13px}
.tile-note{color:#6b7280;font-size:12px}
.chart{max-width:100%;height:auto;display:block}
.chart .label{font-size:13px;fill:${COLORS.text}}
.chart .value{font-size:13px;fill:#374151;font-weight:600}
.chart .tick{font-size:11px;fill:${COLORS.axis}}
.legend{margin:6px 0 0;font-size:13px;color:#374151}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin:0 6px 0 14px;vertical-align:-1px}
.swatch:first-child{margin-left:0}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:18px}
.cols section{margin:0}
table{border-collapse:collapse;width:100%;font-size:14px}
td,th{padding:5px 6px;border-bottom:1px solid ${COLORS.grid};text-align:left}
th{color:#4b5563;font-weight:600}
.sub td:first-child{padding-left:20px;color:#4b5563}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{color:#6b7280;font-size:13px;margin:8px 0 0}
footer{color:#6b7280;font-size:13px;margin-top:8px}
`;

/**
 * The report as one self-contained page: inline CSS and SVG charts, no script, and a CSP that
 * forbids loading anything, so it opens the same from a mail attachment, a share or a laptop.
 */
export function renderReportPage(report: DeskReport, w: ReportWords, lang: Language, generatedAt: number): string {
  const c = report.coverage;
  const pct = (n: number) => w.percent(n, c.accounts);
  const reminded = report.reminders;
  const tiles = [
    tile(w.t('report.resets.total'), w.number(report.resets.total)),
    tile(w.t('report.resets.median'), report.medianResetMs === undefined ? '–' : w.duration(report.medianResetMs)),
    tile(w.t('report.coverage.withBoth'), pct(c.withBoth), `${w.number(c.withBoth)} / ${w.number(c.accounts)}`),
    tile(w.t('report.sms'), w.number(report.sms.total)),
    tile(w.t('report.handoffs.requested'), w.number(report.handoffs.requested)),
    tile(w.t('report.reminders.tile'), w.percent(reminded.registeredAfter, reminded.accounts), `${w.number(reminded.registeredAfter)} / ${w.number(reminded.accounts)}`),
  ].join('\n');
  const coverageBars: Bar[] = [
    { label: w.t('report.coverage.withEmail'), value: c.withEmail, note: pct(c.withEmail) },
    { label: w.t('report.coverage.withMobile'), value: c.withMobile, note: pct(c.withMobile) },
    { label: w.t('report.coverage.withBoth'), value: c.withBoth, note: pct(c.withBoth) },
    { label: w.t('report.coverage.withNone'), value: c.withNone, note: pct(c.withNone) },
  ];
  const sourceBars: Bar[] = (['self', 'import', 'directory'] as const).map((s) => ({ label: w.t(`report.source.${s}`), value: c.bySource[s], note: pct(c.bySource[s]) }));
  const failureBars: Bar[] = FAILURE_REASONS.map((r) => ({ label: w.t(`report.failures.${r}`), value: report.failures[r] }));
  const channels = Object.entries(report.resets.byChannel).sort((a, b) => b[1] - a[1]);
  const byReason = Object.entries(report.handoffs.byReason).sort((a, b) => b[1] - a[1]);
  const title = w.t('report.title');
  return `<!doctype html>
<html lang="${htmlLang(lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${esc(title)}</h1>
<p>${esc(w.period(report))}</p>
</header>
<section class="tiles">
${tiles}
</section>
<section>
<h2>${esc(w.t('report.coverage'))}</h2>
<p class="note">${esc(w.t('report.coverage.total', { n: w.number(c.accounts) }))}</p>
${barChart(w.t('report.coverage'), coverageBars, COLORS.coverage, w, Math.max(1, c.accounts))}
<h3>${esc(w.t('report.source'))}</h3>
${barChart(w.t('report.source'), sourceBars, COLORS.source, w, Math.max(1, c.accounts))}
</section>
<section>
<h2>${esc(w.t('report.resets.perDay'))}</h2>
${resetsChart(report, w)}
<div class="cols">
<div>
<h3>${esc(w.t('report.resets'))}</h3>
${table([
  [w.t('report.resets.email'), w.number(report.resets.email)],
  [w.t('report.resets.sms'), w.number(report.resets.sms)],
  [w.t('report.resets.total'), w.number(report.resets.total)],
  [w.t('report.resets.median'), report.medianResetMs === undefined ? w.t('report.resets.noneYet') : w.duration(report.medianResetMs)],
])}
</div>
<div>
<h3>${esc(w.t('report.resets.byChannel'))}</h3>
${channels.length ? table(channels.map(([ch, n]) => [w.channel(ch), w.number(n)])) : `<p class="note">${esc(w.t('report.resets.noneYet'))}</p>`}
</div>
</div>
</section>
<section>
<h2>${esc(w.t('report.failures'))}</h2>
${barChart(w.t('report.failures'), failureBars, COLORS.failure, w)}
</section>
<div class="cols">
<section>
<h2>${esc(w.t('report.sms'))}</h2>
${table([
  [w.t('report.sms.codes'), w.number(report.sms.codes)],
  [w.t('report.sms.notices'), w.number(report.sms.notices)],
  [w.t('report.sms.total'), w.number(report.sms.total)],
])}
<p class="note">${esc(w.t('report.sms.note'))}</p>
</section>
<section>
<h2>${esc(w.t('report.handoffs'))}</h2>
${table([
  [w.t('report.handoffs.requested'), w.number(report.handoffs.requested)],
  ...byReason.map(([r, n]) => [w.handoffReason(r), w.number(n), 'sub'] as [string, string, 'sub']),
  [w.t('report.handoffs.delivered'), w.number(report.handoffs.delivered)],
  [w.t('report.handoffs.failedAttempts'), w.number(report.handoffs.failedAttempts)],
  [w.t('report.handoffs.limited'), w.number(report.handoffs.limited)],
])}
</section>
<section>
<h2>${esc(w.t('report.reminders'))}</h2>
${table([
  [w.t('report.reminders.sent'), w.number(reminded.sent)],
  [w.t('report.reminders.accounts'), w.number(reminded.accounts)],
  [w.t('report.reminders.registeredAfter'), `${w.number(reminded.registeredAfter)} (${w.percent(reminded.registeredAfter, reminded.accounts)})`, 'sub'],
  [w.t('report.reminders.reconfirmAccounts'), w.number(reminded.reconfirmAccounts)],
  [w.t('report.reminders.confirmedAfter'), `${w.number(reminded.confirmedAfter)} (${w.percent(reminded.confirmedAfter, reminded.reconfirmAccounts)})`, 'sub'],
  [w.t('report.reminders.stopped'), w.number(reminded.stopped)],
])}
</section>
</div>
<footer>${esc(w.t('report.generated', { when: w.time(generatedAt) }))}</footer>
</main>
</body>
</html>
`;
}
