import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../../src/cli/report-error.js';
import { ChanceryProblemError } from '../../../src/client/index.js';

function report(problem: Record<string, unknown>, json = false) {
  const err = new PassThrough();
  let text = '';
  err.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const code = reportError(new ChanceryProblemError(problem as never), { json }, err);
  return { code, text };
}

const roleRefusal = {
  type: 'urn:chancery:problem:body-invalid',
  title: 'The request does not match its schema',
  status: 400,
  code: 'BODY_INVALID',
  detail: "body/payload/roles/0 is 'issuers'; allowed: issuer, publisher, consumer",
  errors: [{ pointer: '/payload/roles/0', message: "is 'issuers'; allowed: issuer, publisher, consumer" }],
};

describe('the CLI reports a schema refusal as the usage error it is', () => {
  it('--role issuers: exit 2, naming the bad value and the allowed ones', () => {
    expect(report(roleRefusal)).toEqual({
      code: 2,
      text:
        "error BODY_INVALID: body/payload/roles/0 is 'issuers'; allowed: issuer, publisher, consumer\n" +
        "  /payload/roles/0: is 'issuers'; allowed: issuer, publisher, consumer\n",
    });
  });

  it('with --json too, and the problem body is printed as is', () => {
    expect(report(roleRefusal, true)).toEqual({ code: 2, text: `${JSON.stringify(roleRefusal)}\n` });
  });

  it('a refusal that is not about what was typed (a missing accreditation) still exits 1', () => {
    expect(report({ ...roleRefusal, code: 'ACCREDITATION_MISSING', errors: undefined }).code).toBe(1);
  });
});
