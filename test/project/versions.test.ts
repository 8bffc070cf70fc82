import { describe, expect, it } from 'vitest';
import { contains, describeMajors, isSubset, overlaps, parsePep440, parsePoetry, parseRelease, VersionSyntaxError } from '../../src/project/versions.js';

const V2 = parsePep440('>=2');

describe('PEP 440 specifiers', () => {
  it.each([
    ['==1.10.21', ['1.10.21'], ['1.10.20', '1.10.22', '2.0']],
    ['>=1.8,<2', ['1.8', '1.10.21', '1.99'], ['1.7.9', '2.0', '2.0.1']],
    ['~=1.10', ['1.10', '1.99'], ['1.9', '2.0']],
    ['~=1.10.2', ['1.10.2', '1.10.9'], ['1.10.1', '1.11']],
    ['==1.*', ['1.0', '1.10.3'], ['0.9', '2.0']],
    ['!=1.*', ['0.9', '2.0'], ['1.0', '1.5']],
    ['>1.8, !=1.9', ['1.8.1', '2'], ['1.8', '1.9']],
    ['<=2.5', ['2.5', '0.1'], ['2.5.1']],
    ['', ['0', '99'], []],
  ])('%s', (spec, inside, outside) => {
    const r = parsePep440(spec);
    for (const v of inside) expect(contains(r, parseRelease(v)!), `${v} in ${spec}`).toBe(true);
    for (const v of outside) expect(contains(r, parseRelease(v)!), `${v} not in ${spec}`).toBe(false);
  });

  it('rejects what is not a specifier, with the text', () => {
    expect(() => parsePep440('>=banana')).toThrow(VersionSyntaxError);
    expect(() => parsePep440('~=1')).toThrow(/two parts/);
  });
});

describe('Poetry constraints', () => {
  it.each([
    ['^1.10', ['1.10', '1.99.9'], ['1.9', '2.0']],
    ['^0.5.2', ['0.5.2', '0.5.9'], ['0.6', '0.5.1']],
    ['^0.0.3', ['0.0.3'], ['0.0.4', '0.0.2']],
    ['~1.10', ['1.10', '1.10.9'], ['1.11']],
    ['~1', ['1.0', '1.9'], ['2.0']],
    ['1.10.*', ['1.10.0', '1.10.7'], ['1.11']],
    ['1.10.21', ['1.10.21'], ['1.10.22']],
    ['>=1.8 <3', ['1.8', '2.9'], ['3.0', '1.7']],
    ['>= 1.8, < 3', ['1.8', '2.9'], ['3.0']],
    ['^1.10 || ^2.4', ['1.10', '2.5'], ['2.3', '3.0']],
    ['*', ['0.1', '42'], []],
  ])('%s', (spec, inside, outside) => {
    const r = parsePoetry(spec);
    for (const v of inside) expect(contains(r, parseRelease(v)!), `${v} in ${spec}`).toBe(true);
    for (const v of outside) expect(contains(r, parseRelease(v)!), `${v} not in ${spec}`).toBe(false);
  });
});

describe('questions a codemod asks of a range', () => {
  it.each([
    ['^1.10', 'poetry', 'no'],
    ['==1.10.21', 'pep440', 'no'],
    ['<2.0.0', 'pep440', 'no'],
    ['^2.4', 'poetry', 'yes'],
    ['>=2.0,<3', 'pep440', 'yes'],
    ['>=1.8', 'pep440', 'maybe'],
    ['>=1.10,<3', 'pep440', 'maybe'],
  ] as const)('%s against >=2 is %s', (spec, flavour, answer) => {
    const r = flavour === 'poetry' ? parsePoetry(spec) : parsePep440(spec);
    const got = isSubset(r, V2) ? 'yes' : overlaps(r, V2) ? 'maybe' : 'no';
    expect(got).toBe(answer);
  });

  it.each([
    ['^1.10', '1'],
    ['<2', 'below 2'],
    ['>=2', '2 or later'],
    ['>=1.8,<3', '1 or 2'],
    ['', 'any version'],
  ])('describes %s as %s', (spec, text) => {
    expect(describeMajors(spec.startsWith('^') ? parsePoetry(spec) : parsePep440(spec))).toBe(text);
  });

  it('reads releases with pre/post/local parts and refuses words', () => {
    expect(parseRelease('2.0.0rc1')).toEqual([2, 0, 0]);
    expect(parseRelease('1.10.post1+local')).toEqual([1, 10]);
    expect(parseRelease('v2')).toEqual([2]);
    expect(parseRelease('latest')).toBeNull();
  });
});
