/**
 * Integer helpers for tree sizes and leaf indexes held in JS numbers. Sizes
 * reach past 2^32, where JS bitwise operators silently truncate, so every
 * helper here uses exact arithmetic on safe integers (< 2^53) instead.
 */

/** Whether n is a usable tree size or index: a non-negative safe integer. */
export function isTreeCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** The largest power of two strictly less than n, for n ≥ 2 (RFC 6962's split point k). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Number of trailing zero bits of n > 0. */
export function trailingZeros(n: number): number {
  let count = 0;
  while (n > 0 && n % 2 === 0) {
    n /= 2;
    count++;
  }
  return count;
}

/** Number of bits needed to write n ≥ 0 (0 for 0). */
export function bitLength(n: number): number {
  let bits = 0;
  while (n > 0) {
    n = Math.floor(n / 2);
    bits++;
  }
  return bits;
}

/** Number of one bits of n ≥ 0. */
export function popCount(n: number): number {
  let ones = 0;
  while (n > 0) {
    ones += n % 2;
    n = Math.floor(n / 2);
  }
  return ones;
}

/** n with its low `bits` bits dropped (n >> bits, exact beyond 32 bits). */
export function shiftRight(n: number, bits: number): number {
  return Math.floor(n / 2 ** bits);
}

/** a XOR b for safe integers (the 32-bit `^` operator would truncate). */
export function xor(a: number, b: number): number {
  const high = (Math.floor(a / 2 ** 32) ^ Math.floor(b / 2 ** 32)) >>> 0;
  const low = ((a % 2 ** 32) ^ (b % 2 ** 32)) >>> 0;
  return high * 2 ** 32 + low;
}
