/**
 * The language of a problem's `title`: Simplified Chinese when the client's
 * Accept-Language prefers Chinese over English (the same choice the citizen
 * page makes), English otherwise. `type`, `code` and `detail` stay English:
 * programs match on them and operators search logs for them.
 */

import type { ProblemCode } from '../../application/problems/catalogue.js';
import { PROBLEM_TITLES_ZH_CN } from '../../application/problems/catalogue-zh-CN.js';
import type { ProblemBody } from '../../application/problems/problem.js';
import type { Language } from '../web/i18n/catalogue.js';
import { acceptedLanguages, chooseLanguage } from '../web/i18n/page-i18n.js';

export function problemLanguage(acceptLanguage: string | undefined): Language {
  return chooseLanguage(null, acceptedLanguages(acceptLanguage));
}

/** The body with its title in `language` (the English catalogue's title stays for 'en'). */
export function localiseProblem(body: ProblemBody, language: Language): ProblemBody {
  if (language !== 'zh-CN') return body;
  return { ...body, title: PROBLEM_TITLES_ZH_CN[body.code as ProblemCode] };
}
