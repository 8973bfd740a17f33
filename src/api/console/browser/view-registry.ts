/** Registry: identities as a tree by parent, with keys, roles and accreditations; certifications; authority actions. */

import { actorOf, type Entry, isAuthorityAction, timeOf } from './console-data.js';
import { countBy, el, link, section, table } from './dom.js';

export interface IdentityView {
  readonly identityId: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly roles: string[];
  readonly accreditations: string[];
  readonly status: string;
  readonly keys: { keyId: string; status?: string }[];
}

function tree(identities: readonly IdentityView[], parent: string | null): HTMLElement | null {
  const children = identities.filter((i) => i.parentId === parent);
  if (children.length === 0) return null;
  return el(
    'ul',
    { role: parent === null ? 'tree' : 'group' },
    ...children.map((i) =>
      el(
        'li',
        { role: 'treeitem', class: i.status === 'revoked' ? 'revoked' : '' },
        el('strong', {}, `${i.identityId} · ${i.name}`),
        el(
          'span',
          {},
          ` roles ${i.roles.join(', ') || '-'} · accredited ${i.accreditations.join(', ') || '-'} · ${i.keys.length} key(s) · ${i.status}`,
        ),
        tree(identities, i.identityId),
      ),
    ),
  );
}

export function registryView(identities: readonly IdentityView[], entries: readonly Entry[]): HTMLElement {
  const certs = entries.filter((e) =>
    /^(RecordCertified|BatchCertified|Certification(Revoked|Suspended|Reinstated))$/.test(e.leaf.type),
  );
  const byIssuer = countBy(certs, (e) => `${actorOf(e)} · ${e.leaf.type}`);
  const audit = entries.filter(isAuthorityAction).reverse();
  const roots = identities.filter(
    (i) => i.parentId === null || !identities.some((p) => p.identityId === i.parentId),
  );
  const rootIds = new Set(roots.map((r) => r.parentId));
  return el(
    'div',
    {},
    section(`Identities (${identities.length})`, ...[...rootIds].map((parent) => tree(identities, parent))),
    section(
      'Certifications by issuer and event',
      table(
        ['issuer · event', 'count'],
        byIssuer.map(([k, n]) => [k, String(n)]),
        'certifications',
      ),
    ),
    section(
      'Authority actions (audit)',
      table(
        ['#', 'action', 'subject', 'by', 'time', 'proof'],
        audit.map((e) => [
          String(e.leafIndex),
          e.leaf.type,
          String(e.leaf.data['identityId'] ?? e.leaf.stream),
          actorOf(e),
          timeOf(e),
          link(`/v1/log/proofs/inclusion?index=${e.leafIndex}`, 'proof'),
        ]),
        'authority actions',
      ),
    ),
  );
}
