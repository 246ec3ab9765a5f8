// What the headless user agent needs to know of an HTML page an authorization server shows: its
// forms as a browser would submit them, a meta refresh, and the words a person would read. Scripts
// are never run, so a page that only works with JavaScript is read as its markup stands.
import { Parser } from 'htmlparser2';

export interface FormControl {
  tag: 'input' | 'button' | 'select' | 'textarea';
  /** Lower case; `text` for an input without one, `submit` for a button without one. */
  type: string;
  name: string;
  id: string;
  /** The value sent as it stands: an input's value, a textarea's text. */
  value: string;
  /** A select's chosen options, each sent under its name. */
  chosen?: string[];
  /** What a person reads on a button (its text, or an input's value). */
  label: string;
  checked: boolean;
  disabled: boolean;
  autocomplete: string;
  /** A submit button's own overrides of the form's. */
  formAction?: string;
  formMethod?: string;
  formEnctype?: string;
}

export interface PageForm {
  /** As written; absent when the attribute is. */
  action?: string;
  /** Lower case, as written (`get` when absent). */
  method: string;
  enctype: string;
  /** In tree order, including controls elsewhere on the page that name the form in `form=`. */
  controls: FormControl[];
}

export interface PageReading {
  forms: PageForm[];
  /** The URL of the first `<meta http-equiv="refresh">` that names one. */
  refresh?: string;
  /** The text a person would see, whitespace collapsed; the title when the body shows none. */
  text: string;
}

