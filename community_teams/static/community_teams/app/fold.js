// Vietnamese text folding, the same as lms/core/text.py `fold`: decompose, drop
// combining marks (tone marks and vowel diacritics), đ → d, unify dashes and
// apostrophes, lower case, single spaces. "nguyen van a" finds "Nguyễn Văn Á".
const DASHES = { "–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'", "ʼ": "'" };
const DASH_RE = /[–—‐‑’‘ʼ]/g;

export function fold(text) {
  if (!text) return "";
  return String(text)
    .normalize("NFD")
    .replace(/\p{Mn}/gu, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .replace(DASH_RE, (ch) => DASHES[ch])
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}
