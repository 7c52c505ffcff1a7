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
import urllib.parse
import urllib.request

import xmlschema
from lxml import etree

# Deeply recursive schemas (hello_world_recursive) exceed Python's default recursion limit in
# xmlschema's builders.
sys.setrecursionlimit(5000)

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


def sample_regex(pattern):
    """One string matching an XSD pattern (first branch, fewest repeats, first of each class)."""
    try:
        import re._parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse
    from re._constants import (ANY, AT, BRANCH, CATEGORY, CATEGORY_DIGIT, CATEGORY_SPACE,
                               CATEGORY_WORD, IN, LITERAL, MAX_REPEAT, MIN_REPEAT, NEGATE,
                               NOT_LITERAL, RANGE, SUBPATTERN)
    xsd = pattern.replace(r"\i", "[A-Za-z_:]").replace(r"\c", "[A-Za-z0-9._:-]")

    def category(cat):
        return {CATEGORY_DIGIT: "1", CATEGORY_SPACE: " ", CATEGORY_WORD: "a"}.get(cat, "a")

    def one_of(items):
        negate = any(op is NEGATE for op, _ in items)
        if negate:
            excluded = set()
            for op, av in items:
                if op is LITERAL:
                    excluded.add(chr(av))
                elif op is RANGE:
                    excluded.update(chr(c) for c in range(av[0], av[1] + 1))
            return next(c for c in "aA1 xZ9_" if c not in excluded)
        for op, av in items:
            if op is LITERAL:
                return chr(av)
            if op is RANGE:
                return chr(av[0])
            if op is CATEGORY:
                return category(av)
        return "a"

    def gen(parsed):
        out = []
        for op, av in parsed:
            if op is LITERAL:
                out.append(chr(av))
            elif op is NOT_LITERAL:
                out.append("a" if av != ord("a") else "b")
            elif op is ANY:
                out.append("a")
            elif op is IN:
                out.append(one_of(av))
            elif op is CATEGORY:
                out.append(category(av))
            elif op in (MAX_REPEAT, MIN_REPEAT):
                low, _high, sub = av
                out.append(gen(sub) * low)
            elif op is SUBPATTERN:
                out.append(gen(av[-1]))
            elif op is BRANCH:
                out.append(gen(av[1][0]))
            elif op is AT:
                pass
        return "".join(out)

    return gen(sre_parse.parse(xsd))


def simple_value(xsd_type):
    """A Python value zeep can serialize that the simple type accepts."""
    enumeration = getattr(xsd_type, "enumeration", None)
    if enumeration:
        return typed(xsd_type, str(enumeration[0]))
    primitive = getattr(xsd_type, "primitive_type", None)
    local = getattr(primitive, "local_name", None) or "string"
    if xsd_type.is_list() if hasattr(xsd_type, "is_list") else False:
        # zeep writes a list type from a Python list (a string would be split into characters).
        return [simple_value(xsd_type.item_type)]
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
    patterns = getattr(xsd_type, "patterns", None)
    for regex in (getattr(patterns, "regexps", None) or []) if patterns is not None else []:
        try:
            candidates.insert(0, sample_regex(regex))
        except Exception:  # noqa: BLE001 - best effort: other candidates follow
            pass
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
    # zeep takes the partial Gregorian types as tuples ending with the time zone.
    if primitive == "gYearMonth":
        year, month = lexical[:7].split("-")
        return (int(year), int(month), None)
    if primitive == "gYear":
        return (int(lexical[:4]), None)
    if primitive == "gMonthDay":
        return (int(lexical[2:4]), int(lexical[5:7]), None)
    if primitive == "gDay":
        return (int(lexical[3:5]), None)
    if primitive == "gMonth":
        return (int(lexical[2:4]), None)
    return lexical


