#!/usr/bin/env python3
"""REST conformance of `portal mock` checked by schemathesis, an outside client.

For every OpenAPI file (the corpus and the demo specs/ by default), start
`portal mock --auth off --specs FILE --port 0`, and for every REST API it serves run schemathesis
against /_sandbox/apis/<id>/openapi.json twice, each in a fresh working folder (schemathesis
replays what it stored):

  1. valid requests  (--mode positive): not_a_server_error, status_code_conformance,
     content_type_conformance, response_headers_conformance, response_schema_conformance
  2. invalid requests (--mode negative): not_a_server_error, negative_data_rejection

Operations that document no response, or only 1xx/5xx responses, cannot pass the status check:
they are reported and left out. Exit status 0 only when every run passes.

schemathesis runs with st_hooks loaded: a URL encoder that writes urllib3's very bytes much
faster (long URLs made a run take over 18 minutes), and, in the valid-request pass, an object in
a form field written as its JSON text (schemathesis writes its keys). See st_hooks.py.
"""

import concurrent.futures
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MAX_EXAMPLES = os.environ.get("MAX_EXAMPLES", "5")
# One worker: CPython 3.11 raises SystemError from ast.parse when hypothesis describes lambdas in
# several threads at once ("AST constructor recursion depth mismatch"), which broke runs at random.
WORKERS = os.environ.get("WORKERS", "1")
RUN_TIMEOUT = int(os.environ.get("RUN_TIMEOUT", "900"))
# The valid- and invalid-request passes of an API run side by side.
PASS_JOBS = int(os.environ.get("PASS_JOBS", "2"))
POSITIVE_CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])
NEGATIVE_CHECKS = "not_a_server_error,negative_data_rejection"
NO_RESPONSE = "No response is documented."


def corpus():
    if os.environ.get("PORTAL_CORPUS"):
        return pathlib.Path(os.environ["PORTAL_CORPUS"])
    d = ROOT
    while d != d.parent:
        if (d / "shared" / "corpus").is_dir():
            return d / "shared" / "corpus"
        d = d.parent
    sys.exit("shared/corpus not found; set PORTAL_CORPUS")


def portal_bin():
    if os.environ.get("PORTAL_BIN"):
        return os.environ["PORTAL_BIN"]
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "debug" / "portal"
    if not binary.exists():
        subprocess.run(["cargo", "build", "--bin", "portal"], cwd=ROOT, check=True)
    return str(binary)


def schemathesis_cmd():
    exe = os.environ.get("SCHEMATHESIS") or shutil.which("schemathesis") or shutil.which("st")
    if not exe:
        sys.exit("schemathesis not found: pip install schemathesis (or set SCHEMATHESIS)")
    return exe


def spec_files(args):
    roots = [pathlib.Path(a) for a in args] or [
        corpus() / "openapi",
        ROOT / "specs",
        ROOT / "tests" / "fixtures" / "openapi",
    ]
    files = []
    for r in roots:
        if r.is_file():
            files.append(r)
        elif r.is_dir():
            for p in sorted(r.rglob("*")):
                if p.suffix in (".yaml", ".yml", ".json") and p.is_file():
                    files.append(p)
    return files


