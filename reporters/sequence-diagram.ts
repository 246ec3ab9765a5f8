// Recorded exchanges drawn as a sequence diagram (inline SVG): who asked which server what, and what
// came back, with the exchanges and parts a finding points at marked. Everything here is a pure
// function of plain data and loads nothing, so the HTML report and a live page of a running world
// draw the same pictures; the CSS they need is exported beside them.
//
// SVG text cannot be measured without a browser, so the layout assumes a 12 px monospace font
// (advance 0.6 em in DejaVu Sans Mono and Liberation Mono) and cuts labels to the room they have.
import type { Evidence, Level, Status } from '../core/check.js';
import type { Exchange } from '../core/trace.js';
import { parsePart, partLine, resolvePart, type PartPath, type ResolvedPart, type Side } from './evidence.js';
import { cleanLine, escapeHtml, truncate } from './text.js';

/** How a highlight is painted: a failure, a warning, or something merely pointed at. */
export type Tone = 'fail' | 'warn' | 'info';

/** An Evidence entry to mark: its exchange, and its part where it names one. */
export interface DiagramHighlight extends Evidence {
  /** `fail` when not given. */
  tone?: Tone;
}

export interface SequenceDiagramOptions {
  highlight?: readonly DiagramHighlight[];
  /**
   * Gives each exchange's row the id `${idPrefix}-x${exchange.id}`, so links can point at it. Must be
   * unique on the page; without it the diagram carries no ids.
   */
  idPrefix?: string;
  /** The diagram's accessible name. */
  label?: string;
  /** Exchanges the trace holds in all: the diagram says how many come after the last one drawn. */
  total?: number;
}

const FONT_PX = 12;
// 0.6 em is the advance of the usual monospace fonts; a little more keeps estimates on the safe side.
const CHAR_W = 7.4;
const SMALL_CHAR_W = 6.3;
const LANE_GAP = 180;
const MIN_WIDTH = 620;
const SIDE_PAD = 8;
const HEAD_TOP = 6;
const HEAD_H = 36;
const FIRST_ROW = HEAD_TOP + HEAD_H + 14;
const ARROW_ROW = 26;
const CHIP_H = 18;
const CHIP_ROW = CHIP_H + 4;
const ROW_GAP = 8;
const GAP_ROW = 24;
const MAX_LABEL = 90;
const TONE_RANK: Record<Tone, number> = { fail: 3, warn: 2, info: 1 };

/** The processes under test answer as `target`; when they make requests of their own, they start from that lane too. */
const TARGET_ACTORS = new Set(['server', 'authorization-server']);
const SERVER_ORDER: readonly Exchange['server'][] = ['external', 'target', 'rs', 'as', 'as2', 'upstream'];
const SERVER_ROLES: Record<Exchange['server'], string> = {
  external: 'outside the world',
  target: 'under test',
  rs: 'resource server',
  as: 'authorization server',
  as2: 'second AS',
  upstream: 'upstream API',
};

interface Lane {
  key: string;
  name: string;
  role: string;
}

const esc = escapeHtml;
const num = (n: number): string => String(Math.round(n * 10) / 10);

function actorLaneKey(actor: string): string {
  return TARGET_ACTORS.has(actor) ? 's:target' : `a:${actor}`;
}

function actorRole(actor: string): string {
  if (/^client-\d+$/.test(actor)) return 'client process';
  if (actor === 'browser') return "the kit's browser";
  if (actor === 'kit') return 'the kit';
  if (actor === 'login-command') return 'login command';
  return '';
}

/** Clients by number, then the kit and other actors as they first appear, the browser last; then the servers in a fixed order. */
function lanesOf(exchanges: readonly Exchange[]): Lane[] {
  const actors = new Map<string, number>();
  const servers = new Set<string>();
  const externalRoles = new Set<string>();
  for (const e of exchanges) {
    if (TARGET_ACTORS.has(e.actor)) servers.add('target');
    else if (!actors.has(e.actor)) actors.set(e.actor, actors.size);
    servers.add(e.server);
    if (e.server === 'external') externalRoles.add(e.role);
  }
  const rank = (actor: string): [number, number] => {
    const client = /^client-(\d+)$/.exec(actor);
    if (client) return [0, Number(client[1])];
    if (actor === 'kit') return [1, 0];
    if (actor === 'browser') return [3, 0];
    return [2, actors.get(actor) ?? 0];
  };
  const actorLanes = [...actors.keys()]
    .sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      return ra[0] - rb[0] || ra[1] - rb[1];
    })
    .map((actor): Lane => ({ key: `a:${actor}`, name: actor, role: actorRole(actor) }));
  const external = externalRoles.size === 1 && externalRoles.has('callback') ? "client's redirect URI" : externalRoles.size === 1 && externalRoles.has('cimd') ? 'metadata host' : SERVER_ROLES.external;
  // A server this version does not know (a newer report on a live page) still gets a lane, after the known ones.
  const known: readonly string[] = SERVER_ORDER;
  const order = [...SERVER_ORDER.filter((s) => servers.has(s)), ...[...servers].filter((s) => !known.includes(s))];
  const serverLanes = order.map((s): Lane => ({ key: `s:${s}`, name: s, role: s === 'external' ? external : (SERVER_ROLES[s as Exchange['server']] ?? '') }));
  return [...actorLanes, ...serverLanes];
}