def element_value(element, depth=0):
    """A value for an xmlschema element (dict for complex content, as zeep takes it)."""
    xsd_type = element.type
    if depth > 12:
        return None
    fixed = getattr(element, "fixed", None)
    if xsd_type.is_simple():
        return typed(xsd_type, fixed) if fixed is not None else simple_value(xsd_type)
    value = {}
    for name, attribute in getattr(xsd_type, "attributes", {}).items():
        if name and attribute.use == "required":
            fixed_attr = getattr(attribute, "fixed", None)
            value[attribute.local_name] = (
                typed(attribute.type, fixed_attr)
                if fixed_attr is not None
                else simple_value(attribute.type)
            )
    if xsd_type.has_simple_content():
        content = xsd_type.content
        if fixed is not None:
            v = typed(content, fixed) if content is not None else fixed
        else:
            v = simple_value(content) if content is not None else "A"
        if value:
            value["_value_1"] = v
            return value
        return v
    content = getattr(xsd_type, "content", None)
    if content is not None and hasattr(content, "model"):
        fill_group(content, value, depth)
    return value


def any_element(wildcard):
    """An element a wildcard admits: in its first listed namespace, else in one of our own."""
    namespaces = [n for n in getattr(wildcard, "namespace", []) if n and not n.startswith("##")]
    ns = namespaces[0] if namespaces else "urn:portal:conformance"
    element = etree.Element(f"{{{ns}}}anything")
    element.text = "A"
    return element


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
            # xs:any: zeep takes a required wildcard's content as `_value_N`, an element.
            if particle.min_occurs > 0 and isinstance(particle, xmlschema.validators.XsdAnyElement):
                value[f"_value_{sum(1 for k in value if k.startswith('_value_')) + 1}"] = any_element(particle)
            continue
        if particle.min_occurs == 0 and group.model != "choice":
            continue
        item = element_value(particle, depth + 1)
        count = max(particle.min_occurs, 1)
        value[particle.local_name] = [item] * count if (particle.max_occurs is None or particle.max_occurs > 1) else item


def resolve_qname(element, value):
    """`p:local` in the scope of an lxml element -> `{ns}local`."""
    prefix, _, local = (value or "").rpartition(":")
    ns = element.nsmap.get(prefix or None)
    return f"{{{ns}}}{local}" if ns else local


class WsdlSchemas:
    """The WSDL's schemas and messages, gathered from the WSDL and every WSDL it imports (all
    fetched from the sandbox, circular imports followed once), validated with xmlschema."""

    def __init__(self, wsdl_url):
        sources, seen, queue = [], set(), [wsdl_url]
        self.messages = {}  # message QName -> {part name: ("element"|"type", QName)}
        self.port_types = {}  # portType QName -> {operation name: output message QName}
        self.bindings = {}  # binding QName -> portType QName
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            with urllib.request.urlopen(url, timeout=30) as response:
                root = etree.fromstring(response.read())
            tns = root.get("targetNamespace")
            for imp in root.iter(f"{{{WSDL11}}}import"):
                location = imp.get("location")
                if location:
                    queue.append(urllib.parse.urljoin(url, location))
            for schema in root.iter("{http://www.w3.org/2001/XMLSchema}schema"):
                sources.append(etree.tostring(schema, encoding="unicode"))
            for message in root.findall(f"{{{WSDL11}}}message"):
                parts = {}
                for part in message.findall(f"{{{WSDL11}}}part"):
                    if part.get("element"):
                        parts[part.get("name")] = ("element", resolve_qname(part, part.get("element")))
                    elif part.get("type"):
                        parts[part.get("name")] = ("type", resolve_qname(part, part.get("type")))
                self.messages[f"{{{tns}}}{message.get('name')}"] = parts
            for port_type in root.findall(f"{{{WSDL11}}}portType"):
                ops = {}
                for op in port_type.findall(f"{{{WSDL11}}}operation"):
                    output = op.find(f"{{{WSDL11}}}output")
                    if output is not None:
                        ops[op.get("name")] = resolve_qname(output, output.get("message"))
                self.port_types[f"{{{tns}}}{port_type.get('name')}"] = ops
            for binding in root.findall(f"{{{WSDL11}}}binding"):
                self.bindings[f"{{{tns}}}{binding.get('name')}"] = resolve_qname(binding, binding.get("type"))
        self.schema = xmlschema.XMLSchema(sources, base_url=wsdl_url, validation="lax")

    def output_part(self, binding, operation, part):
        message = self.port_types.get(self.bindings.get(binding), {}).get(operation)
        return self.messages.get(message, {}).get(part)


def schema_of(wsdl_url):
    try:
        return WsdlSchemas(wsdl_url)
    except Exception as exc:  # noqa: BLE001
        return exc


