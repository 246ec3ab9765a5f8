import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/select.js';
import { formatShard, parseShard, shardItems } from '../../core/shard.js';

describe('parseShard', () => {
  it('reads index/total, 1-based, blanks around the numbers allowed', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, total: 3 });
    expect(parseShard('3/3')).toEqual({ index: 3, total: 3 });
    expect(parseShard(' 2 / 5 ')).toEqual({ index: 2, total: 5 });
    expect(parseShard('1/1')).toEqual({ index: 1, total: 1 });
    expect(formatShard(parseShard('2/7'))).toBe('2/7');
  });

  it.each(['0/3', '4/3', 'abc', '1/0', '0/0', '', '1', '1/', '/3', '-1/3', '1.5/3', '1/3/4', '2of3', '99999999999999999999/99999999999999999999'])('refuses %j as a usage error', (value) => {
    expect(() => parseShard(value)).toThrow(UsageError);
    expect(() => parseShard(value)).toThrow(/--shard takes index\/total/);
  });
});

describe('shardItems', () => {
  const letters = [...'abcdefghij'];

  it('splits into contiguous parts, the longer ones first, as Playwright does', () => {
    expect([1, 2, 3].map((index) => shardItems(letters, { index, total: 3 }))).toEqual([[...'abcd'], [...'efg'], [...'hij']]);
    expect([1, 2, 3, 4].map((index) => shardItems(letters, { index, total: 4 }))).toEqual([[...'abc'], [...'def'], [...'gh'], [...'ij']]);
    expect(shardItems(letters, { index: 1, total: 1 })).toEqual(letters);
  });

  it('leaves the last shards empty when there are more shards than items', () => {
    expect([1, 2, 3, 4].map((index) => shardItems(['x', 'y'], { index, total: 4 }))).toEqual([['x'], ['y'], [], []]);
    expect(shardItems([], { index: 1, total: 2 })).toEqual([]);
  });

  it('does not change its input', () => {
    const items = [...letters];
    shardItems(items, { index: 2, total: 3 });
    expect(items).toEqual(letters);
  });

  it('refuses a shard that is not one', () => {
    expect(() => shardItems(letters, { index: 0, total: 3 })).toThrow(RangeError);
    expect(() => shardItems(letters, { index: 4, total: 3 })).toThrow(RangeError);
    expect(() => shardItems(letters, { index: 1, total: 0 })).toThrow(RangeError);
  });

  it('for any length and total: the shards in index order are the items again, and their sizes differ by at most one', () => {
    fc.assert(
      fc.property(fc.nat(60), fc.integer({ min: 1, max: 20 }), (length, total) => {
        const items = Array.from({ length }, (_, i) => i);
        const parts = Array.from({ length: total }, (_, i) => shardItems(items, { index: i + 1, total }));
        expect(parts.flat()).toEqual(items);
        const sizes = parts.map((part) => part.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        // Non-increasing: an empty shard is always one of the last.
        for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]);
      }),
    );
  });
});
