/**
 * The whole problem+json body a test expects (RFC 9457 with the catalogue's
 * code), spelled out here rather than built by the code under test: the type
 * URN is derived from the code the way the catalogue documents it.
 */
export function expectedProblem(
  code: string,
  status: number,
  title: string,
  detail: string,
  instance?: string,
): Record<string, unknown> {
  return {
    type: `urn:chancery:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    code,
    detail,
    ...(instance === undefined ? {} : { instance }),
  };
}
