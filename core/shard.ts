// --shard i/n: one of n machines runs its part of the selected scenarios. Every shard must compute
// the same split from the same selection without talking to the others, so the split is a pure
// function of the selection's order and n; merge-reports relies on the parts being contiguous to
// put the whole back in order.
import { UsageError } from './select.js';

/** One part of a split run; `index` is 1-based, as written on the command line. */
export interface Shard {
  index: number;
  total: number;
}

/** Parses `--shard 2/3`; anything but two whole numbers with 1 ≤ index ≤ total is a usage error. */
export function parseShard(value: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = match ? Number(match[1]) : NaN;
  const total = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(index) || !Number.isSafeInteger(total) || total < 1 || index < 1 || index > total) {
    throw new UsageError(`--shard takes index/total with 1 ≤ index ≤ total, such as 1/3, not "${value}"`);
  }
  return { index, total };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.total}`;
}

/**
 * The scenarios of one shard: contiguous runs of the given order whose sizes differ by at most one,
 * the longer ones first (as Playwright splits its tests). Contiguous rather than dealt round-robin
 * so a shard keeps neighbouring scenarios, and the shards in index order are the selection again.
 * With more shards than items, the last shards get nothing.
 */
export function shardItems<T>(items: readonly T[], shard: Shard): T[] {
  if (!Number.isSafeInteger(shard.total) || !Number.isSafeInteger(shard.index) || shard.total < 1 || shard.index < 1 || shard.index > shard.total) {
    throw new RangeError(`not a shard: ${shard.index}/${shard.total}`);
  }
  const base = Math.floor(items.length / shard.total);
  const longer = items.length % shard.total;
  const zeroBased = shard.index - 1;
  const start = zeroBased * base + Math.min(zeroBased, longer);
  const size = base + (zeroBased < longer ? 1 : 0);
  return items.slice(start, start + size);
}
