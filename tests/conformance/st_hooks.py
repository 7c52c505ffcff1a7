"""schemathesis hooks for the conformance runs (run_schemathesis.py loads this module through
SCHEMATHESIS_HOOKS). Two things; neither changes a check, only how requests are written:

1. urllib3 writes a URL by percent-encoding it one byte at a time in Python. Discord's path
   parameters allow 150,000 characters, and in the invalid-request pass schemathesis sends
   URLs that long by the thousand: nine tenths of a run went there (py-spy), over 18 minutes
   for one spec. `_encode_invalid_chars` is replaced by a table lookup that writes the very same
   bytes (`same_bytes_as_urllib3` checks that at load on a sample of awkward inputs, and the
   hook refuses to load if it does not).

2. In the valid-request pass only (PORTAL_ST_PASS=positive): an object held in an
   application/x-www-form-urlencoded field is sent as its JSON text. schemathesis hands a form
   body to `requests` as a dict, and `requests` writes a field whose value is a dict as that
   dict's keys (`poll=question&poll=answers`), which no reading takes as the object, so every
   valid case of such an operation was refused and its answers went unchecked. OpenAPI's
   reading of an object in a form field without an `encoding` is its `application/json` text
   (the Encoding Object's default `contentType` for an object), which is what this writes: each
   such field, and each object or list item of a list field. The invalid-request pass sends
   what schemathesis makes, unchanged.
"""

import json
import os
import re

import schemathesis
import urllib3.util.url as urllib3_url

_original_encode = urllib3_url._encode_invalid_chars
_PERCENT_RE = re.compile(r"%[a-fA-F0-9]{2}")
_tables = {}


def _tables_for(allowed_chars):
    """For one set of allowed characters: the text each byte is written as, and a pattern of
    the bytes that need encoding (with and without `%` allowed)."""
    entry = _tables.get(id(allowed_chars))
    if entry is None or entry[0] is not allowed_chars:
        ascii_allowed = "".join(chr(b) for b in range(128) if chr(b) in allowed_chars)
        table = [
            chr(b) if b < 128 and chr(b) in allowed_chars else "%{:02X}".format(b)
            for b in range(256)
        ]
        pct_table = list(table)
        pct_table[0x25] = "%"
        needs = re.compile(b"[^" + re.escape(ascii_allowed).encode() + b"]")
        pct_needs = re.compile(b"[^%" + re.escape(ascii_allowed).encode() + b"]")
        entry = (allowed_chars, (table, needs), (pct_table, pct_needs))
        _tables[id(allowed_chars)] = entry
    return entry


def encode_invalid_chars(component, allowed_chars):
    """urllib3's `_encode_invalid_chars`, byte for byte, without a Python loop per byte."""
    if component is None:
        return component
    component = urllib3_url.to_str(component)
    component, percent_encodings = _PERCENT_RE.subn(lambda m: m.group(0).upper(), component)
    uri_bytes = component.encode("utf-8", "surrogatepass")
    is_percent_encoded = percent_encodings == uri_bytes.count(b"%")
    _, plain, pct = _tables_for(allowed_chars)
    table, needs = pct if is_percent_encoded else plain
    if needs.search(uri_bytes) is None:
        return uri_bytes.decode()
    return "".join(map(table.__getitem__, uri_bytes))


def same_bytes_as_urllib3():
    samples = [
        None, "", "plain", "a b/c?d=e&f", "%41%zz%", "%7e%7E", "100%", "ü€𝄞", "\x00\x7f\x80",
        "a" * 1000 + "é" * 1000, "'()*+,;=:@!$&", "%2f/%2F", "\ud800",
    ]
    sets = [urllib3_url._PATH_CHARS, urllib3_url._QUERY_CHARS, urllib3_url._UNRESERVED_CHARS,
            urllib3_url._USERINFO_CHARS, urllib3_url._FRAGMENT_CHARS]
    return all(
        encode_invalid_chars(s, allowed) == _original_encode(s, allowed)
        for s in samples for allowed in sets
    )


if not same_bytes_as_urllib3():
    raise RuntimeError("st_hooks: the fast URL encoder differs from urllib3's")
urllib3_url._encode_invalid_chars = encode_invalid_chars


def as_text(value):
    """A form field's value as a client that follows OpenAPI writes it."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


if os.environ.get("PORTAL_ST_PASS") == "positive":

    @schemathesis.hook
    def before_call(ctx, case, **kwargs):
        media = (case.media_type or "").split(";", 1)[0].strip().lower()
        if media != "application/x-www-form-urlencoded" or not isinstance(case.body, dict):
            return
        case.body = {
            name: [as_text(item) for item in value] if isinstance(value, list) else as_text(value)
            for name, value in case.body.items()
        }
