import { DEFAULT_NODE_URL } from '../command-line/command-spec.js';
import { displayPath, shellWord } from '../command-line/output.js';

/** Copy-pasteable commands for a fresh node: make a department, accredit it, certify a file. */
export function nextSteps(options: {
  readonly dataDir: string;
  readonly authorityKeyFile: string;
  /** Where clients reach the node; --url is added when it is not the default. */
  readonly url: string;
  /** init suggests starting the node first; start is already running. */
  readonly start: boolean;
}): string[] {
  const authority = shellWord(displayPath(options.authorityKeyFile));
  const url = options.url === DEFAULT_NODE_URL ? '' : ` --url ${shellWord(options.url)}`;
  return [
    'next steps:',
    ...(options.start ? [`  npx chancery start --data ${shellWord(displayPath(options.dataDir))}`] : []),
    '  npx chancery keygen --out dept.key',
    `  npx chancery identity register --as ${authority} --code DEPT --name 'My department' --role issuer --key dept.key.pub${url}`,
    `  npx chancery identity accredit DEPT --as ${authority} --record-type driving-licence${url}`,
    `  npx chancery certify FILE --as dept.key --type driving-licence${url}`,
  ];
}
