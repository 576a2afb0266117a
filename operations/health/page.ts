import { esc } from '../../idp/pages';
import type { HealthReport } from './providers';

const colours = { green: '#1b7f3b', amber: '#b36b00', red: '#b00020' } as const;
const words = { green: 'OK', amber: 'Attention', red: 'Failing' } as const;

export const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * The integration health page: plain HTML that refreshes itself (`<meta http-equiv=refresh>`), no script
 * and no external resource, each row's colour also written in words for those who cannot tell the colours.
 */
export function healthPage(report: HealthReport, refreshSeconds: number): string {
  const rows = report.rows
    .map((r) => {
      const facts = Object.entries(r.facts)
        .filter(([, v]) => v !== null && v !== '')
        .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(String(v))}</dd>`)
        .join('');
      return (
        `<tr id="row-${slug(r.name)}" data-status="${r.status}">` +
        `<th scope="row">${esc(r.name)}</th>` +
        `<td class="status"><span class="dot" style="background:${colours[r.status]}"></span>${words[r.status]} <small>(${r.status})</small></td>` +
        `<td><p class="reason">${esc(r.reason)}</p>${facts ? `<dl>${facts}</dl>` : ''}</td></tr>`
      );
    })
    .join('');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<meta http-equiv="refresh" content="${refreshSeconds}"><title>cloud-bridge: integration health (${report.status})</title>` +
    `<style>body{font-family:sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem}table{border-collapse:collapse;width:100%}` +
    `th,td{border-bottom:1px solid #ddd;padding:.6rem;text-align:left;vertical-align:top}.dot{display:inline-block;width:.9rem;height:.9rem;border-radius:50%;margin-right:.4rem;vertical-align:middle}` +
    `.status{white-space:nowrap}.reason{margin:0 0 .4rem}dl{display:grid;grid-template-columns:max-content auto;gap:.1rem .8rem;margin:0;font-size:.85rem;color:#444}dd{margin:0;word-break:break-all}</style></head><body>` +
    `<h1 id="overall" data-status="${report.status}">Integration health: <span style="color:${colours[report.status]}">${words[report.status]}</span></h1>` +
    `<p>Checked ${esc(report.generatedAt)}; this page refreshes every ${refreshSeconds} s. The same as JSON: <a href="health.json">health.json</a>; metrics: <a href="metrics">metrics</a>.</p>` +
    `<table><thead><tr><th scope="col">Part</th><th scope="col">Status</th><th scope="col">Reason and facts</th></tr></thead><tbody>${rows}</tbody></table></body></html>`
  );
}