// Text inside these is never shown as page content (noscript is: this agent runs no scripts).
const HIDDEN_TEXT = new Set(['script', 'style', 'template', 'head', 'title']);
const SUBMITTERS = new Set(['submit', 'image']);
// Text on either side of these runs on in one line; any other element breaks it, as a block does.
const INLINE = new Set(['a', 'abbr', 'b', 'bdi', 'bdo', 'cite', 'code', 'data', 'dfn', 'em', 'font', 'i', 'kbd', 'label', 'mark', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var']);

export function isSubmitter(control: FormControl): boolean {
  return (control.tag === 'button' || control.tag === 'input') && SUBMITTERS.has(control.type);
}

export function readPage(html: string): PageReading {
  const forms: PageForm[] = [];
  const formsById = new Map<string, PageForm>();
  // Controls that name their form by id, placed once the whole page (and so every form) is known.
  const pending: Array<{ control: FormControl; formId: string; order: number }> = [];
  const ordered: Array<{ control: FormControl; order: number; form: PageForm }> = [];
  let order = 0;
  let openForm: PageForm | undefined;
  let formDepth = 0;
  let refresh: string | undefined;
  let hiddenDepth = 0;
  let title = '';
  let inTitle = false;
  const visible: string[] = [];
  // The control whose text is being collected (a button's label, a textarea's content).
  let textOf: FormControl | undefined;
  let select: { control: FormControl; options: Array<{ value?: string; text: string; selected: boolean; disabled: boolean }> } | undefined;
  let option: { value?: string; text: string; selected: boolean; disabled: boolean } | undefined;

  const place = (control: FormControl, attribs: Record<string, string>): void => {
    const position = order++;
    if (attribs.form !== undefined) pending.push({ control, formId: attribs.form, order: position });
    else if (openForm) ordered.push({ control, order: position, form: openForm });
  };

  const control = (tag: FormControl['tag'], attribs: Record<string, string>, type: string): FormControl => ({
    tag,
    type,
    name: attribs.name ?? '',
    id: attribs.id ?? '',
    value: attribs.value ?? '',
    label: attribs.value ?? '',
    checked: attribs.checked !== undefined,
    disabled: attribs.disabled !== undefined,
    autocomplete: (attribs.autocomplete ?? '').toLowerCase(),
    ...(attribs.formaction !== undefined ? { formAction: attribs.formaction } : {}),
    ...(attribs.formmethod !== undefined ? { formMethod: attribs.formmethod.toLowerCase() } : {}),
    ...(attribs.formenctype !== undefined ? { formEnctype: attribs.formenctype.toLowerCase() } : {}),
  });

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (!INLINE.has(name)) visible.push(' ');
        if (HIDDEN_TEXT.has(name)) hiddenDepth++;
        if (name === 'title') inTitle = true;
        switch (name) {
          case 'form': {
            // Browsers ignore a form inside a form; its controls belong to the outer one.
            if (formDepth++ > 0) break;
            openForm = {
              ...(attribs.action !== undefined ? { action: attribs.action } : {}),
              method: (attribs.method ?? 'get').toLowerCase(),
              enctype: (attribs.enctype ?? 'application/x-www-form-urlencoded').toLowerCase(),
              controls: [],
            };
            forms.push(openForm);
            if (attribs.id && !formsById.has(attribs.id)) formsById.set(attribs.id, openForm);
            break;
          }
          case 'input': {
            const input = control('input', attribs, (attribs.type ?? 'text').toLowerCase());
            if (input.type === 'submit' && attribs.value === undefined) input.label = 'Submit';
            if (input.type === 'image') input.label = attribs.alt ?? '';
            if ((input.type === 'checkbox' || input.type === 'radio') && attribs.value === undefined) input.value = 'on';
            place(input, attribs);
            break;
          }
          case 'button': {
            textOf = control('button', attribs, (attribs.type ?? 'submit').toLowerCase());
            textOf.label = '';
            place(textOf, attribs);
            break;
          }
          case 'textarea': {
            textOf = control('textarea', attribs, 'textarea');
            place(textOf, attribs);
            break;
          }
          case 'select': {
            select = { control: control('select', attribs, attribs.multiple !== undefined ? 'select-multiple' : 'select-one'), options: [] };
            place(select.control, attribs);
            break;
          }
          case 'option': {
            if (!select) break;
            option = { ...(attribs.value !== undefined ? { value: attribs.value } : {}), text: '', selected: attribs.selected !== undefined, disabled: attribs.disabled !== undefined };
            select.options.push(option);
            break;
          }
          case 'meta': {
            if (refresh === undefined && attribs['http-equiv']?.toLowerCase() === 'refresh') refresh = refreshTarget(attribs.content ?? '');
            break;
          }
        }
      },
      ontext(data) {
        if (inTitle) title += data;
        if (option) option.text += data;
        else if (textOf?.tag === 'button') textOf.label += data;
        else if (textOf?.tag === 'textarea') textOf.value += data;
        if (hiddenDepth === 0) visible.push(data);
      },
      onclosetag(name) {
        if (!INLINE.has(name)) visible.push(' ');
        if (HIDDEN_TEXT.has(name)) hiddenDepth = Math.max(0, hiddenDepth - 1);
        if (name === 'title') inTitle = false;
        switch (name) {
          case 'form':
            formDepth = Math.max(0, formDepth - 1);
            if (formDepth === 0) openForm = undefined;
            break;
          case 'button':
            if (textOf) textOf.label = collapse(textOf.label);
            textOf = undefined;
            break;
          case 'textarea':
            // The parser keeps the newline right after the start tag, which browsers drop.
            if (textOf) textOf.value = textOf.value.replace(/^\r?\n/, '');
            textOf = undefined;
            break;
          case 'option':
            option = undefined;
            break;
          case 'select':
            if (select) chooseOptions(select.control, select.options);
            select = undefined;
            break;
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();

  for (const { control: placed, formId, order: position } of pending) {
    const form = formsById.get(formId);
    if (form) ordered.push({ control: placed, order: position, form });
  }
  ordered.sort((a, b) => a.order - b.order);
  for (const { control: placed, form } of ordered) form.controls.push(placed);

  const text = collapse(visible.join(''));
  return { forms, ...(refresh !== undefined ? { refresh } : {}), text: text || collapse(title) };
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A select sends its selected options; one that shows a single choice and has none marked sends
 * its first enabled option, as a browser displays it.
 */
function chooseOptions(select: FormControl, options: Array<{ value?: string; text: string; selected: boolean; disabled: boolean }>): void {
  const usable = options.filter((o) => !o.disabled);
  let chosen = usable.filter((o) => o.selected);
  if (select.type === 'select-one') chosen = chosen.slice(-1);
  if (chosen.length === 0 && select.type === 'select-one' && usable.length > 0) chosen = [usable[0]];
  select.chosen = chosen.map((o) => o.value ?? collapse(o.text));
}

/** The URL of a refresh (a meta element's content or a Refresh header: `0; url=/next`, `5;URL='x'`), or undefined when it only reloads. */
export function refreshTarget(content: string): string | undefined {
  const match = /^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?(.*)$/i.exec(content);
  const target = match?.[1]?.trim().replace(/^(['"])(.*)\1$/, '$2').replace(/^['"]/, '').trim();
  return target ? target : undefined;
}
