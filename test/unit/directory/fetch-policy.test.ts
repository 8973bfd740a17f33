import { describe, expect, it } from 'vitest';
import { accessDecider } from '../../../src/domain/directory/access-decider.js';
import { catalogEntryDecider } from '../../../src/domain/directory/catalog-entry-decider.js';
import { DirectoryError } from '../../../src/domain/directory/directory-error.js';
import type { AccessEvent, CatalogEntryEvent } from '../../../src/domain/directory/events.js';
import { authorizeFetch, type FetchQuestion } from '../../../src/domain/directory/fetch-policy.js';
import { foldEvents } from '../../../src/domain/shared/decider.js';
import {
  consumer,
  ENTRY,
  GRANT,
  granted,
  LATER,
  published,
  publisher,
  REQUEST,
  requested,
  stranger,
  versionPublished,
} from './directory-fixtures.js';

const entry = (...events: CatalogEntryEvent[]) => foldEvents(catalogEntryDecider, events);
const grantOf = (...events: AccessEvent[]) => ({ grantId: GRANT, state: foldEvents(accessDecider, events) });
const ask = (overrides: Partial<FetchQuestion>): FetchQuestion => ({
  entryId: ENTRY,
  entry: entry(published(), versionPublished(1), versionPublished(2)),
  version: 'latest',
  consumer,
  grant: grantOf(requested(), granted()),
  at: LATER,
  ...overrides,
});

function refused(question: FetchQuestion): string {
  try {
    authorizeFetch(question);
  } catch (error) {
    expect(error).toBeInstanceOf(DirectoryError);
    return (error as DirectoryError).code;
  }
  return 'allowed';
}

describe('fetch policy: who may read which version', () => {
  it('records a grant holder reading the latest version', () => {
    const answer = authorizeFetch(ask({}));
    expect(answer.version.version).toBe(2);
    expect(answer.event).toEqual({
      type: 'DatasetFetched',
      data: {
        entryId: ENTRY,
        version: 2,
        digest: versionPublished(2).data.digest,
        consumerId: 'HEALTH',
        grantId: GRANT,
        fetchedAt: LATER,
      },
    });
  });

  it('lets anyone read public data anonymously, unrecorded; signed reads of public data are recorded', () => {
    const open = entry(published({ accessRights: 'public' }), versionPublished(1));
    expect(authorizeFetch(ask({ entry: open, consumer: null, grant: null })).event).toBeNull();
    expect(
      authorizeFetch(ask({ entry: open, consumer: stranger, grant: null })).event?.data.grantId,
    ).toBeNull();
  });

  it('lets the publisher read its own data without a grant', () => {
    expect(authorizeFetch(ask({ consumer: publisher, grant: null })).event?.data.consumerId).toBe(
      'TRANSPORT',
    );
  });

  it.each([
    ['no grant', ask({ grant: null }), 'ACCESS_NOT_GRANTED'],
    ['anonymous read of restricted data', ask({ consumer: null, grant: null }), 'ACCESS_NOT_GRANTED'],
    ['a grant of another department', ask({ consumer: stranger }), 'GRANT_HOLDER_MISMATCH'],
    ['a pending request', ask({ grant: grantOf(requested()) }), 'ACCESS_NOT_GRANTED'],
    [
      'a revoked grant',
      ask({
        grant: grantOf(requested(), granted(), {
          type: 'AccessRevoked',
          data: {
            requestId: REQUEST,
            grantId: GRANT,
            entryId: ENTRY,
            reason: 'x',
            revokedAt: LATER,
            revokedBy: 'TRANSPORT',
          },
        }),
      }),
      'GRANT_REVOKED',
    ],
    [
      'an expired grant (at its expiry instant)',
      ask({ grant: grantOf(requested(), granted(LATER)) }),
      'GRANT_EXPIRED',
    ],
    [
      'a version outside a latest-only scope',
      ask({ version: 1, grant: grantOf(requested(), granted(undefined, 'latest')) }),
      'VERSION_NOT_IN_GRANT_SCOPE',
    ],
    [
      'a version outside a listed scope',
      ask({ version: 2, grant: grantOf(requested(), granted(undefined, [1])) }),
      'VERSION_NOT_IN_GRANT_SCOPE',
    ],
    ['a version that does not exist', ask({ version: 3 }), 'VERSION_NOT_FOUND'],
    ['an entry without versions', ask({ entry: entry(published()) }), 'VERSION_NOT_FOUND'],
    ['an unknown entry', ask({ entry: entry() }), 'ENTRY_NOT_FOUND'],
    ['a revoked consumer', ask({ consumer: { ...consumer, status: 'revoked' } }), 'ACTOR_REVOKED'],
  ])('refuses %s', (_name, question, code) => {
    expect(refused(question)).toBe(code);
  });

  it('lets a listed scope read exactly its versions', () => {
    expect(
      authorizeFetch(ask({ version: 1, grant: grantOf(requested(), granted(undefined, [1])) })).version
        .version,
    ).toBe(1);
  });
});
