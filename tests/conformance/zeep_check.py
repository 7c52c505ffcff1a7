#!/usr/bin/env python3
"""SOAP conformance of the sandbox, checked by real outside clients.

For every SOAP API the sandbox lists in /_sandbox/catalog, the Python `zeep` client loads the
WSDL from the sandbox (`?wsdl`, so every import is fetched from the sandbox too), and for every
operation of every SOAP port it builds arguments from the operation's input schema, calls the
sandbox, and parses the reply. Each reply body is then validated with the `xmlschema` package
against the WSDL's own schemas (document style: each body element against its global element;
rpc/literal: each part accessor against its type; rpc/encoded replies are parsed by zeep but not
XSD-validated, since SOAP encoding is not described by the XSD alone).

Usage: zeep_check.py --base http://127.0.0.1:4010 [--only API_ID] [--verbose]
Exit status: 0 when every call passed, 1 otherwise. The last line is a JSON summary.
"""

import argparse
import base64
import datetime
import decimal
import json
import sys
import traceback
import urllib.request

import xmlschema
from lxml import etree

# Deeply recursive schemas (hello_world_recursive) exceed Python's default recursion limit in
# xmlschema's builders.
sys.setrecursionlimit(20000)
from xmlschema.extras.wsdl import Wsdl11Document

import zeep
from zeep.plugins import HistoryPlugin
from zeep.wsdl.bindings.soap import SoapBinding

WSDL11 = "http://schemas.xmlsoap.org/wsdl/"
WSDL20 = "http://www.w3.org/ns/wsdl"


def unusable(text):
    """Why a WSDL that zeep cannot load is unusable by any WSDL 1.1 client, or None."""
    try:
        root = etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError:
        return None
    ns = etree.QName(root).namespace
    if ns == WSDL20:
        return "WSDL 2.0 (SOURCES.md): zeep and xmlschema read WSDL 1.1 only"
    if ns == WSDL11 and not root.findall(f"{{{WSDL11}}}binding") and not root.findall(f"{{{WSDL11}}}import"):
        return "no binding, portType or message (SOURCES.md: only a service and a port): nothing can be called"
    return None

SOAP_ENV = {
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://www.w3.org/2003/05/soap-envelope",
}

# Candidate lexical values by XSD primitive, tried in order until the type accepts one.
CANDIDATES = {
    "string": ["Sample", "A", "1", "ABC123", "sample@example.com", "2024-01-15", "a", "AB", "EUR", "US"],
    "boolean": ["true", "false"],
    "decimal": ["12.5", "1", "0", "-1", "100"],
    "float": ["1.5", "1", "0"],
    "double": ["1.5", "1", "0"],
    "duration": ["P1D", "PT1H"],
    "dateTime": ["2024-01-15T10:30:00", "2024-01-15T10:30:00Z"],
    "time": ["10:30:00"],
    "date": ["2024-01-15"],
    "gYearMonth": ["2024-01"],
    "gYear": ["2024"],
    "gMonthDay": ["--01-15"],
    "gDay": ["---15"],
    "gMonth": ["--01"],
    "hexBinary": ["0A1B"],
    "base64Binary": ["aGVsbG8="],
    "anyURI": ["http://example.com/"],
    "QName": ["xs:string"],
    "NOTATION": [],
}


def log(verbose, *args):
    if verbose:
        print(*args, file=sys.stderr)


