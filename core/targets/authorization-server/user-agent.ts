// The person at the browser, played headlessly: from an authorization URL through whatever login
// and consent pages a real authorization server shows, to the moment it sends the browser to the
// client's redirect URI. That last navigation is only read, never made; what it carries (a code,
// an error) is the authorization server's answer, and the client is not part of the test.
//
// Requests look like a browser's navigations because servers tell browsers from API clients by
// them: a login page may only be served to `sec-fetch-mode: navigate`, a session cookie may be set
// on the first page and required on the form post, and a CSRF token rides in a hidden input.
import { randomBytes } from 'node:crypto';
import { CookieJar } from 'tough-cookie';
import type { Probe, ProbeResult } from '../probe.js';
import { isSubmitter, readPage, refreshTarget, type FormControl, type PageForm } from './html-page.js';

export interface UserAgentOptions {
  /** Sends and records every request (see core/targets/probe.ts). Construct the Probe with actor 'browser'. */
  probe: Probe;
  /** The client's redirect URI: the agent stops (never connects) when it is sent to a URL with this origin and path. */
  redirectUri: string;
  /**
   * The client's other redirect URIs, where the agent stops too: a request naming one redirect URI
   * may be answered at another (the registered one), and nothing listens at any of them.
   */
  alsoStopAt?: string[];
  username?: string;
  password?: string;
  /** Navigations and form posts before it gives up (default 20). */
  maxSteps?: number;
}

export type AuthorizationOutcome =
  | {
      kind: 'redirected';
      /** Where the authorization server sent the browser, absolute. */
      url: string;
      params: Record<string, string>;
      /** `form_post`: the server posted a form to the redirect URI (response_mode=form_post); its fields are the params. */
      from: 'query' | 'fragment' | 'form_post';
      /**
       * The exchange whose Location (or form action, or meta refresh) pointed at the redirect URI;
       * always set by the user agent, absent when a login command followed the redirects.
       */
      exchange?: number;
    }
  | {
      kind: 'stopped';
      reason: string;
      /** The last exchange, e.g. the error page the authorization server showed. */
      exchange?: number;
    };

type Stopped = Extract<AuthorizationOutcome, { kind: 'stopped' }>;

const DEFAULT_MAX_STEPS = 20;
const ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
// A current desktop Chrome, so that servers which sniff for browsers serve their pages; the last
// token lets an operator find the kit in the server's logs.
const BROWSER_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 mcp-auth-conformance';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** How much of a page or body a stop reason quotes. */
const EXCERPT_CHARS = 120;

