import type { JsonValue } from '../../domain/shared/json.js';
import { PROBLEM_CATALOGUE, type ProblemCode, problemType } from './catalogue.js';

/** RFC 9457 problem details, with our stable `code` as an extension member. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  instance?: string;
  [extension: string]: JsonValue | undefined;
}

/** Thrown anywhere in the API layer; the error handler renders it as application/problem+json. */
export class ProblemError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extensions: Record<string, JsonValue> = {},
    readonly retryAfterSeconds?: number,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ProblemError';
  }

  get status(): number {
    return PROBLEM_CATALOGUE[this.code].status;
  }

  toBody(instance?: string): ProblemBody {
    const entry = PROBLEM_CATALOGUE[this.code];
    return {
      type: problemType(this.code),
      title: entry.title,
      status: entry.status,
      code: this.code,
      detail: this.detail,
      ...(instance === undefined ? {} : { instance }),
      ...this.extensions,
    };
  }
}