def fetch_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def simple_value(xsd_type):
    """A Python value zeep can serialize that the simple type accepts."""
    enumeration = getattr(xsd_type, "enumeration", None)
    if enumeration:
        return typed(xsd_type, str(enumeration[0]))
    primitive = getattr(xsd_type, "primitive_type", None)
    local = getattr(primitive, "local_name", None) or "string"
    if xsd_type.is_list() if hasattr(xsd_type, "is_list") else False:
        item = xsd_type.item_type
        return simple_value(item)
    if hasattr(xsd_type, "member_types") and xsd_type.member_types:
        return simple_value(xsd_type.member_types[0])
    candidates = list(CANDIDATES.get(local, CANDIDATES["string"]))
    if local == "decimal" or local in ("float", "double"):
        for facet in ("min_value", "max_value"):
            v = getattr(xsd_type, facet, None)
            if v is not None:
                candidates.insert(0, str(v))
    # Integer-derived types (primitive decimal).
    if local == "decimal" and xsd_type.is_derived(xsd_type.maps.types.get("{http://www.w3.org/2001/XMLSchema}integer")) if hasattr(xsd_type, "maps") else False:
        candidates = ["1", "2", "0", "-1"] + [c for c in candidates if "." not in c]
    length = getattr(xsd_type, "length", None)
    min_length = getattr(xsd_type, "min_length", None) or 0
    if length:
        candidates.insert(0, "A" * length)
        candidates.insert(1, "1" * length)
    elif min_length > 1:
        candidates.insert(0, "A" * min_length)
    for candidate in candidates:
        try:
            if xsd_type.is_valid(candidate):
                return typed(xsd_type, candidate)
        except Exception:  # noqa: BLE001 - xmlschema raises various errors on odd types
            continue
    return typed(xsd_type, candidates[0] if candidates else "A")


def typed(xsd_type, lexical):
    primitive = getattr(getattr(xsd_type, "primitive_type", None), "local_name", "string")
    if primitive == "base64Binary":
        return base64.b64decode(lexical)
    if primitive == "boolean":
        return lexical in ("true", "1")
    if primitive == "decimal":
        return int(lexical) if lexical.lstrip("-").isdigit() else decimal.Decimal(lexical)
    if primitive in ("float", "double"):
        return float(lexical)
    if primitive == "date":
        return datetime.date.fromisoformat(lexical)
    if primitive == "dateTime":
        return datetime.datetime.fromisoformat(lexical.replace("Z", "+00:00"))
    return lexical


def element_value(element, depth=0):
    """A value for an xmlschema element (dict for complex content, as zeep takes it)."""
    xsd_type = element.type
    if depth > 12:
        return None
    if xsd_type.is_simple():
        return simple_value(xsd_type)
    value = {}
    for name, attribute in getattr(xsd_type, "attributes", {}).items():
        if name and attribute.use == "required":
            value[attribute.local_name] = simple_value(attribute.type)
    if xsd_type.has_simple_content():
        content = xsd_type.content
        v = simple_value(content) if content is not None else "A"
        if value:
            value["_value_1"] = v
            return value
        return v
    content = getattr(xsd_type, "content", None)
    if content is not None and hasattr(content, "model"):
        fill_group(content, value, depth)
    return value


def fill_group(group, value, depth):
    particles = list(group)
    if group.model == "choice":
        particles = particles[:1]
    for particle in particles:
        if isinstance(particle, xmlschema.validators.XsdGroup):
            if particle.min_occurs > 0 or group.model == "choice":
                fill_group(particle, value, depth)
            continue
        if not isinstance(particle, xmlschema.validators.XsdElement):
            continue  # xs:any
        if particle.min_occurs == 0 and group.model != "choice":
            continue
        item = element_value(particle, depth + 1)
        count = max(particle.min_occurs, 1)
        value[particle.local_name] = [item] * count if (particle.max_occurs is None or particle.max_occurs > 1) else item


def schema_of(wsdl_url):
    try:
        return Wsdl11Document(wsdl_url, validation="lax")
    except Exception as exc:  # noqa: BLE001
        return exc


