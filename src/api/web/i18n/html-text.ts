/**
 * Localised text for the server-rendered page: each message is escaped into
 * an element that names its key (data-i18n) and parameters, so the page's
 * script can say it again in the language the reader picks.
 */
import type { Language, MessageKey } from './catalogue.js';
import { type Translate, translator } from './page-i18n.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute (kept here so i18n depends on nothing of the page). */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Params = Readonly<Record<string, string | number>>;

export interface HtmlText {
  readonly language: Language;
  readonly t: Translate;
  /** The message, escaped, in `<tag data-i18n=…>`; `attributes` is trusted markup (the caller's own). */
  element(tag: string, key: MessageKey, params?: Params, attributes?: string): string;
  /** The message, escaped, for an attribute value or a place the script never re-says (e.g. <title>). */
  text(key: MessageKey, params?: Params): string;
}

export function htmlText(language: Language): HtmlText {
  const t = translator(language);
  return {
    language,
    t,
    element(tag, key, params, attributes = '') {
      const paramsAttribute =
        params === undefined ? '' : ` data-i18n-params="${escapeMarkup(JSON.stringify(params))}"`;
      const extra = attributes.length > 0 ? ` ${attributes}` : '';
      return `<${tag}${extra} data-i18n="${key}"${paramsAttribute}>${escapeMarkup(t(key, params))}</${tag}>`;
    },
    text: (key, params) => escapeMarkup(t(key, params)),
  };
}
