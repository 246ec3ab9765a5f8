// Evidence made readable: the exchange an Evidence entry names, shown as its request line, and the
// part of it the check points at, looked up in the recorded request or response. Shared by the
// console and JUnit reporters so a failure reads the same in a terminal and in a CI viewer.
import type { Evidence } from '../core/check.js';
import type { ScenarioResult } from '../core/report.js';
import type { Exchange } from '../core/trace.js';
import { cleanLine, truncate } from './text.js';

export type Side = 'request' | 'response';

export type ResolvedPart =
  | { kind: 'value'; side: Side; value: unknown }
  | { kind: 'absent'; side: Side; hint?: string }
  /** The part names nothing this reporter knows how to look up; shown with its note only. */
  | { kind: 'unknown' };

/** An Evidence part taken apart: the side it names, if any, the kind of part and the name within it. */
export interface PartPath {
  side?: Side;
  /** `status`, `method`, `url`, `path`, `query`, `form`, `header` (or `headers`), `body`, or anything else (unknown). */
  head: string;
  /** The parameter or header name, or the JSON path of a body (dots between segments). */
  key?: string;
}

/** Splits a part by the grammar of `resolvePart`, without looking at any exchange. */
export function parsePart(part: string): PartPath {
  let side: Side | undefined;
  let rest = part;
  for (const prefix of ['request', 'response'] as const) {
    if (rest.startsWith(`${prefix}.`)) {
      side = prefix;
      rest = rest.slice(prefix.length + 1);
      break;
    }
  }
  const dot = rest.indexOf('.');
  // Parameter and header names may themselves hold dots; only JSON bodies are walked segment by segment.
  return {
    ...(side ? { side } : {}),
    head: dot < 0 ? rest : rest.slice(0, dot),
    ...(dot < 0 ? {} : { key: rest.slice(dot + 1) }),
  };
}

/**
 * Looks up an Evidence part in an exchange. Grammar: an optional `request.` or `response.` prefix,
 * then `status`, `method`, `url`, `path`, `query[.name]`, `form[.name]`, `header[.name]` or
 * `body[.json.path]`. Without a prefix everything but `status` means the request, except `body`,
 * which means the response when the request had no body (`body.issuer` of a metadata GET).
 */
export function resolvePart(exchange: Exchange, part: string): ResolvedPart {
  const { side, head, key } = parsePart(part);
  const { request, response } = exchange;

  const noResponse: ResolvedPart = { kind: 'absent', side: 'response', hint: 'no response was recorded' };
  const messageOf = (chosen: Side) => (chosen === 'request' ? request : response);

  switch (head) {
    case 'status': {
      if (side === 'request') return { kind: 'unknown' };
      return response ? { kind: 'value', side: 'response', value: response.status } : noResponse;
    }
    case 'method':
    case 'url':
      if (side === 'response' || key !== undefined) return { kind: 'unknown' };
      return { kind: 'value', side: 'request', value: request[head] };
    case 'path': {
      if (side === 'response' || key !== undefined) return { kind: 'unknown' };
      const url = parseUrl(request.url);
      return url ? { kind: 'value', side: 'request', value: url.pathname } : { kind: 'absent', side: 'request', hint: 'the URL does not parse' };
    }
    case 'query': {
      if (side === 'response') return { kind: 'unknown' };
      const url = parseUrl(request.url);
      if (!url) return { kind: 'absent', side: 'request', hint: 'the URL does not parse' };
      return params(url.searchParams, key, 'request');
    }
    case 'form': {
      if (side === 'response') return { kind: 'unknown' };
      const type = request.headers['content-type'] ?? '';
      if (!type.includes('application/x-www-form-urlencoded')) {
        return { kind: 'absent', side: 'request', hint: request.body ? `the body is ${type || 'untyped'}, not a form` : 'the request has no body' };
      }
      return params(new URLSearchParams(request.body ?? ''), key, 'request');
    }
    case 'header':
    case 'headers': {
      const chosen = side ?? 'request';
      const target = messageOf(chosen);
      if (!target) return noResponse;
      if (key === undefined) return { kind: 'value', side: chosen, value: target.headers };
      const value = target.headers[key.toLowerCase()];
      return value === undefined ? { kind: 'absent', side: chosen } : { kind: 'value', side: chosen, value };
    }
    case 'body': {
      const chosen = side ?? (request.body ? 'request' : 'response');
      const target = messageOf(chosen);
      if (!target) return noResponse;
      if (target.body === undefined || target.body === '') return { kind: 'absent', side: chosen, hint: `the ${chosen} has no body` };
      if (key === undefined) return { kind: 'value', side: chosen, value: target.body };
      let json: unknown;
      try {
        json = JSON.parse(target.body);
      } catch {
        return { kind: 'absent', side: chosen, hint: `the ${chosen} body is not JSON` };
      }
      return walk(json, key.split('.'), chosen);
    }
    default:
      return { kind: 'unknown' };
  }
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function params(search: URLSearchParams, key: string | undefined, side: Side): ResolvedPart {
  if (key === undefined) {
    const all = search.toString();
    return all ? { kind: 'value', side, value: all } : { kind: 'absent', side };
  }
  const values = search.getAll(key);
  if (values.length === 0) return { kind: 'absent', side };
  // A repeated parameter is itself often the defect (two `resource` values), so show every value.
  return { kind: 'value', side, value: values.length === 1 ? values[0] : values };
}

function walk(json: unknown, path: string[], side: Side): ResolvedPart {
  let node = json;
  for (const segment of path) {
    if (Array.isArray(node) && /^\d+$/.test(segment) && Number(segment) < node.length) node = node[Number(segment)];
    else if (node && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, segment)) node = (node as Record<string, unknown>)[segment];
    else return { kind: 'absent', side };
  }
  return { kind: 'value', side, value: node };
}