def arguments(zeep_operation, doc, binding_style):
    """Positional and keyword arguments for a zeep call, built from the xmlschema view of the
    input."""
    body = zeep_operation.input.body
    if body is None:
        return [], {}
    kwargs = {}
    body_type = getattr(body, "type", None)
    schema = doc.schema if not isinstance(doc, Exception) else None
    if isinstance(body_type, zeep.xsd.AnySimpleType):
        # A bare part whose element is simply typed: zeep takes its value positionally.
        qname = getattr(body, "qname", None)
        xs_element = schema.maps.elements.get(qname.text) if schema is not None and qname is not None else None
        value = element_value(xs_element) if xs_element is not None else "Sample"
        return [value], {}
    elements = getattr(body_type, "elements", []) if body_type is not None else []
    for name, zeep_element in elements:
        xs_element = None
        if schema is not None:
            qname = getattr(zeep_element, "qname", None)
            key = qname.text if qname is not None else name
            xs_element = schema.maps.elements.get(key)
            if xs_element is None:
                # A child of a wrapper element, or an rpc part typed by an XSD type.
                xs_element = find_child(schema, zeep_operation, name)
        if getattr(getattr(zeep_element, "type", None), "_array_type", None) is not None:
            kwargs[name] = zeep_default(zeep_element)  # a SOAP-encoding array
        elif xs_element is not None:
            kwargs[name] = element_value(xs_element)
        else:
            kwargs[name] = zeep_default(zeep_element)
    return [], kwargs


def find_child(schema, zeep_operation, name):
    body = zeep_operation.input.body
    qname = getattr(body, "qname", None)
    if qname is not None:
        wrapper = schema.maps.elements.get(qname.text)
        if wrapper is not None and not wrapper.type.is_simple() and wrapper.type.content is not None:
            for child in wrapper.type.content.iter_elements():
                if getattr(child, "local_name", None) == name:
                    return child
    return None


# SOAP-encoding arrays: zeep reads `wsdl:arrayType` loosely, so the item type of each array type
# is taken from the WSDL text (array type QName -> item type QName) and looked up in the client.
ARRAYS = {"client": None, "items": {}}


def array_item_types(wsdl_text):
    """{array complexType QName: item type QName} from `wsdl:arrayType="p:T[]"` attributes."""
    out = {}
    try:
        root = etree.fromstring(wsdl_text.encode("utf-8"))
    except etree.XMLSyntaxError:
        return out
    xsd = "http://www.w3.org/2001/XMLSchema"
    for schema in root.iter(f"{{{xsd}}}schema"):
        tns = schema.get("targetNamespace")
        for ct in schema.findall(f"{{{xsd}}}complexType"):
            for attr in ct.iter(f"{{{xsd}}}attribute"):
                value = attr.get(f"{{{WSDL11}}}arrayType")
                if not value:
                    continue
                prefix, _, local = value.rstrip("[]").rpartition(":")
                ns = attr.nsmap.get(prefix or None)
                out[f"{{{tns}}}{ct.get('name')}"] = f"{{{ns}}}{local}" if ns else local
    return out


def type_default(t, depth=0):
    """A value zeep accepts for a zeep type."""
    if depth > 8:
        return None
    if getattr(t, "_array_type", None) is not None:
        qname = getattr(t, "qname", None)
        item = ARRAYS["items"].get(qname.text if qname is not None else "")
        client = ARRAYS["client"]
        if item and client is not None:
            try:
                return [type_default(client.get_type(item), depth + 1)]
            except Exception:  # noqa: BLE001 - unknown item type: a string item
                pass
        return ["Sample"]
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
    if isinstance(t, zeep.xsd.ComplexType):
        value = {}
        for n, e in t.elements:
            if not n or getattr(e, "min_occurs", 1) == 0:
                continue
            nested_array = getattr(e.type, "_array_type", None) is not None
            # A nillable array inside a structure is sent as xsi:nil (zeep cannot nest them).
            value[n] = None if nested_array and getattr(e, "nillable", False) else type_default(e.type, depth + 1)
        return value
    return "Sample"


def zeep_default(zeep_element):
    t = getattr(zeep_element, "type", None)
    if getattr(t, "_array_type", None) is not None or isinstance(t, zeep.xsd.ComplexType):
        return type_default(t)
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
    if isinstance(t, zeep.xsd.ComplexType):
        return {n: zeep_default(e) for n, e in t.elements if getattr(e, "min_occurs", 1) > 0}
    return "Sample"


