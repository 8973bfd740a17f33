import type { IdentityView } from '../../client/index.js';
import { UsageError } from '../command-line/cli-errors.js';
import type { CommandArgs, CommandSpec } from '../command-line/command-spec.js';
import { fieldLines } from '../command-line/output.js';
import { publicKeyArg } from '../files/key-files.js';
import { AS_OPTION, connectAs } from '../node-access/actor.js';
import { NodeConnection } from '../node-access/node-connection.js';
import { written } from '../node-access/write-result.js';

/** Identity ids are organisation codes, upper case on the wire; accept them typed in any case. */
const identityIdArg = (args: CommandArgs) => args.positional(0).toUpperCase();

const registerCommand: CommandSpec = {
  name: 'identity register',
  summary: 'Register a department (signed by the authority). Its identity id is its organisation code.',
  scope: 'client',
  options: {
    as: AS_OPTION,
    name: { type: 'string', value: 'NAME', required: true, description: 'display name of the department' },
    code: {
      type: 'string',
      value: 'CODE',
      required: true,
      description: 'unique organisation code, upper-cased; it becomes the identity id',
    },
    role: {
      type: 'string',
      value: 'ROLE',
      required: true,
      multiple: true,
      description: 'issuer, publisher or consumer (or a comma-separated list)',
    },
    key: {
      type: 'string',
      value: 'KEYFILE|PUBKEY',
      required: true,
      multiple: true,
      description: "the department's public key: a key file (FILE.pub or the private FILE) or base64",
    },
    parent: { type: 'string', value: 'ID', description: 'parent identity, e.g. the ministry' },
  },
  details: `example:
  chancery keygen --out transport.key
  chancery identity register --as data/authority.key --code TRANSPORT \\
    --name 'Department of Transport' --role issuer --key transport.key.pub`,
  async run(args) {
    const identityId = args.required('code').toUpperCase();
    const keys = args.strings('key').map((k) => publicKeyArg(k, args.command));
    const parent = args.string('parent');
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.registerIdentity({
        identityId,
        name: args.required('name'),
        roles: args.list('role'),
        publicKeys: keys.map((k) => k.publicKey),
        ...(parent === undefined ? {} : { parentId: parent.toUpperCase() }),
      }),
    );
    const keyIds = keys.map((k) => k.keyId).join(', ');
    return written(result, `registered ${result.identityId ?? identityId} with key ${keyIds}`);
  },
};

const accreditCommand: CommandSpec = {
  name: 'identity accredit',
  summary: 'Accredit an issuer for record types (signed by the authority).',
  scope: 'client',
  positionals: ['ID'],
  options: {
    as: AS_OPTION,
    'record-type': {
      type: 'string',
      value: 'TYPE',
      required: true,
      multiple: true,
      description: 'record type such as driving-licence or diploma.bachelor',
    },
  },
  async run(args) {
    const identityId = identityIdArg(args);
    const recordTypes = args.list('record-type');
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) => c.accredit(identityId, recordTypes));
    return written(result, `accredited ${identityId} for ${recordTypes.join(', ')}`);
  },
};

const updateRolesCommand: CommandSpec = {
  name: 'identity update-roles',
  summary: "Add or remove a department's roles: issuer, publisher, consumer (signed by the authority).",
  scope: 'client',
  positionals: ['ID'],
  options: {
    as: AS_OPTION,
    add: {
      type: 'string',
      value: 'ROLE',
      multiple: true,
      description: 'role to add (or a comma-separated list)',
    },
    remove: {
      type: 'string',
      value: 'ROLE',
      multiple: true,
      description: 'role to remove (or a comma-separated list)',
    },
  },
  details: `example:
  chancery identity update-roles TRANSPORT --add publisher --as data/authority.key`,
  async run(args) {
    const identityId = identityIdArg(args);
    const add = args.list('add');
    const remove = args.list('remove');
    if (add.length === 0 && remove.length === 0)
      throw new UsageError('give at least one --add ROLE or --remove ROLE', args.command);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) => c.updateRoles(identityId, { add, remove }));
    const identity = await node.call((c) => c.identity(identityId));
    return written(result, `${identityId} now holds the roles ${identity.roles.join(', ') || '(none)'}`);
  },
};

const rotateKeyCommand: CommandSpec = {
  name: 'identity rotate-key',
  summary: "Add a new key and retire the identity's current keys (signed by the identity or the authority).",
  scope: 'client',
  positionals: ['ID'],
  options: {
    as: AS_OPTION,
    key: {
      type: 'string',
      value: 'NEWKEY',
      required: true,
      description: 'the new public key: a key file (FILE.pub or the private FILE) or base64',
    },
  },
  async run(args) {
    const identityId = identityIdArg(args);
    const newKey = publicKeyArg(args.required('key'), args.command);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) => c.rotateKey(identityId, newKey.publicKey));
    return written(result, `rotated ${identityId} to key ${newKey.keyId}; its earlier keys are retired`);
  },
};

const revokeCommand: CommandSpec = {
  name: 'identity revoke',
  summary: 'Revoke an identity: its keys stop being accepted (signed by the authority).',
  scope: 'client',
  positionals: ['ID'],
  options: {
    as: AS_OPTION,
    reason: { type: 'string', value: 'TEXT', required: true, description: 'why, kept in the log' },
  },
  async run(args) {
    const identityId = identityIdArg(args);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) => c.revokeIdentity(identityId, args.required('reason')));
    return written(result, `revoked identity ${identityId}`);
  },
};

const showCommand: CommandSpec = {
  name: 'identity show',
  summary: 'Show an identity: roles, accreditations, status and keys.',
  scope: 'client',
  positionals: ['ID'],
  async run(args) {
    const identityId = identityIdArg(args);
    const identity = await new NodeConnection(args.url).call((c) => c.identity(identityId));
    return { json: identity, text: describeIdentity(identity) };
  },
};

function describeIdentity(identity: IdentityView): string[] {
  const rows: [string, string][] = [
    ['status', identity.status],
    ['roles', identity.roles.join(', ') || '—'],
    ['accredited for', identity.accreditations.join(', ') || '—'],
    ['parent', identity.parentId ?? '—'],
    ['registered', identity.registeredAt],
  ];
  if (identity.status === 'revoked') {
    rows.push(['revoked', `${identity.revokedAt ?? '?'}: ${identity.revocationReason ?? ''}`]);
  }
  for (const key of identity.keys) {
    rows.push([
      'key',
      `${key.keyId} ${key.retiredAt === null ? `active since ${key.activeFrom}` : `retired ${key.retiredAt}`}`,
    ]);
  }
  return [`${identity.identityId}  ${identity.name}`, ...fieldLines(rows)];
}

export const identityCommands: readonly CommandSpec[] = [
  registerCommand,
  accreditCommand,
  updateRolesCommand,
  rotateKeyCommand,
  revokeCommand,
  showCommand,
];
