"""Text a student controls (printed output, exception messages, file, folder and zip member
names, source files), made safe where the trusted side takes it in, and for each output.

At capture (`clean`, `clean_name`, `read_source`): no lone surrogate survives (a str holding one
cannot be written as UTF-8: it crashed every output), sizes are capped with a note saying so,
and a source file is decoded as Python decodes it (a UTF-8 BOM, a coding line, CRLF).

Per output: `xml_text` for JUnit (characters XML 1.0 forbids shown as `\\x1b`), `csv_cell` for
spreadsheets (no line break inside a cell, no formula), and `console` for every line the grader
prints: no line may start a GitHub Actions workflow command (`::error::`, `::add-mask::`,
`::stop-commands::`), which the runner reads from stdout and stderr after trimming spaces, nor
hold one in the runner's older form (`##[error]`), which it finds anywhere in a line.
"""

import importlib.util
import re

SURROGATE = re.compile("[\ud800-\udfff]")
# XML 1.0 allows TAB, LF, CR and everything from U+0020 but the surrogates, U+FFFE and U+FFFF.
# CR is shown too: a parser would turn it into LF, and the runner would see a line break.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
# What a terminal, a CSV reader or Excel may take for a line break, and the other C0/C1 controls.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A workflow command: `::` first on a line, after any spaces (the runner trims them).
WORKFLOW_COMMAND = re.compile(r"(^|[\r\n])([^\S\r\n]*)(?=::)")
# The older form of a workflow command, found anywhere in a line.
OLD_COMMAND = "##["
# A cell a spreadsheet would run as a formula: one of these first, spaces allowed before.
FORMULA_START = ("=", "+", "-", "@")

NAME_LIMIT = 200


def clean(text, limit=None):
    """`text` as a str without lone surrogates (each becomes U+FFFD), at most `limit`
    characters, with a note when it was trimmed."""
    if not isinstance(text, str):
        text = str(text)
    text = SURROGATE.sub("\ufffd", text)
    if limit is not None and len(text) > limit:
        note = f"\n[... {len(text) - limit} more characters not kept]"
        text = text[:max(limit - len(note), 0)] + note
    return text


def clean_tree(value):
    """A copy of a report (dicts, lists, strings, numbers) with `clean` applied to every
    string, keys included: the last gate before JSON, where a lone surrogate would be written
    as an escape that strict parsers refuse (a path given on the command line may hold one)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_tree(k): clean_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_tree(v) for v in value]
    return value


def escape_controls(text):
    """Control characters as visible escapes (`\\n`, `\\r`, `\\x1b`): for one-line places."""
    def show(m):
        c = m.group()
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c, f"\\x{ord(c):02x}" if ord(c) < 256
                                                         else f"\\u{ord(c):04x}")
    return CONTROL.sub(show, text)


def clean_name(name, limit=NAME_LIMIT):
    """A file, folder or zip member name fit to show on one line: bytes that were not UTF-8
    (os.listdir hands them over as lone surrogates) as `\\xff`, control characters as escapes,
    at most `limit` characters."""
    if isinstance(name, bytes):
        name = name.decode("utf-8", "surrogateescape")
    name = SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xdc00:02x}"
                         if 0xdc80 <= ord(m.group()) <= 0xdcff else "\ufffd", str(name))
    name = escape_controls(name)
    return name if len(name) <= limit else name[:limit - 3] + "..."


def read_source(path, limit=2_000_000):
    """A Python source file as Python reads it: BOM and coding line honoured, CRLF and CR
    turned into LF; bytes that do not decode become U+FFFD. '' when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit)
    except OSError:
        return ""
    return decode_source(data)


def decode_source(data):
    try:
        text = importlib.util.decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    return clean(text.lstrip("\ufeff"))


# ------------------------------------------------------------------------------- per output
def xml_text(text):
    """`text` escaped for XML element content or a double-quoted attribute: &, <, >, " as
    entities, characters XML 1.0 forbids as visible escapes, CR as a character reference, and
    a line's leading `:` as `&#58;` so no raw line of the file starts a workflow command."""
    text = clean(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    text = XML_ILLEGAL.sub(lambda m: "&#13;" if m.group() == "\r" else f"\\x{ord(m.group()):02x}", text)
    text = text.replace(OLD_COMMAND, "&#35;#[")
    return re.sub(r"(^|\n)([^\S\n]*):", r"\1\2&#58;", text)


def xml_attr(text):
    """For an attribute value: as `xml_text`, with line breaks and tabs kept as references
    (a parser would turn a raw one into a space)."""
    return xml_text(text).replace("\n", "&#10;").replace("\t", "&#9;")


def csv_cell(text):
    """A spreadsheet cell: control characters (line breaks above all) as visible escapes, so a
    row stays one row, and a leading `'` where a spreadsheet would start a formula."""
    text = escape_controls(clean(text))
    return "'" + text if text.lstrip().startswith(FORMULA_START) else text


def console(text):
    """Text the grader prints, made unable to start a GitHub Actions workflow command: a line
    that would (`::`, spaces allowed before) gets `> ` in front of it, and `##[` becomes `# #[`.
    Lone surrogates go too."""
    return WORKFLOW_COMMAND.sub(r"\1\2> ", clean(text)).replace(OLD_COMMAND, "# #[")


def json_dumps(value, **options):
    """JSON of a report, every string cleaned; `##[` written as `\\u0023#[` (the same string
    once parsed), so no line of the file holds a workflow command in the older form either.
    (A line of indented JSON starts with spaces and `"`, `{`, `[` or a digit, never `::`.)"""
    import json
    return json.dumps(clean_tree(value), **options).replace(OLD_COMMAND, "\\u0023#[")
