// Reads HTML the way a browser tokenizes it (htmlparser2), for tests that must know which elements
// and attributes a rendered page really has, and what text it shows, rather than grep its source.
import { Parser } from 'htmlparser2';

export interface ScannedElement {
  name: string;
  attributes: Record<string, string>;
}

export interface Scan {
  elements: ScannedElement[];
  /** Every text node, entities decoded, in document order. */
  text: string;
}

export function scanHtml(html: string): Scan {
  const elements: ScannedElement[] = [];
  let text = '';
  const parser = new Parser(
    {
      onopentag: (name, attributes) => elements.push({ name, attributes }),
      ontext: (chunk) => {
        text += chunk;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return { elements, text };
}

/** The elements the reporters write; anything else in a page means markup leaked in from a report. */
export const REPORT_ELEMENTS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'main', 'section', 'article', 'details', 'summary', 'h1', 'h3', 'dl', 'dt', 'dd',
  'div', 'p', 'span', 'strong', 'code', 'pre', 'mark', 'a', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'svg', 'g', 'title', 'rect', 'line', 'path', 'polygon', 'text', 'tspan',
]);