/** A value as it appears after `part =`: strings quoted (so whitespace and empty strings show), the rest as JSON. */
export function formatValue(value: unknown, max: number): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return truncate(cleanLine(text), max);
}

/** Colour hooks; identity functions for plain text. */
export interface EvidenceStyle {
  dim(text: string): string;
  part(text: string): string;
  value(text: string): string;
  absent(text: string): string;
}

export const PLAIN_STYLE: EvidenceStyle = { dim: (t) => t, part: (t) => t, value: (t) => t, absent: (t) => t };

export interface EvidenceLayout {
  /** Columns a line may take before it is shortened (short form) or broken up (full form). */
  width: number;
  /** Full form: nothing is cut, a long URL is broken into one query parameter per line. */
  full: boolean;
  style: EvidenceStyle;
}

/**
 * The exchange as `#4 client-1 authorize: GET http://.../authorize?... -> 302`. A URL that does not
 * fit is cut at the end in the short form (the part line below names the value that matters), or
 * laid out one query parameter per line in the full form.
 */
export function exchangeLines(exchange: Exchange, layout: EvidenceLayout): string[] {
  const { style } = layout;
  const head = `#${exchange.id} ${cleanLine(exchange.actor)} ${exchange.role}:`;
  const outcome = exchange.response ? `→ ${exchange.response.status}` : '→ (no response)';
  const method = cleanLine(exchange.request.method);
  const url = cleanLine(exchange.request.url);
  const oneLine = `${head} ${method} ${url} ${outcome}`;
  if (oneLine.length <= layout.width) return [`${style.dim(head)} ${method} ${url} ${style.dim(outcome)}`];

  if (!layout.full) {
    const room = Math.max(40, layout.width - head.length - method.length - outcome.length - 3);
    return [`${style.dim(head)} ${method} ${truncate(url, room)} ${style.dim(outcome)}`];
  }

  const parsed = parseUrl(exchange.request.url);
  const query = parsed?.search.slice(1) ?? '';
  if (!parsed || !query) return [`${style.dim(head)} ${style.dim(outcome)}`, `  ${method} ${url}`];
  const base = cleanLine(`${parsed.origin}${parsed.pathname}`);
  const pairs = query.split('&').map((pair, i) => `      ${i === 0 ? '?' : '&'}${cleanLine(pair)}`);
  return [`${style.dim(head)} ${style.dim(outcome)}`, `  ${method} ${base}`, ...pairs];
}

/** One Evidence entry: the exchange it names, then `part = value` (or `part: (absent)`) and the note. */
export function evidenceLines(scenario: ScenarioResult, evidence: Evidence, layout: EvidenceLayout): string[] {
  const { style } = layout;
  const exchange = scenario.exchanges.find((e) => e.id === evidence.exchange);
  const note = evidence.note ? cleanLine(evidence.note) : undefined;
  const lines = exchange ? exchangeLines(exchange, layout) : [style.dim(`#${evidence.exchange} (exchange not in the report)`)];
  const valueRoom = layout.full ? 4000 : Math.max(40, layout.width - 20);

  if (evidence.part) {
    lines.push(`  ${partLine(exchange, evidence.part, valueRoom, style)}${note ? ` — ${note}` : ''}`);
  } else if (note) {
    lines.push(`  ${note}`);
  }
  return lines;
}

/**
 * `part = value`, `part: (absent) (why)`, or the bare part when it names nothing readable: one
 * Evidence part as every reporter shows it. `exchange` undefined: the exchange is not in the report.
 */
export function partLine(exchange: Exchange | undefined, rawPart: string, valueRoom: number, style: EvidenceStyle = PLAIN_STYLE): string {
  const part = cleanLine(rawPart);
  const resolved = exchange ? resolvePart(exchange, rawPart) : ({ kind: 'unknown' } as const);
  // Say which side was read when the part did not say so and it is not obvious.
  const sideTag = resolved.kind !== 'unknown' && !/^(request|response)\./.test(part) && part.startsWith('body') && resolved.side === 'response' ? ' (response)' : '';
  if (resolved.kind === 'value') return `${style.part(part + sideTag)} = ${style.value(formatValue(resolved.value, valueRoom))}`;
  if (resolved.kind === 'absent') return `${style.part(part + sideTag)}: ${style.absent('(absent)')}${resolved.hint ? style.dim(` (${resolved.hint})`) : ''}`;
  return style.part(part);
}