const APPROVAL = /allow|approve|accept|authori[sz]e|consent|continue|confirm|grant|yes|sign in|log ?in|submit/i;
const REFUSAL = /\b(?:deny|cancel|reject|abort|no|decline|refuse|don['’]?t)\b/i;
const USERNAME = /user|login|e-?mail|username/i;
const TEXT_INPUTS = new Set(['text', 'email', 'tel']);

/** One request the agent is about to make. */
interface Navigation {
  url: URL;
  method: 'GET' | 'POST';
  body?: string;
  contentType?: string;
  /** The URL whose response or page led here, for Sec-Fetch-Site; absent for the typed-in first URL. */
  from?: URL;
  referer?: string;
  origin?: string;
  /** A click or a redirect of one; a meta refresh is not. */
  userActivated: boolean;
}

/** What one authorization has learnt so far. */
interface Walk {
  /** Pages elsewhere (an identity provider's) are named by their origin in stop reasons. */
  asOrigin: string;
  /** The last form submitted had a password filled in. */
  sentCredentials: boolean;
}

interface Choice {
  form: PageForm;
  submitter?: FormControl;
}

export class UserAgent {
  /** Lives as long as the agent, as a browser profile does: a second authorization finds the session of the first. */
  private readonly jar = new CookieJar();
  private readonly redirectKeys: Set<string>;
  private readonly maxSteps: number;

  constructor(private readonly options: UserAgentOptions) {
    this.redirectKeys = new Set([options.redirectUri, ...(options.alsoStopAt ?? [])].map(redirectEndpoint));
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  }

  /** Navigates to an authorization URL and follows it to the client's redirect URI. Never throws for target behaviour. */
  async authorize(url: string, label: string): Promise<AuthorizationOutcome> {
    if (!URL.canParse(url)) return stopped(`the authorization URL is not a URL: ${url}`);
    const walk: Walk = { asOrigin: new URL(url).origin, sentCredentials: false };
    const first = this.towards(new URL(url), { method: 'GET', userActivated: true }, undefined, 'the authorization URL');
    if ('kind' in first) return first;
    let navigation = first;
    let last: number | undefined;
    for (let step = 0; ; step++) {
      if (step >= this.maxSteps) return stopped(`gave up after ${this.maxSteps} steps`, last);
      const result = await this.send(navigation, step === 0 ? label : `${label}:step-${step}`, step === 0);
      last = result.exchange.id;
      const next = await this.react(navigation, result, walk);
      if ('kind' in next) return next;
      navigation = next;
    }
  }

  private async send(navigation: Navigation, label: string, first: boolean): Promise<ProbeResult> {
    const { url } = navigation;
    const headers: Record<string, string> = {
      accept: ACCEPT,
      'accept-language': 'en-US,en;q=0.9',
      'user-agent': BROWSER_USER_AGENT,
      'upgrade-insecure-requests': '1',
      'sec-fetch-site': navigation.from === undefined ? 'none' : navigation.from.origin === url.origin ? 'same-origin' : 'cross-site',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    };
    if (navigation.userActivated) headers['sec-fetch-user'] = '?1';
    const cookie = await this.jar.getCookieString(url).catch(() => '');
    if (cookie) headers.cookie = cookie;
    if (navigation.referer !== undefined) headers.referer = navigation.referer;
    if (navigation.origin !== undefined) headers.origin = navigation.origin;
    if (navigation.contentType !== undefined) headers['content-type'] = navigation.contentType;
    return this.options.probe.send(label, {
      method: navigation.method,
      url: url.href,
      headers,
      ...(navigation.body !== undefined ? { body: navigation.body } : {}),
      ...(first ? { role: 'authorize' as const } : {}),
    });
  }

  /** What the browser does with one answer: the next request, or the end of the walk. */
  private async react(navigation: Navigation, result: ProbeResult, walk: Walk): Promise<Navigation | AuthorizationOutcome> {
    const exchange = result.exchange.id;
    const { response } = result;
    if (!response) return stopped(`${navigation.method} ${navigation.url.href} got no answer: ${result.exchange.error ?? 'no response'}`, exchange);
    for (const line of result.setCookies ?? []) {
      // A cookie the jar refuses (a bad domain, a malformed line) is one a browser would drop too.
      await this.jar.setCookie(line, navigation.url, { ignoreError: true }).catch(() => undefined);
    }
    const who = walk.asOrigin === navigation.url.origin ? 'the authorization server' : navigation.url.origin;
    const { status, headers } = response;
    const body = response.body ?? '';

    const location = headers.location;
    if (REDIRECTS.has(status) && location !== undefined) {
      if (!URL.canParse(location, navigation.url)) return stopped(`${who} answered ${status} with a Location that is not a URL: ${location}`, exchange);
      // 307 and 308 repeat the request as it was; the others turn a POST into a GET, as browsers do.
      const repeat = status === 307 || status === 308;
      const next: Omit<Navigation, 'url'> = {
        method: repeat ? navigation.method : 'GET',
        from: navigation.url,
        userActivated: navigation.userActivated,
        ...(navigation.referer !== undefined ? { referer: navigation.referer } : {}),
        ...(repeat && navigation.body !== undefined ? { body: navigation.body } : {}),
        ...(repeat && navigation.contentType !== undefined ? { contentType: navigation.contentType } : {}),
        ...(repeat && navigation.origin !== undefined ? { origin: navigation.origin } : {}),
      };
      return this.towards(new URL(location, navigation.url), next, exchange, who);
    }

    // Browsers honour a Refresh header whatever the body is.
    const refreshHeader = headers.refresh !== undefined ? refreshTarget(headers.refresh) : undefined;
    if (refreshHeader !== undefined) return this.refresh(navigation.url, refreshHeader, exchange, who, status);

    const contentType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const html = contentType === 'text/html' || contentType === 'application/xhtml+xml' || (contentType === '' && /^\s*<(?:!doctype\s+html|html|head|body|form)\b/i.test(body));
    if (!html) {
      const what = contentType || 'no content type';
      if (body.trim() === '') return stopped(`${who} answered ${status} with an empty body (${what})`, exchange);
      return stopped(`${who} answered ${status} with ${what}, not a page: "${excerpt(body)}"`, exchange);
    }

    const page = readPage(body);
    if (page.refresh !== undefined) return this.refresh(navigation.url, page.refresh, exchange, who, status);

    const shown = page.text ? `showed: "${excerpt(page.text)}"` : 'showed an empty page';
    const choice = chooseForm(page.forms, this.options.password !== undefined);
    if (typeof choice === 'string') return stopped(`${who} answered ${status} and ${choice}`, exchange);
    if (!choice) return stopped(`${who} answered ${status} and ${shown}`, exchange);
    const login = choice.form.controls.some(isPassword);
    if (login && this.options.password === undefined) {
      return stopped(`${who} answered ${status} with a login form, and no password was given to log in with`, exchange);
    }
    if (login && walk.sentCredentials) return stopped('the login form came back: the username or password was refused', exchange);
    walk.sentCredentials = login;
    return this.submit(navigation.url, choice, exchange, who);
  }

  private refresh(pageUrl: URL, to: string, exchange: number, who: string, status: number): Navigation | AuthorizationOutcome {
    if (!URL.canParse(to, pageUrl)) return stopped(`${who} answered ${status} with a refresh to something that is not a URL: ${to}`, exchange);
    const target = new URL(to, pageUrl);
    return this.towards(target, { method: 'GET', userActivated: false, ...fromPage(pageUrl, target) }, exchange, who);
  }

  /** The request that submitting `choice` makes, or the outcome when it goes to the redirect URI. */
  private submit(pageUrl: URL, { form, submitter }: Choice, exchange: number, who: string): Navigation | AuthorizationOutcome {
    const actionText = submitter?.formAction ?? form.action ?? '';
    if (!URL.canParse(actionText, pageUrl)) return stopped(`${who} showed a form whose action is not a URL: ${actionText}`, exchange);
    // An empty action is the page itself.
    const action = new URL(actionText || pageUrl.href, pageUrl);
    const method = (submitter?.formMethod ?? form.method) === 'post' ? 'POST' : 'GET';
    const entries = formEntries(form, submitter, this.options);
    if (method === 'POST' && this.redirectKeys.has(redirectEndpoint(action.href))) {
      return { kind: 'redirected', url: action.href, params: firstOfEach(entries), from: 'form_post', exchange };
    }
    const via = { userActivated: true, ...fromPage(pageUrl, action) };
    if (method === 'GET') {
      action.search = new URLSearchParams(entries).toString();
      return this.towards(action, { method, ...via }, exchange, who);
    }
    const encoded = encodeForm(entries, submitter?.formEnctype ?? form.enctype);
    return this.towards(action, { method, ...via, ...encoded, origin: pageUrl.origin }, exchange, who);
  }

  /** Where a redirect, refresh or form leads: the redirect URI ends the walk unvisited; a web URL is the next request. */
  private towards(target: URL, via: Omit<Navigation, 'url'>, exchange: number | undefined, who: string): Navigation | AuthorizationOutcome {
    if (this.redirectKeys.has(redirectEndpoint(target.href))) {
      if (exchange === undefined) return stopped(`${who} is the redirect URI itself`);
      return { kind: 'redirected', ...readRedirect(target), exchange };
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return stopped(`${who} sent the browser to ${target.href}, which is neither the redirect URI nor a web page`, exchange);
    }
    return { ...via, url: target };
  }
}

/** The redirect URI as the agent and the login command recognise it: everything but query and fragment. */
export function redirectEndpoint(uri: string): string {
  const url = new URL(uri);
  url.search = '';
  url.hash = '';
  return url.href;
}

/** The parameters of a URL the authorization server sent the browser to: the query's, or the fragment's when the query has none. */
export function readRedirect(url: URL): { url: string; params: Record<string, string>; from: 'query' | 'fragment' } {
  const query = [...url.searchParams];
  if (query.length === 0 && url.hash.length > 1) {
    return { url: url.href, params: firstOfEach(new URLSearchParams(url.hash.slice(1))), from: 'fragment' };
  }
  return { url: url.href, params: firstOfEach(query), from: 'query' };
}

// A parameter the server repeated (which RFC 6749 §3.1 forbids) keeps its first value here; the
// recorded URL still has them all.
function firstOfEach(entries: Iterable<[string, string]>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of entries) if (!Object.hasOwn(params, name)) params[name] = value;
  return params;
}

function stopped(reason: string, exchange?: number): Stopped {
  return { kind: 'stopped', reason, ...(exchange !== undefined ? { exchange } : {}) };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}...` : flat;
}

/**
 * Referer and Sec-Fetch-Site of a navigation a page starts, under the default referrer policy
 * (strict-origin-when-cross-origin): the full URL to its own origin, the origin elsewhere, nothing
 * from https to http.
 */
function fromPage(page: URL, target: URL): Pick<Navigation, 'from' | 'referer'> {
  const full = new URL(page.href);
  full.hash = '';
  full.username = '';
  full.password = '';
  if (page.origin === target.origin) return { from: page, referer: full.href };
  if (page.protocol === 'https:' && target.protocol !== 'https:') return { from: page };
  return { from: page, referer: `${page.origin}/` };
}

function isPassword(control: FormControl): boolean {
  return control.tag === 'input' && control.type === 'password';
}

function describeButton(control: FormControl): string {
  return [control.label, control.value, control.name, control.id].join(' ');
}

function isRefusal(control: FormControl): boolean {
  return REFUSAL.test(describeButton(control));
}

function isApproval(control: FormControl): boolean {
  return !isRefusal(control) && APPROVAL.test(describeButton(control));
}

function buttonsOf(form: PageForm): FormControl[] {
  return form.controls.filter((c) => isSubmitter(c) && !c.disabled);
}

/**
 * The form a person would use to go on: the login form when there is a password to type, else the
 * one with an approving button, else any that does not only refuse. A string says why none will do;
 * undefined means the page has no form at all.
 */
function chooseForm(forms: PageForm[], passwordKnown: boolean): Choice | string | undefined {
  const usable = forms.filter((f) => f.method !== 'dialog' && !/^\s*javascript:/i.test(f.action ?? ''));
  if (usable.length === 0) return undefined;
  const pick = (form: PageForm): Choice => {
    const buttons = buttonsOf(form);
    const submitter = buttons.find(isApproval) ?? buttons.find((b) => !isRefusal(b));
    return submitter ? { form, submitter } : { form };
  };
  if (passwordKnown) {
    const login = usable.find((f) => f.controls.some(isPassword));
    if (login) return pick(login);
  }
  const approving = usable.find((f) => buttonsOf(f).some(isApproval));
  if (approving) return pick(approving);
  const neutral = usable.find((f) => buttonsOf(f).length === 0 || buttonsOf(f).some((b) => !isRefusal(b)));
  if (neutral) return pick(neutral);
  const offered = usable.flatMap(buttonsOf).map((b) => JSON.stringify(b.label || b.value || b.name));
  return `offered only buttons that refuse: ${[...new Set(offered)].join(', ')}`;
}

/** The text input a person types their user name into: one named so, else the one just before the password. */
function usernameField(form: PageForm): FormControl | undefined {
  const inputs = form.controls.filter((c) => c.tag === 'input' && TEXT_INPUTS.has(c.type) && c.name && !c.disabled);
  const named = inputs.find((c) => USERNAME.test(c.name) || USERNAME.test(c.id) || c.autocomplete === 'username' || c.autocomplete === 'email');
  if (named) return named;
  const password = form.controls.findIndex(isPassword);
  if (password < 0) return undefined;
  return inputs.filter((c) => form.controls.indexOf(c) < password).at(-1);
}

/** The name/value pairs a browser submits, in tree order, with the credentials typed in. */
function formEntries(form: PageForm, submitter: FormControl | undefined, credentials: { username?: string; password?: string }): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const username = credentials.username !== undefined ? usernameField(form) : undefined;
  for (const control of form.controls) {
    if (control.disabled) continue;
    if (isSubmitter(control)) {
      if (control !== submitter) continue;
      if (control.type === 'image') {
        const prefix = control.name ? `${control.name}.` : '';
        entries.push([`${prefix}x`, '0'], [`${prefix}y`, '0']);
      } else if (control.name) entries.push([control.name, control.value]);
      continue;
    }
    if (!control.name || control.tag === 'button') continue;
    if (control.tag === 'select') {
      for (const value of control.chosen ?? []) entries.push([control.name, value]);
      continue;
    }
    if (control.type === 'button' || control.type === 'reset' || control.type === 'file') continue;
    if ((control.type === 'checkbox' || control.type === 'radio') && !control.checked) continue;
    if (isPassword(control) && credentials.password !== undefined) entries.push([control.name, credentials.password]);
    else if (control === username) entries.push([control.name, credentials.username ?? '']);
    else entries.push([control.name, control.value]);
  }
  return entries;
}

function encodeForm(entries: Array<[string, string]>, enctype: string): { body: string; contentType: string } {
  if (enctype === 'multipart/form-data') {
    const boundary = `----McpAuthConformance${randomBytes(12).toString('hex')}`;
    // Names are escaped as the HTML standard does for multipart field names.
    const quote = (name: string): string => name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    const parts = entries.map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`);
    return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
  }
  if (enctype === 'text/plain') {
    return { body: entries.map(([name, value]) => `${name}=${value}\r\n`).join(''), contentType: 'text/plain' };
  }
  return { body: new URLSearchParams(entries).toString(), contentType: 'application/x-www-form-urlencoded' };
}
