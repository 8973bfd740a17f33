/**
 * The reader's language on the citizen page: remembered in localStorage,
 * else the browser's languages; a visible switch changes it in place. The
 * server renders the page's fixed text in the language it guessed from
 * Accept-Language, each element marked with its message key (data-i18n), so
 * the script can re-say it in the reader's language without a reload.
 */
import type { Language, MessageKey } from '../i18n/catalogue.js';
import { chooseLanguage, LANGUAGE_STORAGE_KEY, type Translate } from '../i18n/page-i18n.js';

function remembered(): string | null {
  try {
    return window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    // Storage can be disabled (private browsing, strict settings): the choice then lasts for this page only.
    return null;
  }
}

export function remember(language: Language): void {
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // See remembered(): not being able to remember is no reason to refuse the switch.
  }
}

/** The language the page should show now: a ?lang= link (the switch without script) wins, then the remembered choice. */
export function readerLanguage(): Language {
  const asked = new URLSearchParams(window.location.search).get('lang');
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  return chooseLanguage(asked ?? remembered(), preferred);
}

/** The parameters the server gave a fixed message, as JSON in data-i18n-params; junk gives none. */
function paramsOf(element: HTMLElement): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(element.dataset['i18nParams'] ?? '{}');
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Re-says every fixed text of the page (elements marked data-i18n, and data-i18n-label attributes). */
export function translateStatic(language: Language, t: Translate): void {
  document.documentElement.lang = language;
  for (const element of Array.from(document.querySelectorAll<HTMLElement>('[data-i18n]'))) {
    element.textContent = t(element.dataset['i18n'] as MessageKey, paramsOf(element));
  }
  for (const element of Array.from(document.querySelectorAll<HTMLElement>('[data-i18n-label]'))) {
    element.setAttribute('aria-label', t(element.dataset['i18nLabel'] as MessageKey, paramsOf(element)));
  }
  for (const button of Array.from(document.querySelectorAll<HTMLElement>('[data-language]'))) {
    button.setAttribute('aria-pressed', String(button.dataset['language'] === language));
  }
}

/**
 * Wires the switch (links to ?lang=…, which work without script too): a click changes the language in
 * place and remembers it.
 */
export function onLanguageSwitch(change: (language: Language) => void): void {
  for (const link of Array.from(document.querySelectorAll<HTMLAnchorElement>('[data-language]'))) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      const language = chooseLanguage(link.dataset['language'], []);
      remember(language);
      // Keep the address in step, so a reload or a shared link shows the language now on screen.
      window.history.replaceState(null, '', link.href);
      change(language);
    });
  }
}