def encoded_operations(wsdl_text):
    """(binding local name, operation name) of every operation bound with use="encoded"."""
    out = set()
    try:
        root = etree.fromstring(wsdl_text.encode("utf-8"))
    except etree.XMLSyntaxError:
        return out
    for binding in root.findall(f"{{{WSDL11}}}binding"):
        for op in binding.findall(f"{{{WSDL11}}}operation"):
            if any(el.get("use") == "encoded" for el in op.iter() if etree.QName(el).localname == "body"):
                out.add((binding.get("name"), op.get("name")))
    return out


def validate_reply(doc, envelope, operation_name, binding, style, use):
    """Problems of the reply body against the WSDL's schemas (empty list = valid)."""
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
    if isinstance(doc, Exception):
        return [f"xmlschema could not read the WSDL: {doc}"]
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
    return doc.output_part(binding_qname, operation_name, part_name)


SOAP_ENC_URLS = ("http://schemas.xmlsoap.org/soap/encoding/", "http://schemas.xmlsoap.org/soap/encoding")


class OfflineTransport(zeep.Transport):
    """zeep auto-imports the SOAP encoding schema from its namespace URL when a WSDL uses
    `soapenc:` types without importing them; offline, it is fetched from the sandbox's copy."""

    def __init__(self, sandbox_copy):
        super().__init__()
        self.sandbox_copy = sandbox_copy

    def load(self, url):
        if url in SOAP_ENC_URLS:
            url = self.sandbox_copy
        return super().load(url)


def check_api(entry, verbose):
    results = {"api": entry["id"], "calls": 0, "passed": 0, "failures": [], "notes": []}
    url = entry["spec_url"]
    history = HistoryPlugin()
    settings = zeep.Settings(strict=False, xml_huge_tree=False)
    try:
        transport = OfflineTransport(url.split("?")[0] + "?xsd=/_sandbox/soap-encoding.xsd")
        client = zeep.Client(url, plugins=[history], settings=settings, transport=transport)
    except Exception as exc:  # noqa: BLE001
        text = urllib.request.urlopen(url, timeout=30).read().decode("utf-8", "replace")
        reason = unusable(text)
        if reason is not None:
            results["notes"].append(f"exempt: {reason}")
            return results
        results["failures"].append(f"zeep could not load {url}: {exc!r}")
        return results
    doc = schema_of(url)
    wsdl_text = urllib.request.urlopen(url, timeout=30).read().decode("utf-8", "replace")
    encoded = encoded_operations(wsdl_text)
    ARRAYS["client"] = client
    ARRAYS["items"] = array_item_types(wsdl_text)
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
                    args, kwargs = arguments(operation, doc, operation.style)
                except Exception as exc:  # noqa: BLE001
                    results["failures"].append(f"{label}: could not build arguments: {exc!r}")
                    continue
                try:
                    getattr(proxy, op_name)(*args, **kwargs)
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
                use = "encoded" if (binding.name.localname, op_name) in encoded else "literal"
                problems = validate_reply(doc, envelope, op_name, binding.name.text, operation.style, use)
                history._buffer.clear() if hasattr(history, "_buffer") else None
                if problems:
                    results["failures"].append(f"{label}: reply invalid: {problems[:3]}")
                else:
                    results["passed"] += 1
                log(verbose, f"ok {label}")
    return results


def command_line(description):
    """The command line both SOAP client scripts take: --base, --only, --verbose."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base", required=True, help="sandbox URL, e.g. http://127.0.0.1:4010")
    parser.add_argument("--only", action="append", help="API id to check (repeatable)")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args()


def main():
    args = command_line(__doc__.splitlines()[0])
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


def run_with_big_stack(entry):
    """Exit with what `entry()` returns, run on a thread with a large stack: xmlschema recurses
    deeply on recursive schemas, and gets room instead of crashing."""
    import threading

    threading.stack_size(512 * 1024 * 1024)
    status = []
    worker = threading.Thread(target=lambda: status.append(entry()))
    worker.start()
    worker.join()
    sys.exit(status[0] if status else 2)


if __name__ == "__main__":
    run_with_big_stack(main)