def arguments(zeep_operation, doc, binding_style):
    """Keyword arguments for a zeep call, built from the xmlschema view of the input."""
    body = zeep_operation.input.body
    if body is None:
        return {}
    kwargs = {}
    body_type = getattr(body, "type", None)
    elements = getattr(body_type, "elements", []) if body_type is not None else []
    schema = doc.schema if not isinstance(doc, Exception) else None
    for name, zeep_element in elements:
        xs_element = None
        if schema is not None:
            qname = getattr(zeep_element, "qname", None)
            key = qname.text if qname is not None else name
            xs_element = schema.elements.get(key)
            if xs_element is None:
                # A child of a wrapper element, or an rpc part typed by an XSD type.
                xs_element = find_child(schema, zeep_operation, name)
        if xs_element is not None:
            kwargs[name] = element_value(xs_element)
        else:
            kwargs[name] = zeep_default(zeep_element)
    return kwargs


def find_child(schema, zeep_operation, name):
    body = zeep_operation.input.body
    qname = getattr(body, "qname", None)
    if qname is not None:
        wrapper = schema.elements.get(qname.text)
        if wrapper is not None and not wrapper.type.is_simple() and wrapper.type.content is not None:
            for child in wrapper.type.content.iter_elements():
                if getattr(child, "local_name", None) == name:
                    return child
    return None