function safeId(prefix: string): string {
  return prefix.replace(/[^A-Za-z0-9_-]/g, '_');
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** What the request arrow says: the path and query, the lane already naming the server. */
function requestLabel(e: Exchange): string {
  const url = parseUrl(e.request.url);
  const target = url ? `${url.pathname}${url.search}` : e.request.url;
  return `${cleanLine(e.request.method)} ${cleanLine(target)}`;
}

function responseLabel(e: Exchange): string {
  if (e.response) return String(e.response.status);
  return e.error ? `no response: ${cleanLine(e.error)}` : 'no response';
}

/** Where a highlighted part lives: the side it names, the side resolvePart read, or the request. */
function sideOf(path: PartPath, resolved: ResolvedPart): Side {
  if (resolved.kind !== 'unknown') return resolved.side;
  if (path.side) return path.side;
  return path.head === 'status' ? 'response' : 'request';
}

function strongest(tones: readonly Tone[]): Tone | undefined {
  let best: Tone | undefined;
  for (const tone of tones) if (!best || TONE_RANK[tone] > TONE_RANK[best]) best = tone;
  return best;
}

interface Chip {
  side: Side;
  text: string;
  title: string;
  part: string;
  tone: Tone;
}

function chipsOf(e: Exchange, highlights: readonly DiagramHighlight[], room: number): Chip[] {
  const chips: Chip[] = [];
  const seen = new Set<string>();
  for (const h of highlights) {
    if (!h.part) continue;
    const tone = h.tone ?? 'fail';
    const key = `${h.part}\u0000${tone}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = parsePart(h.part);
    const resolved = resolvePart(e, h.part);
    const text = partLine(e, h.part, room);
    chips.push({ side: sideOf(path, resolved), text, title: h.note ? `${text} — ${cleanLine(h.note)}` : text, part: h.part, tone });
  }
  return chips;
}

/**
 * Draws the exchanges as a sequence diagram: a lane per actor (client processes, the kit's browser,
 * the kit) and per server (`as`, `rs`, `as2`, `target`, `upstream`, `external`), a request and a
 * response arrow per exchange, in id order. Highlighted exchanges get a tinted band, highlighted parts
 * a labelled chip under the arrow of their side. Ids missing between two drawn exchanges are said to
 * be left out. Returns an SVG fragment, or a paragraph when there is nothing to draw.
 */
export function renderSequenceDiagram(exchanges: readonly Exchange[], options: SequenceDiagramOptions = {}): string {
  if (exchanges.length === 0) return '<p class="sd-empty">No exchanges were recorded.</p>';
  const sorted = [...exchanges].sort((a, b) => a.id - b.id);
  const lanes = lanesOf(sorted);
  const laneIndex = new Map(lanes.map((lane, i) => [lane.key, i]));
  const gap = Math.max(LANE_GAP, (MIN_WIDTH - 2 * SIDE_PAD) / lanes.length);
  const width = Math.round(2 * SIDE_PAD + lanes.length * gap);
  const laneX = (key: string): number => SIDE_PAD + gap * ((laneIndex.get(key) ?? 0) + 0.5);
  const prefix = options.idPrefix !== undefined ? safeId(options.idPrefix) : undefined;

  const byExchange = new Map<number, DiagramHighlight[]>();
  for (const h of options.highlight ?? []) byExchange.set(h.exchange, [...(byExchange.get(h.exchange) ?? []), h]);

  const body: string[] = [];
  let y = FIRST_ROW;
  const gapRow = (count: number, where: string): void => {
    body.push(`<text class="sd-gap" x="${num(width / 2)}" y="${num(y + 14)}" text-anchor="middle">⋯ ${count} ${count === 1 ? 'exchange' : 'exchanges'} ${where}</text>`);
    y += GAP_ROW;
  };

  let previous: number | undefined;
  for (const e of sorted) {
    if (previous === undefined && e.id > 1) gapRow(e.id - 1, 'before not shown');
    else if (previous !== undefined && e.id > previous + 1) gapRow(e.id - previous - 1, 'not shown');
    previous = e.id;

    const highlights = byExchange.get(e.id) ?? [];
    // Escaped like any text: a live page may be handed exchanges straight from the wire.
    const eid = esc(String(e.id));
    const tone = highlights.length > 0 ? strongest(highlights.map((h) => h.tone ?? 'fail')) : undefined;
    const from = laneX(actorLaneKey(e.actor));
    const to = laneX(`s:${e.server}`);
    const left = Math.min(from, to);
    const labelX = left + 6 + (from === to ? 34 : 0);
    const labelRoom = Math.max(8, Math.min(MAX_LABEL, Math.floor((width - SIDE_PAD - labelX) / CHAR_W)));
    const chipRoom = Math.max(8, Math.floor((width - 2 * SIDE_PAD - 10) / CHAR_W));
    const chips = chipsOf(e, highlights, chipRoom);
    const top = y;
    const row: string[] = [];
    const toneClass = tone ? ` sd-tone-${tone}` : '';

    const arrow = (x1: number, x2: number, at: number, dashed: boolean, cls: string): string => {
      if (x1 === x2) {
        const d = `M${num(x1)} ${num(at - 5)} h28 v10 h-24`;
        return `<path class="sd-line${dashed ? ' sd-dashed' : ''} ${cls}" d="${d}" fill="none" stroke="currentColor"/><polygon class="sd-head ${cls}" points="${num(x1)},${num(at + 5)} ${num(x1 + 8)},${num(at + 1)} ${num(x1 + 8)},${num(at + 9)}"/>`;
      }
      const dir = x2 > x1 ? 1 : -1;
      const end = x2 - dir * 7;
      return (
        `<line class="sd-line${dashed ? ' sd-dashed' : ''} ${cls}" x1="${num(x1)}" y1="${num(at)}" x2="${num(end)}" y2="${num(at)}" stroke="currentColor"/>` +
        `<polygon class="sd-head ${cls}" points="${num(x2)},${num(at)} ${num(x2 - dir * 9)},${num(at - 4.5)} ${num(x2 - dir * 9)},${num(at + 4.5)}"/>`
      );
    };
    const chipRows = (side: Side): void => {
      for (const chip of chips.filter((c) => c.side === side)) {
        const text = truncate(chip.text, chipRoom);
        const w = text.length * CHAR_W + 10;
        const x = Math.max(SIDE_PAD, Math.min(left + 6, width - SIDE_PAD - w));
        row.push(
          `<g class="sd-part sd-tone-${chip.tone}" data-exchange="${eid}" data-part="${esc(chip.part)}" data-side="${side}"><title>${esc(chip.title)}</title>` +
            `<rect x="${num(x)}" y="${num(y + 2)}" width="${num(w)}" height="${CHIP_H}" rx="3"/>` +
            `<text x="${num(x + 5)}" y="${num(y + 15)}">${esc(text)}</text></g>`,
        );
        y += CHIP_ROW;
      }
    };

    const request = requestLabel(e);
    const requestTitle = `#${e.id} ${cleanLine(e.actor)} → ${e.server} (${e.role}${e.label ? `, ${cleanLine(e.label)}` : ''}): ${cleanLine(e.request.method)} ${cleanLine(e.request.url)}`;
    const idText = `#${cleanLine(String(e.id))} `;
    row.push(
      `<g class="sd-request"><title>${esc(requestTitle)}</title>` +
        `<text class="sd-label" x="${num(labelX)}" y="${num(y + 13)}"><tspan class="sd-num">${esc(idText)}</tspan>${esc(truncate(request, Math.max(1, labelRoom - idText.length)))}</text>` +
        arrow(from, to, y + 19, false, 'sd-req') +
        '</g>',
    );
    y += ARROW_ROW;
    chipRows('request');

    const response = responseLabel(e);
    const statusMarked = chips.some((c) => c.side === 'response' && parsePart(c.part).head === 'status');
    const responseTitle = e.response ? `#${e.id} ${e.server} → ${cleanLine(e.actor)}: ${e.response.status}${e.response.headers['content-type'] ? ` (${cleanLine(e.response.headers['content-type'])})` : ''}` : `#${e.id} ${response}`;
    row.push(
      `<g class="sd-response${e.response ? '' : ' sd-noresponse'}"><title>${esc(responseTitle)}</title>` +
        `<text class="sd-label${statusMarked ? ` sd-status-marked sd-tone-${tone ?? 'fail'}` : ''}" x="${num(labelX)}" y="${num(y + 13)}">${esc(truncate(response, labelRoom))}</text>` +
        arrow(to, from, y + 19, true, 'sd-res') +
        '</g>',
    );
    y += ARROW_ROW;
    chipRows('response');
    y += ROW_GAP;

    const band = tone ? `<rect class="sd-band" x="2" y="${num(top - 3)}" width="${width - 4}" height="${num(y - top - ROW_GAP + 5)}" rx="4"/>` : '';
    const id = prefix !== undefined ? ` id="${prefix}-x${safeId(String(e.id))}"` : '';
    body.push(`<g class="sd-exchange-row${toneClass}${tone ? ' sd-highlighted' : ''}" data-exchange="${eid}"${id}>${band}${row.join('')}</g>`);
  }
  if (options.total !== undefined && previous !== undefined && options.total > previous) gapRow(options.total - previous, 'after not shown');

  const height = y + 4;
  const lifelines = lanes
    .map((lane) => `<line class="sd-lifeline" x1="${num(laneX(lane.key))}" y1="${HEAD_TOP + HEAD_H}" x2="${num(laneX(lane.key))}" y2="${num(height - 4)}" stroke="currentColor"/>`)
    .join('');
  const boxW = Math.min(gap - 14, 168);
  const heads = lanes
    .map((lane) => {
      const x = laneX(lane.key);
      const name = truncate(cleanLine(lane.name), Math.floor((boxW - 10) / CHAR_W));
      const role = truncate(lane.role, Math.floor((boxW - 10) / SMALL_CHAR_W));
      return (
        `<g class="sd-lane" data-lane="${esc(lane.name)}"><title>${esc(cleanLine(lane.name))}${lane.role ? ` (${esc(lane.role)})` : ''}</title>` +
        `<rect x="${num(x - boxW / 2)}" y="${HEAD_TOP}" width="${num(boxW)}" height="${HEAD_H}" rx="5"/>` +
        `<text class="sd-lane-name" x="${num(x)}" y="${HEAD_TOP + 15}" text-anchor="middle">${esc(name)}</text>` +
        (role ? `<text class="sd-lane-role" x="${num(x)}" y="${HEAD_TOP + 29}" text-anchor="middle">${esc(role)}</text>` : '') +
        '</g>'
      );
    })
    .join('');
  const label = options.label ?? `Sequence diagram of ${sorted.length} ${sorted.length === 1 ? 'exchange' : 'exchanges'}`;
  return (
    `<svg class="sd" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${num(height)}" width="${width}" height="${num(height)}" role="img" aria-label="${esc(label)}" font-family="monospace" font-size="${FONT_PX}">` +
    `<g class="sd-lifelines">${lifelines}</g><g class="sd-lanes">${heads}</g>${body.join('')}</svg>`
  );
}

// ---------------------------------------------------------------------------------------------
// One exchange in full, with the highlighted parts marked where they sit in the request or response.

export interface ExchangeDetailOptions {
  highlight?: readonly DiagramHighlight[];
  /** Gives the block the id `${idPrefix}-d${exchange.id}`. */
  idPrefix?: string;
  /** Longest body shown, in characters (default 16000); the rest is cut and said to be. */
  maxBody?: number;
}

interface Mark {
  path: PartPath;
  resolved: ResolvedPart;
  tone: Tone;
}

/** Marks line by line, indentation left out, so a marked block reads as marked lines rather than a ragged box. */
function mark(html: string, tone: Tone): string {
  return html
    .split('\n')
    .map((line) => {
      const indent = /^ */.exec(line)![0];
      const rest = line.slice(indent.length);
      return rest ? `${indent}<mark class="sd-mark sd-tone-${tone}">${rest}</mark>` : line;
    })
    .join('\n');
}
const absentLine = (text: string, tone: Tone): string => `<mark class="sd-mark sd-absent sd-tone-${tone}">${esc(text)}</mark>`;

/** Whether the part names this kind of thing on this side; key undefined matches every key. */
function marksFor(marks: readonly Mark[], side: Side, heads: readonly string[]): Mark[] {
  return marks.filter((m) => heads.includes(m.path.head) && (m.resolved.kind === 'unknown' ? (m.path.side ?? 'request') === side : m.resolved.side === side));
}

function toneFor(matching: readonly Mark[], accept: (m: Mark) => boolean): Tone | undefined {
  return strongest(matching.filter(accept).map((m) => m.tone));
}

/** `?a=1` / `&b=2` lines of a query or form body, marked where a part names the parameter; absent ones said so after them. */
function paramLines(raw: string, marks: readonly Mark[], what: string, indent: string, first: string): string[] {
  const pairs = raw.split('&').filter((p) => p !== '');
  const lines = pairs.map((pair, i) => {
    const name = [...new URLSearchParams(pair).keys()][0] ?? '';
    const text = esc(`${i === 0 ? first : '&'}${pair}`);
    const tone = toneFor(marks, (m) => m.path.key === undefined || m.path.key === name);
    return `${indent}${tone ? mark(text, tone) : text}`;
  });
  for (const m of marks) {
    if (m.path.key !== undefined && m.resolved.kind === 'absent') lines.push(`${indent}${absentLine(`(no ${m.path.key} ${what})`, m.tone)}`);
  }
  return lines;
}

function headerLines(headers: Record<string, string>, marks: readonly Mark[]): string[] {
  const lines = Object.entries(headers).map(([name, value]) => {
    const text = esc(`${name}: ${value}`);
    const tone = toneFor(marks, (m) => m.path.key === undefined || m.path.key.toLowerCase() === name.toLowerCase());
    return tone ? mark(text, tone) : text;
  });
  for (const m of marks) {
    if (m.path.key !== undefined && m.resolved.kind === 'absent') lines.push(absentLine(`(no ${m.path.key.toLowerCase()} header)`, m.tone));
  }
  return lines;
}

const MAX_JSON_DEPTH = 40;

/** JSON laid out with two-space indents, the members and elements at the marked paths wrapped in marks. */
function jsonLines(value: unknown, marks: ReadonlyMap<string, Tone>): string {
  const walk = (node: unknown, indent: string, at: string[]): string => {
    if (node === null || typeof node !== 'object' || at.length >= MAX_JSON_DEPTH) return esc(JSON.stringify(node) ?? String(node));
    const inner = `${indent}  `;
    const entries: [string | undefined, unknown][] = Array.isArray(node) ? node.map((v) => [undefined, v]) : Object.entries(node);
    if (entries.length === 0) return Array.isArray(node) ? '[]' : '{}';
    const items = entries.map(([key, child], i) => {
      const segment = key ?? String(i);
      const childPath = [...at, segment];
      const text = `${key !== undefined ? `${esc(JSON.stringify(key))}: ` : ''}${walk(child, inner, childPath)}`;
      const tone = marks.get(childPath.join('\u0000'));
      return `${inner}${tone ? mark(text, tone) : text}`;
    });
    const [open, close] = Array.isArray(node) ? ['[', ']'] : ['{', '}'];
    return `${open}\n${items.join(',\n')}\n${indent}${close}`;
  };
  return walk(value, '', []);
}

function bodyLines(body: string | undefined, contentType: string, marks: readonly Mark[], maxBody: number): string[] {
  const bodyMarks = marks.filter((m) => m.path.head === 'body');
  const formMarks = marks.filter((m) => m.path.head === 'form');
  const lines: string[] = [];
  const whole = toneFor(bodyMarks, (m) => m.path.key === undefined);
  if (body === undefined || body === '') {
    for (const m of [...bodyMarks, ...formMarks]) lines.push(absentLine(`(no body${m.resolved.kind === 'absent' && m.resolved.hint ? `: ${m.resolved.hint}` : ''})`, m.tone));
    return lines;
  }
  const cut = body.length > maxBody;
  const shown = cut ? body.slice(0, maxBody) : body;
  const tail = cut ? [esc(`… (${body.length - maxBody} more characters)`)] : [];

  if (!cut && contentType.includes('application/x-www-form-urlencoded')) {
    const text = paramLines(shown, formMarks, 'form field', '', '').join('\n');
    return [whole ? mark(text, whole) : text, ...tail];
  }
  let json: unknown;
  let parsed = false;
  if (!cut && /^\s*[[{]/.test(shown)) {
    try {
      json = JSON.parse(shown);
      parsed = true;
    } catch {
      parsed = false;
    }
  }
  if (parsed) {
    const keyed = new Map<string, Tone>();
    for (const m of bodyMarks) {
      if (m.path.key === undefined || m.resolved.kind !== 'value') continue;
      const key = m.path.key.split('.').join('\u0000');
      const current = keyed.get(key);
      if (!current || TONE_RANK[m.tone] > TONE_RANK[current]) keyed.set(key, m.tone);
    }
    const text = jsonLines(json, keyed);
    lines.push(whole ? mark(text, whole) : text);
  } else {
    const text = esc(shown);
    lines.push(whole ? mark(text, whole) : text);
  }
  lines.push(...tail);
  for (const m of bodyMarks) {
    if (m.path.key !== undefined && m.resolved.kind === 'absent') lines.push(absentLine(m.resolved.hint ? `(${m.resolved.hint})` : `(no ${m.path.key} member)`, m.tone));
  }
  for (const m of formMarks) {
    if (m.resolved.kind === 'absent' && m.resolved.hint) lines.push(absentLine(`(${m.resolved.hint})`, m.tone));
  }
  return lines;
}

function requestText(e: Exchange, marks: readonly Mark[], maxBody: number): string {
  const own = marks.filter((m) => (m.resolved.kind === 'unknown' ? (m.path.side ?? 'request') === 'request' : m.resolved.side === 'request'));
  const lines: string[] = [];
  const methodTone = toneFor(own, (m) => m.path.head === 'method');
  const urlTone = toneFor(own, (m) => m.path.head === 'url');
  const pathTone = toneFor(own, (m) => m.path.head === 'path');
  const method = methodTone ? mark(esc(e.request.method), methodTone) : esc(e.request.method);
  const url = parseUrl(e.request.url);
  const queryMarks = marksFor(own, 'request', ['query']);
  const query = url?.search.slice(1) ?? '';
  if (!url || (!query && queryMarks.length === 0)) {
    let target = esc(e.request.url);
    if (url && pathTone) target = `${esc(url.origin)}${mark(esc(url.pathname), pathTone)}${esc(url.search)}${esc(url.hash)}`;
    lines.push(`${method} ${urlTone ? mark(target, urlTone) : target}`);
  } else {
    const base = pathTone ? `${esc(url.origin)}${mark(esc(url.pathname), pathTone)}` : esc(`${url.origin}${url.pathname}`);
    const urlLines = [base, ...paramLines(query, queryMarks, 'query parameter', '    ', '?')].join('\n');
    lines.push(`${method} ${urlTone ? mark(urlLines, urlTone) : urlLines}`);
  }
  lines.push(...headerLines(e.request.headers, marksFor(own, 'request', ['header', 'headers'])));
  const body = bodyLines(e.request.body, e.request.headers['content-type'] ?? '', own, maxBody);
  if (body.length > 0) lines.push('', ...body);
  return lines.join('\n');
}

function responseText(e: Exchange, marks: readonly Mark[], maxBody: number): string {
  if (!e.response) {
    const tone = toneFor(marks, (m) => m.resolved.kind !== 'unknown' && m.resolved.side === 'response');
    const text = esc(e.error ? `(no response: ${e.error})` : '(no response was recorded)');
    return tone ? mark(text, tone) : text;
  }
  const own = marks.filter((m) => (m.resolved.kind === 'unknown' ? m.path.side === 'response' || m.path.head === 'status' : m.resolved.side === 'response'));
  const statusTone = toneFor(own, (m) => m.path.head === 'status');
  const status = esc(String(e.response.status));
  const lines = [statusTone ? mark(status, statusTone) : status];
  lines.push(...headerLines(e.response.headers, marksFor(own, 'response', ['header', 'headers'])));
  const body = bodyLines(e.response.body, e.response.headers['content-type'] ?? '', own, maxBody);
  if (body.length > 0) lines.push('', ...body);
  return lines.join('\n');
}

/**
 * One exchange in full: the request (URL laid out a query parameter a line, headers, body; forms a
 * field a line, JSON indented) and the response, with every highlighted part marked where it sits,
 * and a marked line where a part the highlight names is absent.
 */
export function renderExchangeDetail(e: Exchange, options: ExchangeDetailOptions = {}): string {
  const highlights = (options.highlight ?? []).filter((h) => h.exchange === e.id);
  const marks: Mark[] = highlights.flatMap((h) => (h.part ? [{ path: parsePart(h.part), resolved: resolvePart(e, h.part), tone: h.tone ?? 'fail' }] : []));
  const tone = highlights.length > 0 ? strongest(highlights.map((h) => h.tone ?? 'fail')) : undefined;
  const maxBody = options.maxBody ?? 16_000;
  const id = options.idPrefix !== undefined ? ` id="${safeId(options.idPrefix)}-d${safeId(String(e.id))}"` : '';
  const head = `#${e.id} ${cleanLine(e.actor)} → ${e.server} · ${e.role}${e.label ? ` · ${cleanLine(e.label)}` : ''} · at ${Math.round(e.at)} ms, answered in ${Math.round(e.durationMs)} ms`;
  return (
    `<div class="sd-exchange${tone ? ` sd-tone-${tone}` : ''}" data-exchange="${esc(String(e.id))}"${id}>` +
    `<div class="sd-exchange-head">${esc(head)}</div>` +
    '<div class="sd-messages">' +
    `<div class="sd-message"><div class="sd-message-title">Request</div><pre class="sd-pre">${requestText(e, marks, maxBody)}</pre></div>` +
    `<div class="sd-message"><div class="sd-message-title">Response</div><pre class="sd-pre">${responseText(e, marks, maxBody)}</pre></div>` +
    '</div></div>'
  );
}

// ---------------------------------------------------------------------------------------------
// A trace with verdicts beside it: usable without a whole report, by anything that holds exchanges
// and check results (a live page of a running world, a finished scenario).

/** A check's verdict as far as the trace view needs it; a report's CheckResult is one. */
export interface TraceVerdict {
  id: string;
  status: Status;
  title?: string;
  message?: string;
  level?: Level;
  requirements?: readonly string[];
  evidence?: readonly Evidence[];
  expectedFailure?: boolean;
  /** For `not-reached`: the checks whose failure left this one undone. */
  cause?: readonly string[];
}

export type VerdictKind = Status | 'xfail';

export const VERDICT_LABELS: Record<VerdictKind, string> = {
  fail: 'FAIL',
  'not-reached': 'NOT REACHED',
  warn: 'WARN',
  xfail: 'XFAIL',
  skip: 'SKIP',
  pass: 'PASS',
};

const VERDICT_ORDER: readonly VerdictKind[] = ['fail', 'not-reached', 'warn', 'xfail', 'skip', 'pass'];

export function verdictKind(v: Pick<TraceVerdict, 'status' | 'expectedFailure'>): VerdictKind {
  return (v.status === 'fail' || v.status === 'not-reached') && v.expectedFailure ? 'xfail' : v.status;
}

/** Most serious first, report order kept within each kind. */
export function sortVerdicts<T extends Pick<TraceVerdict, 'status' | 'expectedFailure'>>(verdicts: readonly T[]): T[] {
  return verdicts
    .map((v, i) => ({ v, i }))
    .sort((a, b) => VERDICT_ORDER.indexOf(verdictKind(a.v)) - VERDICT_ORDER.indexOf(verdictKind(b.v)) || a.i - b.i)
    .map(({ v }) => v);
}

/** The evidence of failures and warnings (and of expected failures, quietly) as highlights. */
export function verdictHighlights(verdicts: readonly TraceVerdict[]): DiagramHighlight[] {
  const tones: Partial<Record<VerdictKind, Tone>> = { fail: 'fail', warn: 'warn', xfail: 'info' };
  return verdicts.flatMap((v) => {
    const tone = tones[verdictKind(v)];
    return tone ? (v.evidence ?? []).map((e) => ({ ...e, tone })) : [];
  });
}

export function verdictBadge(kind: VerdictKind): string {
  return `<span class="sd-badge sd-badge-${kind === 'not-reached' ? 'unreached' : kind}">${VERDICT_LABELS[kind]}</span>`;
}

/** The verdicts as a list, most serious first, each with its evidence linked to the diagram's rows when idPrefix is given. */
export function renderVerdictList(verdicts: readonly TraceVerdict[], exchanges: readonly Exchange[], options: { idPrefix?: string } = {}): string {
  const byId = new Map(exchanges.map((e) => [e.id, e]));
  const prefix = options.idPrefix !== undefined ? safeId(options.idPrefix) : undefined;
  const items = sortVerdicts(verdicts).map((v) => {
    const kind = verdictKind(v);
    const tags = [...(kind === 'fail' || kind === 'warn' ? [v.level] : []), ...(v.requirements ?? [])].filter((t): t is string => Boolean(t));
    const evidence = (v.evidence ?? []).map((ev) => {
      const exchange = byId.get(ev.exchange);
      const shown = esc(`#${ev.exchange}`);
      const ref = exchange && prefix !== undefined ? `<a href="#${prefix}-x${safeId(String(ev.exchange))}">${shown}</a>` : shown;
      const part = ev.part ? ` <code>${esc(partLine(exchange, ev.part, 120))}</code>` : '';
      const note = ev.note ? ` <span class="sd-note">${esc(cleanLine(ev.note))}</span>` : '';
      return `<li>${ref}${part}${note}</li>`;
    });
    const cause = kind === 'not-reached' || (kind === 'xfail' && v.status === 'not-reached') ? `<div class="sd-v-cause">left undone by the failure of ${esc((v.cause ?? []).join(' and ') || 'an earlier step')}</div>` : '';
    return (
      `<li class="sd-v sd-v-${kind === 'not-reached' ? 'unreached' : kind}" data-check="${esc(v.id)}">` +
      `${verdictBadge(kind)} <span class="sd-v-id">${esc(v.id)}</span>` +
      (tags.length > 0 ? ` <span class="sd-v-tags">${esc(tags.join(' '))}</span>` : '') +
      (v.message ? `<div class="sd-v-msg">${esc(cleanLine(v.message))}</div>` : '') +
      cause +
      (evidence.length > 0 ? `<ul class="sd-v-evidence">${evidence.join('')}</ul>` : '') +
      '</li>'
    );
  });
  return `<ol class="sd-verdicts">${items.join('')}</ol>`;
}

/**
 * The exchanges as a sequence diagram with the verdicts beside it: failures' and warnings' evidence
 * highlighted in the diagram, and each verdict's evidence linking to its row. A trace that is still
 * growing can be drawn again as often as it changes.
 */
export function renderTraceWithVerdicts(
  exchanges: readonly Exchange[],
  verdicts: readonly TraceVerdict[],
  options: { idPrefix?: string; label?: string; total?: number } = {},
): string {
  const diagram = renderSequenceDiagram(exchanges, { ...options, highlight: verdictHighlights(verdicts) });
  return `<div class="sd-trace"><div class="sd-trace-diagram">${diagram}</div><div class="sd-trace-verdicts">${renderVerdictList(verdicts, exchanges, options)}</div></div>`;
}

/** Everything the fragments above need to look right; the page that shows them includes it once. */
export const SEQUENCE_DIAGRAM_CSS = `
.sd { display: block; max-width: 100%; height: auto; color: #57606a; font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: ${FONT_PX}px; }
.sd text { fill: #1f2328; stroke: #fff; stroke-width: 3px; paint-order: stroke; stroke-linejoin: round; }
.sd .sd-lane rect { fill: #f6f8fa; stroke: #8c959f; }
.sd .sd-lane-name { font-weight: 700; stroke: none; }
.sd .sd-lane-role { font-size: 10px; fill: #57606a; stroke: none; }
.sd .sd-lifeline { stroke: #afb8c1; stroke-dasharray: 3 4; }
.sd .sd-line { stroke: #57606a; stroke-width: 1.3; }
.sd .sd-dashed { stroke-dasharray: 5 3; }
.sd .sd-head { fill: #57606a; }
.sd .sd-num { fill: #6e7781; }
.sd .sd-gap { fill: #6e7781; font-style: italic; }
.sd .sd-noresponse .sd-label { fill: #a40e26; }
.sd .sd-band { fill: #fff8c5; }
.sd .sd-tone-fail .sd-band { fill: #ffebe9; stroke: #ff8182; }
.sd .sd-tone-warn .sd-band { fill: #fff8c5; stroke: #d4a72c; }
.sd .sd-tone-info .sd-band { fill: #ddf4ff; stroke: #54aeff; }
.sd .sd-highlighted .sd-line { stroke-width: 2.2; }
.sd .sd-tone-fail .sd-line { stroke: #cf222e; } .sd .sd-tone-fail .sd-head { fill: #cf222e; }
.sd .sd-tone-warn .sd-line { stroke: #9a6700; } .sd .sd-tone-warn .sd-head { fill: #9a6700; }
.sd .sd-tone-info .sd-line { stroke: #0969da; } .sd .sd-tone-info .sd-head { fill: #0969da; }
.sd .sd-highlighted text.sd-label { font-weight: 700; }
.sd .sd-part rect { stroke-width: 1.5; }
.sd .sd-part text { stroke: none; font-weight: 700; }
.sd .sd-part.sd-tone-fail rect { fill: #cf222e; stroke: #a40e26; } .sd .sd-part.sd-tone-fail text { fill: #fff; }
.sd .sd-part.sd-tone-warn rect { fill: #fff1a8; stroke: #9a6700; } .sd .sd-part.sd-tone-warn text { fill: #4d2d00; }
.sd .sd-part.sd-tone-info rect { fill: #ddf4ff; stroke: #0969da; } .sd .sd-part.sd-tone-info text { fill: #0a3069; }
.sd text.sd-status-marked.sd-tone-fail { fill: #cf222e; } .sd text.sd-status-marked.sd-tone-warn { fill: #9a6700; }
.sd-empty { color: #57606a; font-style: italic; }
.sd-exchange { border: 1px solid #d0d7de; border-radius: 6px; margin: 8px 0; background: #fff; }
.sd-exchange.sd-tone-fail { border-color: #ff8182; } .sd-exchange.sd-tone-warn { border-color: #d4a72c; }
.sd-exchange-head { padding: 6px 10px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; border-radius: 6px 6px 0 0; font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
.sd-messages { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); }
.sd-message { min-width: 0; padding: 6px 10px; }
.sd-message + .sd-message { border-left: 1px solid #d0d7de; }
.sd-message-title { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: #57606a; margin-bottom: 4px; }
.sd-pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.45 ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; }
.sd-mark { border-radius: 3px; padding: 0 2px; font-weight: 700; }
.sd-mark.sd-tone-fail { background: #ffcecb; color: #82071e; outline: 1.5px solid #cf222e; }
.sd-mark.sd-tone-warn { background: #fff1a8; color: #4d2d00; outline: 1.5px solid #d4a72c; }
.sd-mark.sd-tone-info { background: #ddf4ff; color: #0a3069; outline: 1.5px solid #54aeff; }
.sd-absent { font-style: italic; }
.sd-trace { display: grid; grid-template-columns: minmax(0, 3fr) minmax(240px, 2fr); gap: 16px; align-items: start; }
@media (max-width: 900px) { .sd-trace { grid-template-columns: minmax(0, 1fr); } }
.sd-trace-diagram { min-width: 0; overflow-x: auto; }
.sd-trace-diagram .sd { min-width: 560px; }
.sd-verdicts { list-style: none; margin: 0; padding: 0; font-size: 13px; }
.sd-v { padding: 6px 8px; border-left: 4px solid #d0d7de; margin-bottom: 6px; background: #f6f8fa; border-radius: 0 4px 4px 0; }
.sd-v-fail, .sd-v-unreached { border-left-color: #cf222e; } .sd-v-warn { border-left-color: #d4a72c; } .sd-v-xfail { border-left-color: #8250df; } .sd-v-pass { border-left-color: #1a7f37; }
.sd-v-id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 700; }
.sd-v-tags, .sd-v-cause, .sd-note { color: #57606a; }
.sd-v-msg { margin-top: 2px; }
.sd-v-evidence { margin: 4px 0 0; padding-left: 18px; font-size: 12px; }
.sd-v-evidence code { overflow-wrap: anywhere; }
.sd-badge { display: inline-block; min-width: 44px; text-align: center; font: 700 11px/18px system-ui, sans-serif; border-radius: 3px; padding: 0 5px; color: #fff; }
.sd-badge-fail, .sd-badge-unreached { background: #cf222e; } .sd-badge-warn { background: #9a6700; } .sd-badge-xfail { background: #8250df; }
.sd-badge-skip { background: #6e7781; } .sd-badge-pass { background: #1a7f37; }
`;
