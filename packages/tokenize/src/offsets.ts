/**
 * Character offsets come in three units and mixing them up silently misaligns loss masks on
 * emoji and rare CJK characters: the Rust `tokenizers` binding (like Python's) reports offsets in
 * Unicode code points, JavaScript strings and the `formatted` spans count UTF-16 code units, and
 * byte-level BPE works on UTF-8 bytes. This module converts code points → UTF-16 once per text.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A function from a code-point offset into `text` to the UTF-16 offset of the same position.
 * Offsets past the end map to `text.length`.
 */
export function codePointToUtf16(text: string): (cp: number) => number {
  // Text without surrogate pairs (most of it) has identical offsets in both units.
  if (!SURROGATE.test(text)) return (cp) => Math.min(cp, text.length);
  const table: number[] = [];
  for (let u = 0; u < text.length; u++) {
    table.push(u);
    const c = text.charCodeAt(u);
    // A high surrogate followed by a low one is one code point spanning two units.
    if (c >= 0xd800 && c <= 0xdbff && u + 1 < text.length) {
      const d = text.charCodeAt(u + 1);
      if (d >= 0xdc00 && d <= 0xdfff) u++;
    }
  }
  table.push(text.length);
  return (cp) => (cp < table.length ? table[cp] : text.length);
}
