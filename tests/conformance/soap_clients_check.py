#!/usr/bin/env python3
"""SOAP interoperability of the sandbox with two more real clients: suds and PHP's SoapClient.

For every SOAP API the sandbox lists in /_sandbox/catalog, zeep builds a request for every
operation of every SOAP port from the operation's input schema (as zeep_check.py does) and
sends it. Each request the sandbox accepted is then sent again by:

- suds (Python), on SOAP 1.1 ports: suds speaks SOAP 1.1 only;
- PHP's SoapClient (ext-soap), on SOAP 1.1 and 1.2 ports (php_soap_client.php).

Each client loads the WSDL from the sandbox, sends the envelope with the endpoint, SOAPAction
and Content-Type it works out from the WSDL itself, and parses the reply by the WSDL. A call
passes when the client returns a result: no fault, no transport error, no parse error. This is
what zeep_check.py does not show: that the sandbox's replies and its reading of SOAPAction and
Content-Type suit clients other than zeep.

Usage: soap_clients_check.py --base http://127.0.0.1:4010 [--only API_ID] [--verbose]
Exit status: 0 when every call passed, 1 otherwise. The last line is a JSON summary.
"""

import json
import logging
import os
import pathlib
import subprocess
import sys
import tempfile
import urllib.request

from lxml import etree

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import zeep_check as zc  # noqa: E402

import suds.client  # noqa: E402
import zeep  # noqa: E402
from zeep.plugins import HistoryPlugin  # noqa: E402
from zeep.wsdl.bindings.soap import Soap12Binding, SoapBinding  # noqa: E402

# WSDLs in the corpus that PHP's SoapClient refuses to load, and why. Each is checked: the load
# must fail with this message, else the run fails (a fixed PHP or a changed WSDL shows up).
PHP_CANNOT_LOAD = {
    # python-zeep integration/hello_world_recursive.wsdl imports a WSDL that imports it back, so
    # its inline schema is read twice; PHP refuses a global element defined twice.
    "soapservice": "element 'http://apache.org/hello_world_soap_http/types:sayHi' already defined",
    # python-zeep wsdl_files/soap_transport_err.wsdl defines the binding StockQuoteBinding twice.
    "stockquoteservice-5": "<binding> 'StockQuoteBinding' already defined",
}


def log(verbose, *args):
    if verbose:
        print(*args, file=sys.stderr)


def suds_port(client, service_name, port_name):
    """The suds proxy of one port (suds names a port alone when the WSDL has one service)."""
    try:
        return client.service[service_name][port_name]
    except Exception:  # noqa: BLE001 - suds raises its own PortNotFound/ServiceNotFound
        return client.service[port_name]


