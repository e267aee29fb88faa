# Doxygen INPUT_FILTER for hwocr's headers (docs/Doxyfile): their plain //
# comments become documentation comments as Doxygen reads them, line for line
# (the headers themselves stay as they are):
#   - the comment block that opens a file documents the file (\file);
#   - a whole-line comment documents what follows it;
#   - lines indented by three spaces or more ("//   auto x = ...") are a code
#     example (\code ... \endcode), unless they continue a list item ("//  - ");
#   - a comment after a declaration on its line documents that declaration;
#   - separators ("// ---- ...") and "}  // namespace x" stay plain comments.
# Backslashes and @ in comments ('\t') are text, not Doxygen commands.
function escaped(text) {
  gsub(/\\/, "\\\\\\\\", text)
  gsub(/@/, "\\\\@", text)
  return text
}
function is_comment(line) { return line ~ /^[ \t]*\/\/([^\/!]|$)/ }
function is_code(line) { return line ~ /^[ \t]*\/\/   / }
{ line[NR] = $0 }
END {
  head = 1
  for (i = 1; i <= NR; i++) {
    s = line[i]
    if (!is_comment(s) || s ~ /^[ \t]*\/\/[ \t]*---/) {
      head = 0; code = 0; list = 0
      if (match(s, /[;,{][ \t]*\/\/([^\/!<]|$)/)) {
        at = RSTART + index(substr(s, RSTART), "//") - 1
        s = substr(s, 1, at - 1) "///<" escaped(substr(s, at + 2))
      }
      print s
      continue
    }
    at = index(s, "//")
    indent = substr(s, 1, at - 1)
    text = substr(s, at + 2)
    if (s ~ /^[ \t]*\/\/ *- /) list = 1
    else if (!is_code(s)) list = 0
    if (is_code(s) && !list) {
      if (!code) text = " \\code" text
      code = 1
      if (!(i < NR && is_code(line[i + 1]))) { text = text " \\endcode"; code = 0 }
      print indent "///" text
      continue
    }
    text = escaped(text)
    if (head && i == 1) text = " \\file " FILENAME text
    print indent "///" text
  }
}
