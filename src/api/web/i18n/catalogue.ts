import type { MESSAGES_EN } from './messages-en.js';

/** A catalogue with the English one's shape: every key present, every message a string. */
export type Catalogue<T = typeof MESSAGES_EN> = {
  readonly [K in keyof T]: T[K] extends string ? string : Catalogue<T[K]>;
};

type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** Every message key, dotted ('headline.revoked.title'): a key the catalogues lack does not compile. */
export type MessageKey = Leaves<typeof MESSAGES_EN>;

/** A message to show: its key and the parameters it interpolates (plain text, never HTML). */
export interface Message {
  readonly key: MessageKey;
  readonly params?: Readonly<Record<string, string | number>>;
}

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
