// The mock's page (GET / of the control API): the exchanges so far as a sequence diagram with the
// live verdicts beside it, redrawn when the trace changes. The server draws (the same renderer as the
// HTML report); the page only asks whether anything changed and swaps the drawing in. Nothing is
// loaded from anywhere else.
import { escapeHtml } from './text.js';
import { renderSequenceDiagram, renderTraceWithVerdicts, SEQUENCE_DIAGRAM_CSS, type TraceVerdict } from './sequence-diagram.js';
import type { LiveVerdict } from '../core/live-verdicts.js';
import type { Exchange } from '../core/trace.js';

/** The diagram of a long session keeps to its latest exchanges; the rest are a line saying so. */
export const DRAWN_EXCHANGES = 150;

/** How often the page asks whether the trace changed. */
export const POLL_MS = 1000;

export interface ViewState {
  exchanges: readonly Exchange[];
  /** Client mode: the live verdicts of the world's scenario. */
  verdicts?: readonly LiveVerdict[];
  /** What to tell a person looking at an empty trace. */
  emptyHint: string;
}

function traceVerdict(verdict: LiveVerdict): TraceVerdict {
  return {
    id: verdict.id,
    status: verdict.status === 'pending' ? 'skip' : verdict.status,
    title: verdict.title,
    message: verdict.message,
    level: verdict.level,
    requirements: verdict.requirements,
    evidence: verdict.evidenceParts,
  };
}

/** The part of the page that changes: redrawn whole, on the server, whenever the version moves. */
export function renderView(state: ViewState): string {
  const drawn = state.exchanges.slice(-DRAWN_EXCHANGES);
  const total = state.exchanges.at(-1)?.id ?? 0;
  const label = `${total} exchange${total === 1 ? '' : 's'} with the mock`;
  const counts = `<p class="mk-count" data-exchanges="${total}">${escapeHtml(label)}${drawn.length < state.exchanges.length ? `, the last ${drawn.length} drawn` : ''}</p>`;
  if (!state.verdicts) {
    const diagram = drawn.length > 0 ? renderSequenceDiagram(drawn, { idPrefix: 'live', label, total }) : `<p class="sd-empty">${escapeHtml(state.emptyHint)}</p>`;
    return counts + diagram;
  }
  const judged = state.verdicts.filter((verdict) => verdict.status !== 'pending');
  const pending = state.verdicts.filter((verdict) => verdict.status === 'pending');
  const pendingLine =
    pending.length > 0
      ? `<p class="mk-pending"><b>Pending</b> (not done yet, or not applicable to what the target did): ${pending.map((v) => `<span title="${escapeHtml(v.message)}">${escapeHtml(v.id)}</span>`).join(', ')}</p>`
      : '';
  if (drawn.length === 0) return `${counts}<p class="sd-empty">${escapeHtml(state.emptyHint)}</p>${pendingLine}`;
  return counts + renderTraceWithVerdicts(drawn, judged.map(traceVerdict), { idPrefix: 'live', label, total }) + pendingLine;
}

export interface PageOptions {
  title: string;
  /** Label and value lines of the header (MCP URL, issuer...). */
  facts: ReadonlyArray<readonly [string, string]>;
  view: string;
  version: number;
}

const PAGE_CSS = `
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #1f2328; background: #fff; }
header { padding: 10px 16px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; }
h1 { font-size: 16px; margin: 0 0 4px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 12px; margin: 0; font-size: 12px; }
dt { color: #57606a; } dd { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
main { padding: 12px 16px; }
.mk-status { font-size: 12px; color: #57606a; margin: 4px 0 0; }
.mk-status.mk-down { color: #cf222e; }
.mk-count { margin: 0 0 8px; color: #57606a; }
.mk-pending { color: #57606a; font-size: 12px; }
`;

/**
 * The whole page, with the view as it is now (so it shows something without scripts), and a small
 * script that polls `version` and fetches `view` when it moved, relative to wherever it is served.
 */
export function renderPage(options: PageOptions): string {
  const facts = options.facts.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`).join('');
  const script = `
(() => {
  let version = ${JSON.stringify(options.version)};
  const live = document.getElementById('live');
  const status = document.getElementById('status');
  const say = (text, down) => { status.textContent = text; status.classList.toggle('mk-down', down); };
  async function poll() {
    try {
      const answer = await fetch('version', { cache: 'no-store' });
      const now = (await answer.json()).version;
      if (now !== version) {
        const view = await fetch('view', { cache: 'no-store' });
        const atBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 40;
        live.innerHTML = await view.text();
        version = now;
        if (atBottom) window.scrollTo(0, document.documentElement.scrollHeight);
      }
      say('live: redrawn as the trace grows', false);
    } catch {
      say('the mock is not answering (stopped?); trying again', true);
    }
    setTimeout(poll, ${POLL_MS});
  }
  setTimeout(poll, ${POLL_MS});
})();`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${SEQUENCE_DIAGRAM_CSS}${PAGE_CSS}</style></head>
<body><header><h1>${escapeHtml(options.title)}</h1><dl>${facts}</dl><p class="mk-status" id="status">live</p></header>
<main id="live">${options.view}</main>
<script>${script}</script>
</body></html>
`;
}
