"""Validate generated SOAP bodies against the schemas of their WSDL (used by wsdl_corpus.rs).

Input: a JSON file with cases {files, root, label, xml}; `xml` is `<body>` around the Body
content. The inline schemas of the WSDL files (with their in-scope namespace declarations) and
the standalone XSD files are loaded together; remote imports are never fetched.
"""
import json
import os
import sys

import xml.etree.ElementTree as ET

import xmlschema
from lxml import etree

XSD = "http://www.w3.org/2001/XMLSchema"
WSDL_TYPES = ["{http://schemas.xmlsoap.org/wsdl/}types", "{http://www.w3.org/ns/wsdl}types"]

# Well-known namespaces imported by URL (SOAP encoding, xml.xsd) come from xmlschema's own
# fallback copies; remote locations are removed so nothing is fetched.


def build(sources, extra):
    # Text sources keep their namespace declarations (ElementTree elements would lose them).
    texts = [etree.tostring(src).decode() for src, _ in sources] + extra
    base = sources[0][1]
    return xmlschema.XMLSchema(texts, base_url=base, allow="local")


def main():
    cases = json.load(open(sys.argv[1]))
    built = {}
    failures = []
    count = 0
    for case in cases:
        key = tuple(case["files"])
        if key not in built:
            srcs = []
            for f in case["files"]:
                root = etree.parse(f).getroot()
                if root.tag == "{%s}schema" % XSD:
                    continue
                for types in (t for tag in WSDL_TYPES for t in root.iter(tag)):
                    for s in types.findall("{%s}schema" % XSD):
                        copy = etree.fromstring(etree.tostring(s))
                        for imp in copy.findall("{%s}import" % XSD):
                            loc = imp.get("schemaLocation")
                            if loc and "://" in loc:
                                del imp.attrib["schemaLocation"]
                        srcs.append((copy, "file://" + os.path.dirname(os.path.abspath(f)) + "/"))
            try:
                built[key] = build(srcs, []) if srcs else None
            except Exception as e:  # a schema xmlschema cannot build: report it
                failures.append("%s: schema does not build: %s" % (case["label"], str(e)[:400]))
                built[key] = None
        schema = built[key]
        if schema is None:
            continue
        body = etree.fromstring(case["xml"].encode())
        for child in body:
            count += 1
            errors = list(schema.iter_errors(child))
            if case.get("expect_invalid"):
                if not errors:
                    failures.append("%s: a broken body was accepted" % case["label"])
                continue
            if errors:
                failures.append("%s: %s\n%s" % (case["label"], str(errors[0])[:600], case["xml"][:800]))
    print("validated %d elements" % count)
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
