import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/command-line/cli-errors.js';
import { parseCommand } from '../../../src/cli/command-line/command-spec.js';
import { closest, editDistance } from '../../../src/cli/command-line/did-you-mean.js';
import { certifyCommand } from '../../../src/cli/commands/certification.js';

describe('did you mean', () => {
  it('measures edit distance', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('valid-util', 'valid-until')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests a flag one typo away, or the one flag a prefix names, and nothing for a stranger', () => {
    const known = ['as', 'type', 'valid-from', 'valid-until', 'qr', 'qr-out', 'json', 'url'];
    expect(closest('valid-util', known)).toBe('valid-until');
    expect(closest('tpye', known)).toBe('type');
    expect(closest('qr-ou', known)).toBe('qr-out');
    expect(closest('valid-u', known)).toBe('valid-until');
    expect(closest('banana', known)).toBeNull();
    expect(closest('x', known)).toBeNull();
  });

  it('names the suggestion in the usage error of a command', () => {
    const parse = (flag: string) => () =>
      parseCommand(certifyCommand, ['a.pdf', '--as', 'k', '--type', 't', flag], {});
    expect(parse('--valid-util=2030-01-01')).toThrow(UsageError);
    expect(parse('--valid-util=2030-01-01')).toThrow(
      /^unknown option --valid-util: did you mean --valid-until\?$/,
    );
    expect(parse('--subjet')).toThrow(/^unknown option --subjet: did you mean --subject\?$/);
    expect(parse('--frobnicate')).toThrow(/^unknown option --frobnicate$/);
  });
});
