// Reading a widget's initial state from strings (element attributes or URL parameters) and
// writing it back: the one format shared by <cnn-…> elements, embed.html?widget=… and the full
// page's address. Only parsing and formatting; every value is checked again by the wasm module.

/** A whole number from `text` within `lo..hi`, or `fallback` when absent or not one. */
export function int(text, lo, hi, fallback) {
  if (text === undefined || text === null || text === '') return fallback;
  const v = Number(text);
  return Number.isInteger(v) && v >= lo && v <= hi ? v : fallback;
}

/** A number from `text`, or `fallback`. */
export function num(text, fallback) {
  if (text === undefined || text === null || text === '') return fallback;
  const v = Number(text);
  return Number.isFinite(v) ? v : fallback;
}

/** Comma-separated numbers from `text` (`"1,0,-1"`), or `fallback` when absent or malformed. */
export function numbers(text, fallback) {
  if (!text) return fallback;
  const v = text.split(',').map(Number);
  return v.every(Number.isFinite) ? v : fallback;
}

/** `text` when it is one of `choices`, else `fallback`. */
export function oneOf(text, choices, fallback) {
  return choices.includes(text) ? text : fallback;
}

/**
 * A state object → string pairs for attributes or URL parameters: numbers as they are, arrays
 * comma-joined, `undefined`/`null` left out.
 */
export function toStrings(state) {
  return Object.fromEntries(Object.entries(state)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => [k, Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v).join(',') : String(v)]));
}
