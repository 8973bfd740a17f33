import { describe, expect, it } from 'vitest';
import { quorumInChinese } from '../../../src/api/web/presentation/quorum-words.js';
import { parseTrustPolicy } from '../../../src/domain/federation/trust-policy.js';
import { formatWitnessKey } from '../../../src/domain/log/cosignature.js';
import { generateKeyPair } from '../../../src/protocol/key-pair.js';

const KEY = (name: string) => formatWitnessKey(name, generateKeyPair().publicKey);

describe('the witness quorum in Chinese', () => {
  it('names the witnesses and how many of them must cosign', () => {
    const names = ['taiyuan', 'datong', 'jinzhong'];
    const witnesses = names.map((n) => `witness ${n} ${KEY(n)}`);
    const policy = (rest: string) => `${[...witnesses, rest].join('\n')}\n`;
    expect(() => parseTrustPolicy(policy('quorum taiyuan'))).not.toThrow();
    expect(quorumInChinese(parseTrustPolicy(policy('quorum taiyuan')))).toBe('taiyuan');
    expect(
      quorumInChinese(parseTrustPolicy(policy('group cities 2 taiyuan datong jinzhong\nquorum cities'))),
    ).toBe('taiyuan、datong、jinzhong 中至少 2 个');
    expect(quorumInChinese(parseTrustPolicy(policy('group cities all taiyuan datong\nquorum cities')))).toBe(
      'taiyuan、datong 全部',
    );
    expect(
      quorumInChinese(
        parseTrustPolicy(policy('group north any taiyuan datong\ngroup all 2 north jinzhong\nquorum all')),
      ),
    ).toBe('（taiyuan、datong 中至少 1 个）、jinzhong 全部');
    expect(quorumInChinese(parseTrustPolicy(policy('quorum none')))).toBe('无需见证方联署');
  });
});
