// Fractional z-order keys: strings compared by code point (docs/CANVAS.md paints by `z`, then id).
// zAfter(a) > a and zBefore(b) < b, both short; keys use 0-9a-z, other characters are tolerated.

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const MID = 'i';

/** A key greater than `a` (any key when `a` is undefined). */
export function zAfter(a) {
  if (a === undefined || a === '') return MID;
  const c = a[0];
  const i = DIGITS.indexOf(c);
  if (i >= 0 && i < DIGITS.length - 1) return DIGITS[i + 1];
  if (i < 0 && c < '0') return MID;
  return c + zAfter(a.slice(1));
}

/** A key smaller than `b` (any key when `b` is undefined). Never '' and never a lone '0'. */
export function zBefore(b) {
  if (b === undefined || b === '') return MID;
  const c = b[0];
  const i = DIGITS.indexOf(c);
  if (i > 1) return DIGITS[i - 1];
  if (i === 1) return '0' + MID;
  if (i < 0 && c > 'z') return MID;
  if (b.length === 1) return '0' + MID; // b is '0' or a character below it: best effort
  return c + zBefore(b.slice(1));
}