def check_api(entry, verbose):
    results = {"calls": 0, "suds": 0, "php": 0, "failures": [], "notes": []}
    url = entry["spec_url"]
    history = HistoryPlugin()
    try:
        transport = zc.OfflineTransport(url.split("?")[0] + "?xsd=/_sandbox/soap-encoding.xsd")
        client = zeep.Client(url, plugins=[history], settings=zeep.Settings(strict=False), transport=transport)
    except Exception as exc:  # noqa: BLE001
        # zeep_check.py reports a WSDL zeep cannot load; nothing to replay here.
        results["notes"].append(f"not replayed: zeep cannot load the WSDL ({exc!r:.120})")
        return results
    doc = zc.schema_of(url)
    wsdl_text = urllib.request.urlopen(url, timeout=30).read().decode("utf-8", "replace")
    zc.ARRAYS["client"] = client
    zc.ARRAYS["items"] = zc.array_item_types(wsdl_text)
    try:
        suds_client = suds.client.Client(url, cache=None, faults=True)
    except Exception as exc:  # noqa: BLE001
        results["failures"].append(f"{entry['id']}: suds could not load {url}: {exc!r}")
        suds_client = None
    php_calls = []
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            binding = port.binding
            if not isinstance(binding, SoapBinding):
                continue
            version = "1.2" if isinstance(binding, Soap12Binding) else "1.1"
            # PHP sends every call to the first port that has the operation, whatever the SOAP
            # version asked for; a PHP user names the port's address to reach another one.
            address = port.binding_options.get("address")
            proxy = client.bind(service.name, port.name)
            for op_name, operation in binding._operations.items():
                label = f"{entry['id']} {service.name}/{port.name}/{op_name}"
                try:
                    args, kwargs = zc.arguments(operation, doc, operation.style)
                    getattr(proxy, op_name)(*args, **kwargs)
                except Exception as exc:  # noqa: BLE001
                    # zeep_check.py fails the run for this call; it has no request to replay.
                    results["notes"].append(f"not replayed: {label}: zeep's call failed ({exc!r:.120})")
                    continue
                envelope = etree.tostring(history.last_sent["envelope"], xml_declaration=True, encoding="utf-8")
                results["calls"] += 1
                if version == "1.1" and suds_client is not None:
                    try:
                        getattr(suds_port(suds_client, service.name, port.name), op_name)(__inject={"msg": envelope})
                        results["suds"] += 1
                        log(verbose, f"ok suds {label}")
                    except Exception as exc:  # noqa: BLE001
                        results["failures"].append(f"{label}: suds: {exc!r:.600}")
                php_calls.append(
                    {"op": op_name, "version": version, "location": address, "envelope": envelope.decode("utf-8"), "label": label}
                )
    if php_calls:
        php(entry, url, php_calls, results, verbose)
    return results


def php(entry, url, calls, results, verbose):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"wsdl": url, "calls": calls}, f)
        manifest = f.name
    try:
        out = subprocess.run(
            ["php", str(HERE / "php_soap_client.php"), manifest],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        os.unlink(manifest)
    try:
        report = json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        results["failures"].append(f"{entry['id']}: php printed no report: {out.stdout[-400:]} {out.stderr[-400:]}")
        return
    expected = PHP_CANNOT_LOAD.get(entry["id"])
    if report["load_error"] is not None:
        if expected is not None and expected in report["load_error"]:
            results["notes"].append(f"exempt from PHP: SoapClient cannot load the WSDL: {report['load_error']}")
        else:
            results["failures"].append(f"{entry['id']}: PHP SoapClient could not load {url}: {report['load_error']}")
        return
    if expected is not None:
        results["failures"].append(f"{entry['id']}: PHP SoapClient was expected to refuse the WSDL ({expected}) but loaded it")
    for call, result in zip(calls, report["results"]):
        if result["ok"]:
            results["php"] += 1
            log(verbose, f"ok php {call['label']}")
        else:
            results["failures"].append(f"{call['label']}: PHP SoapClient (SOAP {call['version']}): {result['error']}")
    if len(report["results"]) != len(calls):
        results["failures"].append(f"{entry['id']}: PHP answered {len(report['results'])} of {len(calls)} calls")


def main():
    args = zc.command_line(__doc__.splitlines()[0])
    # suds logs every fault it parses at ERROR level; the report below says what failed.
    logging.getLogger("suds").setLevel(logging.CRITICAL)
    catalog = zc.fetch_json(args.base.rstrip("/") + "/_sandbox/catalog")
    apis = [a for a in catalog["apis"] if a.get("protocol") == "soap"]
    if args.only:
        apis = [a for a in apis if a["id"] in args.only]
    total = {"apis": 0, "calls": 0, "suds_passed": 0, "php_passed": 0, "failed": 0}
    for entry in apis:
        result = check_api(entry, args.verbose)
        total["apis"] += 1
        total["calls"] += result["calls"]
        total["suds_passed"] += result["suds"]
        total["php_passed"] += result["php"]
        total["failed"] += len(result["failures"])
        for note in result["notes"]:
            print(f"NOTE {entry['id']}: {note}")
        for failure in result["failures"]:
            print(f"FAIL {failure}")
        print(f"{entry['id']}: {result['calls']} requests replayed, suds passed {result['suds']}, PHP passed {result['php']}")
    print(json.dumps(total))
    return 1 if total["failed"] else 0


if __name__ == "__main__":
    zc.run_with_big_stack(main)