def zeep_default(zeep_element):
    t = getattr(zeep_element, "type", None)
    qname = getattr(t, "qname", None)
    local = qname.localname if qname is not None else "string"
    if local in ("int", "integer", "long", "short", "byte", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte", "nonNegativeInteger", "positiveInteger"):
        return 1
    if local in ("decimal", "double", "float"):
        return decimal.Decimal("1.5")
    if local == "boolean":
        return True
    if local == "dateTime":
        return datetime.datetime(2024, 1, 15, 10, 30)
    if local == "date":
        return datetime.date(2024, 1, 15)
    if local == "base64Binary":
        return b"hello"
    if getattr(t, "elements", None):
        return {n: zeep_default(e) for n, e in t.elements if getattr(e, "min_occurs", 1) > 0}
    return "Sample"


def validate_reply(doc, envelope, operation_name, binding, style, use):
    """Problems of the reply body against the WSDL's schemas (empty list = valid)."""
    if isinstance(doc, Exception):
        return [f"xmlschema could not read the WSDL: {doc}"]
    body = None
    for child in envelope:
        if etree.QName(child).localname == "Body" and etree.QName(child).namespace in SOAP_ENV:
            body = child
    if body is None:
        return ["the reply has no Body"]
    problems = []
    children = [c for c in body if isinstance(c.tag, str)]
    if children and etree.QName(children[0]).localname == "Fault":
        return ["the reply is a Fault: " + etree.tostring(children[0], encoding="unicode")[:300]]
    if use == "encoded":
        return []
    schema = doc.schema
    if style == "rpc":
        if len(children) != 1:
            return [f"rpc reply has {len(children)} body elements, expected the {operation_name}Response wrapper"]
        wrapper = children[0]
        for accessor in wrapper:
            if not isinstance(accessor.tag, str):
                continue
            part = output_part(doc, binding, operation_name, etree.QName(accessor).localname)
            if part is None:
                problems.append(f"unexpected accessor {accessor.tag}")
                continue
            if part[0] == "type":
                xsd_type = schema.maps.types.get(part[1])
                if xsd_type is None:
                    continue  # built-in types are checked by zeep's parse
                errors = list(xsd_type.iter_errors(accessor)) if not xsd_type.is_simple() else (
                    [] if xsd_type.is_valid(accessor.text or "") else [f"{accessor.text!r} is not a valid {part[1]}"])
                problems.extend(str(e) for e in errors)
            else:
                problems.extend(str(e) for e in schema.iter_errors(accessor))
        return problems
    for child in children:
        errors = list(schema.iter_errors(child))
        problems.extend(str(e).splitlines()[0] + " :: " + str(e)[:400] for e in errors)
    return problems


def output_part(doc, binding_qname, operation_name, part_name):
    try:
        binding = doc.bindings[binding_qname]
        port_type = binding.port_type
        operation = None
        for key, op in port_type.operations.items():
            if (key[0] if isinstance(key, tuple) else key) == operation_name:
                operation = op
        if operation is None or operation.output is None:
            return None
        message = operation.output.message
        part = message.parts.get(part_name)
        if part is None:
            return None
        if part.element is not None:
            return ("element", part.element.name)
        return ("type", part.type.name)
    except Exception:  # noqa: BLE001
        return None


def check_api(entry, verbose):
    results = {"api": entry["id"], "calls": 0, "passed": 0, "failures": [], "notes": []}
    url = entry["spec_url"]
    history = HistoryPlugin()
    settings = zeep.Settings(strict=False, xml_huge_tree=False)
    try:
        client = zeep.Client(url, plugins=[history], settings=settings)
    except Exception as exc:  # noqa: BLE001
        text = urllib.request.urlopen(url, timeout=30).read().decode("utf-8", "replace")
        reason = unusable(text)
        if reason is not None:
            results["notes"].append(f"exempt: {reason}")
            return results
        results["failures"].append(f"zeep could not load {url}: {exc!r}")
        return results
    doc = schema_of(url)
    if isinstance(doc, Exception):
        results["notes"].append(f"xmlschema could not read the WSDL ({doc}); replies are parsed by zeep only")
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            binding = port.binding
            if not isinstance(binding, SoapBinding):
                continue
            proxy = client.bind(service.name, port.name)
            for op_name, operation in binding._operations.items():
                results["calls"] += 1
                label = f"{entry['id']} {service.name}/{port.name}/{op_name}"
                try:
                    kwargs = arguments(operation, doc, operation.style)
                except Exception as exc:  # noqa: BLE001
                    results["failures"].append(f"{label}: could not build arguments: {exc!r}")
                    continue
                try:
                    getattr(proxy, op_name)(**kwargs)
                except zeep.exceptions.Fault as fault:
                    results["failures"].append(f"{label}: Fault {fault.message} {fault.code}")
                    continue
                except Exception as exc:  # noqa: BLE001
                    results["failures"].append(f"{label}: {exc!r}")
                    log(verbose, traceback.format_exc())
                    continue
                if operation.output is None or history.last_received is None:
                    results["passed"] += 1
                    continue
                envelope = history.last_received["envelope"]
                use = "encoded" if "encoded" in repr(getattr(operation.output, "use", "")) or getattr(operation.input, "use", "") == "encoded" else "literal"
                problems = validate_reply(doc, envelope, op_name, binding.name.text, operation.style, use)
                history._buffer.clear() if hasattr(history, "_buffer") else None
                if problems:
                    results["failures"].append(f"{label}: reply invalid: {problems[:3]}")
                else:
                    results["passed"] += 1
                log(verbose, f"ok {label}")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="sandbox URL, e.g. http://127.0.0.1:4010")
    parser.add_argument("--only", action="append", help="API id to check (repeatable)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    catalog = fetch_json(args.base.rstrip("/") + "/_sandbox/catalog")
    apis = [a for a in catalog["apis"] if a.get("protocol") == "soap"]
    if args.only:
        apis = [a for a in apis if a["id"] in args.only]
    total = {"apis": 0, "calls": 0, "passed": 0, "failed": 0, "exempt": []}
    failed = False
    for entry in apis:
        result = check_api(entry, args.verbose)
        total["apis"] += 1
        total["calls"] += result["calls"]
        total["passed"] += result["passed"]
        total["failed"] += len(result["failures"])
        for note in result["notes"]:
            print(f"NOTE {entry['id']}: {note}")
            if note.startswith("exempt"):
                total["exempt"].append(f"{entry['id']}: {note}")
        for failure in result["failures"]:
            failed = True
            print(f"FAIL {failure}")
        print(f"{entry['id']}: {result['passed']}/{result['calls']} calls passed")
    print(json.dumps(total))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
