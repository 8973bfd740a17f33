/**
 * The citizen page's translations, shared by the server (which renders the
 * page's shell in the reader's language) and the browser script (which
 * renders the verdict). i18next with both catalogues bundled in: the page
 * loads nothing from anywhere else, so there is no backend to fetch from.
 */
import i18next, { type i18n } from 'i18next';
import { LANGUAGES, type Language, type MessageKey } from './catalogue.js';
import { MESSAGES_EN } from './messages-en.js';
import { MESSAGES_ZH_CN } from './messages-zh-CN.js';

/** Where the page remembers the reader's choice of language. */
export const LANGUAGE_STORAGE_KEY = 'chancery.language';

export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/** Matches a BCP 47 tag to a catalogue: any Chinese reads the Simplified catalogue, any English the English one. */
function catalogueFor(tag: string): Language | undefined {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  if (primary === 'zh') return 'zh-CN';
  if (primary === 'en') return 'en';
  return undefined;
}

/**
 * The language to show: the reader's remembered choice, else the first of their preferred languages we have
 * a catalogue for, else English (a reader whose browser asks for neither more likely reads English).
 */
export function chooseLanguage(
  remembered: string | null | undefined,
  preferred: readonly string[],
): Language {
  if (
    remembered !== null &&
    remembered !== undefined &&
    (LANGUAGES as readonly string[]).includes(remembered)
  ) {
    return remembered as Language;
  }
  for (const tag of preferred) {
    const language = catalogueFor(tag);
    if (language !== undefined) return language;
  }
  return 'en';
}

/** The languages an Accept-Language header asks for, most preferred first (RFC 9110 §12.5.4 q-values). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(',')
    .slice(0, 32) // hostile input: a long header costs no more than this
    .map((part, index) => {
      const [tag = '', ...options] = part.trim().split(';');
      const q = options.map((o) => /^\s*q=([0-9.]+)\s*$/.exec(o)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag.length > 0 && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.tag);
}

const instances = new Map<Language, i18n>();

function instanceFor(language: Language): i18n {
  let instance = instances.get(language);
  if (instance === undefined) {
    instance = i18next.createInstance();
    void instance.init({
      lng: language,
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      load: 'currentOnly',
      // Both catalogues are in the bundle: initialise synchronously, fetch nothing.
      initAsync: false,
      resources: { en: { translation: MESSAGES_EN }, 'zh-CN': { translation: MESSAGES_ZH_CN } },
      // Messages become text nodes (textContent in the browser, escapeHtml on the server), never HTML.
      interpolation: { escapeValue: false },
      returnNull: false,
    });
    instances.set(language, instance);
  }
  return instance;
}

/** A translator bound to one language. */
export function translator(language: Language): Translate {
  const instance = instanceFor(language);
  return (key, params) => instance.t(key, params ?? {});
}

/**
 * A date and time in the reader's locale and time zone (timeZone: for tests and for the server, which does
 * not know the reader's zone). An unreadable date is shown as given rather than hidden.
 */
export function formatDateTime(value: string | number, language: Language, timeZone?: string): string {
  const date = typeof value === 'number' ? new Date(value) : new Date(Date.parse(value));
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(language, {
    dateStyle: 'long',
    timeStyle: 'short',
    ...(timeZone === undefined ? {} : { timeZone }),
  }).format(date);
}