class Mock:
    """A running `portal mock` on a free port."""

    def __init__(self, spec):
        # Run from the folder tree the spec belongs to (the corpus, or the demo's specs/) and
        # name the file relative to it: a file's `$ref`s may reach that whole tree (the demo's
        # APIs share ../common/), not only the file's own folder.
        spec = pathlib.Path(spec).resolve()
        base = next(
            (b for b in (corpus().resolve(), (ROOT / "specs").resolve()) if b in spec.parents),
            spec.parent,
        )
        # The app store goes to a folder of its own, not `.portal/` in the spec tree.
        self.data = tempfile.mkdtemp(prefix="st-data-")
        self.proc = subprocess.Popen(
            [str(pathlib.Path(portal_bin()).resolve()), "mock", "--auth", "off", "--port", "0",
             "--data", self.data, "--specs", str(spec.relative_to(base))],
            cwd=base,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.base = None
        deadline = time.time() + 60
        for line in self.proc.stdout:
            if line.startswith("listening on "):
                self.base = line.split(" ", 2)[2].strip()
                break
            if time.time() > deadline:
                break
        if self.base is None:
            self.stop()
            raise RuntimeError(f"portal mock did not start for {spec}")
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def get_json(self, path):
        with urllib.request.urlopen(self.base + path, timeout=30) as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def uncountable(doc):
    """operationIds whose documented statuses cannot pass the status check."""
    out = []
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            keys = list(op["responses"].keys())
            synthetic = keys == ["default"] and op["responses"]["default"].get("description") == NO_RESPONSE
            only_1_5 = keys and all(k[0] in "15" for k in keys)
            if synthetic or only_1_5:
                out.append((op.get("operationId"), f"{method.upper()} {path}", keys))
    return out


def fragment_siblings(doc):
    """(operationId, "METHOD path") of operations sharing a method and a path up to `#` or `?`
    (query conditions written in the path key, AWS and AutoRest style)."""
    seen = {}
    for path, item in doc.get("paths", {}).items():
        base = re.split(r"[#?]", path, maxsplit=1)[0].rstrip("/") or "/"
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                seen.setdefault((method, base), []).append((op.get("operationId"), f"{method.upper()} {path}"))
    return [entry for group in seen.values() if len(group) > 1 for entry in group]


def pass_env(mode):
    """schemathesis' environment: it loads st_hooks (a faster URL encoder that writes the same
    bytes; in the valid-request pass, an object in a form field sent as its JSON text where
    schemathesis would send its keys)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH")) if p)
    env["SCHEMATHESIS_HOOKS"] = "st_hooks"
    env["PORTAL_ST_PASS"] = mode
    return env


def run_pass(url, mode, checks, excluded):
    """One schemathesis run: (exit code, output, text for the log)."""
    work = tempfile.mkdtemp(prefix="st-")
    cmd = [
        schemathesis_cmd(), "--config-file", str(HERE / "schemathesis.toml"), "run", url,
        "--mode", mode,
        "--checks", checks,
        "--max-examples", MAX_EXAMPLES,
        "--phases", "examples,coverage,fuzzing",
        "--generation-database", "none",
        "--workers", WORKERS,
        "--request-timeout", "10",
        "--no-color",
        # Whole request bodies in the report: telling an encoding ambiguity from a real failure
        # (wire_ambiguity) reads the body, and a long one was cut before the part that matters.
        "--output-truncate", "false",
        "--suppress-health-check", "all",
        "--seed", "1",
    ]
    for op_id in excluded:
        cmd += ["--exclude-operation-id", op_id]
    try:
        proc = subprocess.run(
            cmd, cwd=work, env=pass_env(mode), capture_output=True, text=True, timeout=RUN_TIMEOUT
        )
        output = proc.stdout + proc.stderr
        code = proc.returncode
    except subprocess.TimeoutExpired as e:
        captured = e.stdout or b""
        output = captured.decode("utf-8", "replace") if isinstance(captured, bytes) else captured
        output += "\n[timed out]"
        code = -1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return code, output, f"\n===== {mode} {url}\n$ {' '.join(cmd)}\n{output}\n"


def run_checked(url, mode, checks, excluded):
    """A pass, run once more when it fails: schemathesis is not fully reproducible even with
    --seed (an example phase once sent a positive case without a required parameter). Returns
    (exit code, output of the last run, the first run's summary when only the retry passed,
    text for the log)."""
    code, output, logged = run_pass(url, mode, checks, excluded)
    if code == 0:
        return code, output, None, logged
    first = summary_line(output)
    retry_code, retry_output, retry_logged = run_pass(url, mode, checks, excluded)
    return retry_code, retry_output, first if retry_code == 0 else None, logged + retry_logged


def failure_blocks(output):
    """Each failure of a run: (title line, text of the block)."""
    section = output.split("= FAILURES =", 1)
    if len(section) < 2:
        return []
    body = section[1].split("= SUMMARY =", 1)[0]
    blocks, title, lines = [], None, []
    for line in body.splitlines():
        if line.startswith("___") and line.endswith("___"):
            if title:
                blocks.append((title, "\n".join(lines)))
            title, lines = line.strip("_ "), []
        else:
            lines.append(line)
    if title:
        blocks.append((title, "\n".join(lines)))
    return blocks


def each_property(doc):
    """(name, schema) of every property of every schema in the document."""
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                yield from ((name, schema) for name, schema in props.items() if isinstance(schema, dict))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def binary_fields(doc):
    """Names of the properties whose schema is a file (`format: binary`, or a list of them)."""
    schemas = doc.get("components", {}).get("schemas", {})

    def binary(schema):
        ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
        if ref.startswith("#/components/schemas/"):
            schema = schemas.get(ref.rsplit("/", 1)[1], {})
        if not isinstance(schema, dict):
            return False
        if schema.get("format") == "binary" or "contentMediaType" in schema:
            return True
        return schema.get("type") == "array" and binary(schema.get("items", {}))

    return {name for name, schema in each_property(doc) if binary(schema)}


def xml_names(doc):
    """Property name -> the element names the description gives it (`xml.name`), over every
    schema of the document: schemathesis reports a mutation by property name, and the wire
    carries the element name."""
    names = {}
    for prop, schema in each_property(doc):
        xml = schema.get("xml")
        if isinstance(xml, dict) and isinstance(xml.get("name"), str):
            names.setdefault(prop, set()).add(xml["name"])
    return names


def wire_ambiguity(block, element_names=None, binary_fields=None):
    """A negative case whose request reads exactly like a valid one on the wire.

    In application/x-www-form-urlencoded a one-item list is written like a scalar
    (`tags=a`): schemathesis' mutation `tags: "a"` (wrong type) is bytes a valid request also
    sends, so no server can reject it without rejecting valid requests too. And the fields of
    a nested object are written at the top level (style form, explode): a mutation that drops
    a required field `name` still sends `name=` when a nested object has a field `name`.

    A `text/*` body is text too: a mutation to another type is that type's text. So is a
    multipart part (`null` where a string is expected is the text `null`), and a file part is
    any bytes (`binary_fields`: the fields whose schema is binary, or a list of binary). A body
    in a media type that is not structured or text (image/png) is opaque bytes.

    In XML every value is text: an empty string, an empty wrapped list and a one-item
    unwrapped list holding "" are all `<name></name>`, and `true`, `false`, `null` or a number
    given where a string is expected are that string's text (`<name>false</name>`). The
    mutated element must be one whose text is such a literal or empty; it is looked for under
    the property's name and under the element names `element_names` gives it (`xml.name`)."""
    failures = [l.strip() for l in block.splitlines() if l.strip().startswith("- ST")]
    if not failures or any("ST201" not in f for f in failures):
        return False
    # A query parameter that the path key writes (`/xml/?comp=list&restype=service`) is sent
    # with the path whatever the mutation drops: the request's URL still has it.
    missing = re.search(r"Missing `(\w+)` at query", block)
    url = re.search(r"curl .*'(http[^']*)'", block)
    if missing and url and re.search(rf"[?&]{re.escape(missing.group(1))}=", url.group(1)):
        return True
    if "application/x-www-form-urlencoded" in block:
        if "Incorrect type" in block:
            return True
        missing = re.search(r"Missing required property: (\S+)", block)
        body = re.search(r"-H 'Content-Type: application/x-www-form-urlencoded' -d '([^']*)'", block)
        if not (missing and body):
            return False
        sent = {urllib.parse.unquote_plus(pair.split("=", 1)[0]) for pair in body.group(1).split("&")}
        return missing.group(1) in sent
    if "-H 'Content-Type: multipart/form-data" in block:
        # A file field's part is any bytes, and a one-item list of files is one part.
        m = re.search(r"in body - (?:\w+ -> )*(\w+): Incorrect type", block)
        if m and m.group(1) in (binary_fields or set()):
            return True
        # A literal given where a string is expected is sent as that string's text.
        m = re.search(r"in body - violates `type` at (?:/\w+)*/properties/(\w+) \(was string, became (?:null|boolean|integer|number)\)", block)
        literal = r"(?:null|true|false|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
        return bool(m) and re.search(
            rf'name="{re.escape(m.group(1))}"(?:\\r\\n|\r\n){{2}}{literal}(?:\\r\\n|\r\n)', block
        ) is not None
    # A body in a media type that is neither structured nor text (image/png, application/pdf)
    # is opaque bytes: what schemathesis writes there as JSON is no JSON to the server.
    media = re.search(r"-H 'Content-Type: ([^';]+)", block)
    if media and not re.search(r"json|xml|yaml|x-www-form-urlencoded|multipart/|^text/", media.group(1)):
        return "in body" in block
    # A text body is text: a number, `true` or `null` given where a string is expected is that
    # string's text, which a valid request also sends.
    if re.search(r"-H 'Content-Type: text/(?!xml)", block):
        return bool(re.search(r"in body - (?:\w+ -> )*(?:\w+: )?[Ii]ncorrect type", block))
    if "/xml" not in block:
        return False
    literal = r"(?:|true|false|null|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    # The whole body mutated (a root list made a string): one empty element, which is also
    # the empty list.
    if re.search(r"in body - incorrect type\s*$", block, re.M):
        return re.search(rf"-d '<(\w+)(?: [^>]*)?>{literal}</\1>'|-d '<\w+/>'", block) is not None
    m = (
        re.search(r"in body - .*?(\w+): Incorrect type", block)
        or re.search(r"in body - violates `\$ref` at (?:/\w+)*/properties/(\w+)\s*$", block, re.M)
        or re.search(r"in body - violates `type` at (?:/\w+)*/properties/(\w+) \(was \w+, became \w+\)", block)
    )
    if not m:
        return False
    prop = m.group(1)
    # schemathesis names some properties with their first letter lowered (`BadApples` is
    # reported as `badApples`): element names are compared without case.
    for element in sorted({prop} | (element_names or {}).get(prop, set())):
        name = re.escape(element)
        if re.search(rf"<{name}>{literal}</{name}>|<{name}/>", block, re.IGNORECASE):
            return True
    return False


def summary_line(output):
    """The last `=== ... ===` line (schemathesis' verdict), else the last line."""
    lines = [l for l in output.splitlines() if l.strip()]
    for l in reversed(lines):
        if l.startswith("=") and l.endswith("=") and ("passed" in l or "fail" in l or "error" in l):
            return l.strip(" =")
    return lines[-1] if lines else ""


def known_failing():
    """Specs listed in known-failing.txt (`path-relative-to-corpus [positive|negative]  # reason`):
    reported, not run (the whole spec, or only the named pass).

    The list is short and each line says why; it exists so that one spec we do not pass yet
    does not hide the result of all the others. An entry that starts passing should be removed.
    """
    out = {}
    path = HERE / "known-failing.txt"
    if path.exists():
        for line in path.read_text().splitlines():
            entry, _, reason = line.partition("#")
            if entry.strip():
                out[entry.strip()] = reason.strip()
    return out


def main():
    files = spec_files(sys.argv[1:])
    known = known_failing() if not os.environ.get("ST_RUN_ALL") else {}
    log_path = pathlib.Path(os.environ.get("ST_LOG", tempfile.gettempdir())) / "portal-schemathesis.log"
    if log_path.is_dir():
        log_path = log_path / "portal-schemathesis.log"
    failures = 0
    runs = 0
    with open(log_path, "w") as log, concurrent.futures.ThreadPoolExecutor(PASS_JOBS) as pool:
        for spec in files:
            rel_spec = str(spec.relative_to(corpus())) if str(spec).startswith(str(corpus())) else str(spec)
            if rel_spec in known:
                print(f"KNOWN-FAILING (not run) {rel_spec}: {known[rel_spec]}")
                continue
            try:
                mock = Mock(spec)
            except RuntimeError as e:
                print(f"ERROR {spec}: {e}")
                failures += 1
                continue
            try:
                apis = [a for a in mock.get_json("/_sandbox/catalog")["apis"] if a["protocol"] == "rest"]
                if not apis:
                    continue
                for api in apis:
                    url = api["spec_url"]
                    doc = mock.get_json(url[len(mock.base):])
                    ops = sum(
                        1 for item in doc.get("paths", {}).values() for op in item.values()
                        if isinstance(op, dict) and "responses" in op
                    )
                    rel = spec.relative_to(corpus()) if str(spec).startswith(str(corpus())) else spec
                    if ops == 0:
                        print(f"SKIP  {rel} [{api['id']}]: no operations (webhooks only)")
                        continue
                    excluded = uncountable(doc)
                    for op_id, where, keys in excluded:
                        what = "no response" if keys == ["default"] else "only " + ", ".join(keys)
                        print(f"  not counted: {rel} {where} documents {what}")
                    ids = [e[0] for e in excluded if e[0]]
                    if len(excluded) == ops:
                        print(f"SKIP  {rel} [{api['id']}]: no operation can be counted")
                        continue
                    # Operations told apart only by a `#fragment` query condition (AWS style):
                    # a request mutated to break one is a valid call of its sibling.
                    siblings = fragment_siblings(doc)
                    for op_id, where in siblings:
                        print(f"  not counted (negative): {rel} {where}: a mutated request is a valid call of a sibling operation")
                    # The two passes run side by side (each is one schemathesis process, which
                    # keeps one core busy); their results are printed in order.
                    passes = []
                    for mode, checks in (("positive", POSITIVE_CHECKS), ("negative", NEGATIVE_CHECKS)):
                        if f"{rel_spec} {mode}" in known:
                            print(f"KNOWN-FAILING (not run) {rel_spec} {mode}: {known[f'{rel_spec} {mode}']}")
                            continue
                        runs += 1
                        skip = ids + ([o for o, _ in siblings if o] if mode == "negative" else [])
                        passes.append((mode, pool.submit(run_checked, url, mode, checks, skip)))
                    for mode, future in passes:
                        code, output, flaky, logged = future.result()
                        log.write(logged)
                        log.flush()
                        if flaky:
                            # A pass that failed once and then passed is printed as FLAKY with
                            # the first run's summary, never hidden.
                            print(f"FLAKY {rel} [{api['id']}] {mode}: failed once ({flaky}), passed on the retry")
                        status = "PASS" if code == 0 else "FAIL"
                        blocks = failure_blocks(output)
                        elements, binaries = xml_names(doc), binary_fields(doc)
                        if code != 0 and mode == "negative" and blocks and all(wire_ambiguity(b, elements, binaries) for _, b in blocks):
                            status = "PASS"
                            for title, _ in blocks:
                                print(f"  not counted: {rel} {title}: on the wire the mutated request is one a valid request also sends (form, multipart, text or XML encoding, or a query the path key writes)")
                        if status == "FAIL":
                            failures += 1
                        print(f"{status}  {rel} [{api['id']}] {mode}: {summary_line(output)}", flush=True)
            finally:
                mock.stop()
    print(f"\n{runs} runs, {failures} failing; full output in {log_path}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
