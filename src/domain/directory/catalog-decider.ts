import type { Decider } from '../shared/decider.js';
import { requireKnownLanguages } from './catalog-entry-decider.js';
import type { DescribeCatalog } from './commands.js';
import { DirectoryError } from './directory-error.js';
import type { CatalogDescribed } from './events.js';

export interface CatalogState {
  readonly revision: number;
}

/**
 * The catalog's description (dcat:Catalog): only the authority, which
 * publishes the catalog, describes it; each description is a new revision
 * that replaces the last.
 */
export const catalogDecider: Decider<DescribeCatalog, CatalogDescribed, CatalogState> = {
  initialState: () => ({ revision: 0 }),

  evolve: (_state, event) => ({ revision: event.data.revision }),

  decide(command, state) {
    if (command.actor.status !== 'active')
      throw new DirectoryError('ACTOR_REVOKED', `actor ${command.actor.identityId} is revoked`);
    if (!command.actor.roles.includes('authority')) {
      throw new DirectoryError(
        'ROLE_MISSING',
        `only the authority describes the catalog; ${command.actor.identityId} is not the authority`,
      );
    }
    requireKnownLanguages(command.description.languages);
    return [
      {
        type: 'CatalogDescribed',
        data: {
          revision: state.revision + 1,
          description: command.description,
          describedAt: command.at,
          describedBy: command.actor.identityId,
        },
      },
    ];
  },
};
