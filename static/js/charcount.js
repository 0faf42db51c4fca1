// R5: how the report's characters are counted, the same rule as the server's
// review/services/limits.py (normalize_text, char_count): CRLF and CR are one line break,
// the edges are trimmed of the same whitespace set (EDGE_SPACE there), and every code point
// is one character (a Chinese character is one). A test runs this file in node against
// the Python count for the same strings.
(function (root) {
  "use strict";
  var EDGE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a" +
    "\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";
  var EDGES = new RegExp("^[" + EDGE + "]+|[" + EDGE + "]+$", "g");

  function normalize(text) {
    return String(text || "").replace(/\r\n?/g, "\n").replace(EDGES, "");
  }

  function count(text) {
    return Array.from(normalize(text)).length;
  }

  root.zhengaiCharCount = { normalize: normalize, count: count };
})(typeof window !== "undefined" ? window : globalThis);
