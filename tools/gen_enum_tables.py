#!/usr/bin/env python3
"""Regenerates the enum tables of src/schema.rs from the official Python
client's validation module (minfraud on PyPI, maxmind/minfraud-api-python).

    tools/gen_enum_tables.py                  # check: exit 1 when src/schema.rs differs
    tools/gen_enum_tables.py --write          # rewrite the tables in src/schema.rs
    tools/gen_enum_tables.py --source PATH    # a validation.py, or a checkout of the client

MaxMind adds values (payment processors above all) in client releases; this
reads them from the newest client instead of by hand. Without --source it
reads the client that scripts/test installs (target/official-clients/python);
for the newest release:

    python3 -m venv /tmp/mf && /tmp/mf/bin/pip install --upgrade minfraud
    tools/gen_enum_tables.py --source /tmp/mf --write

The module is read with `ast`, never imported. Each table is written sorted
(validation searches it by halves) and formatted by rustfmt. Prints what was
added or removed, table by table.
"""

import argparse
import ast
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "src", "schema.rs")

# The client's validator name -> the table in src/schema.rs.
TABLES = {
    "_event_type": "EVENT_TYPES",
    "_event_party": "PARTIES",
    "_delivery_speed": "DELIVERY_SPEEDS",
    "_payment_method": "PAYMENT_METHODS",
    "_payment_processor": "PAYMENT_PROCESSORS",
    "_tag": "TAGS",
}


def find_validation(source):
    if source is None:
        source = os.path.join(ROOT, "target", "official-clients", "python")
    if os.path.isfile(source):
        return source
    found = sorted(glob.glob(os.path.join(source, "**", "minfraud", "validation.py"), recursive=True))
    if not found:
        sys.exit(f"no minfraud/validation.py under {source} (install the client: ./scripts/test)")
    return found[-1]


def client_tables(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    tables = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not isinstance(target, ast.Name) or target.id not in TABLES:
            continue
        call = node.value
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "In" and call.args):
            continue
        values = ast.literal_eval(call.args[0])
        if not all(isinstance(v, str) for v in values):
            sys.exit(f"{path}: {target.id} holds a value that is not a string")
        tables[TABLES[target.id]] = sorted(set(values))
    missing = set(TABLES.values()) - set(tables)
    if missing:
        sys.exit(f"{path}: no In([...]) found for {', '.join(sorted(missing))}; the client's layout changed")
    return tables


TABLE_RE = r"(pub const {name}: &\[&str\] = &\[)(.*?)(\];)"


def current(text, name):
    m = re.search(TABLE_RE.format(name=name), text, re.S)
    if not m:
        sys.exit(f"src/schema.rs: no table {name}")
    return re.findall(r'"([^"]*)"', m.group(2))


def rewrite(text, tables):
    for name, values in tables.items():
        body = "\n" + "".join(f'    "{v}",\n' for v in values)
        text = re.sub(TABLE_RE.format(name=name), lambda m: m.group(1) + body + m.group(3), text, flags=re.S)
    count = len(tables["PAYMENT_PROCESSORS"])
    text = re.sub(r"(/// `payment\.processor` values \()\d+", lambda m: f"{m.group(1)}{count}", text)
    with tempfile.NamedTemporaryFile("w", suffix=".rs", delete=False) as f:
        f.write(text)
    try:
        subprocess.run(["rustfmt", "--edition", "2021", f.name], check=True)
        return open(f.name).read()
    finally:
        os.unlink(f.name)


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--source", help="validation.py, or a directory holding minfraud/validation.py")
    args.add_argument("--write", action="store_true", help="rewrite src/schema.rs")
    opts = args.parse_args()
    path = find_validation(opts.source)
    tables = client_tables(path)
    text = open(SCHEMA, encoding="utf-8").read()
    changed = False
    for name, values in tables.items():
        have = current(text, name)
        added, removed = sorted(set(values) - set(have)), sorted(set(have) - set(values))
        if added or removed or have != values:
            changed = True
            print(f"{name}: {len(values)} values in the client, {len(have)} in src/schema.rs; "
                  f"added {added or 'none'}, removed {removed or 'none'}")
    print(f"read {path}")
    if not changed:
        print("src/schema.rs matches the client")
        return
    if not opts.write:
        print("src/schema.rs differs from the client: run with --write", file=sys.stderr)
        sys.exit(1)
    with open(SCHEMA, "w", encoding="utf-8") as f:
        f.write(rewrite(text, tables))
    print("src/schema.rs rewritten; run cargo test (schema tests check the lists stay sorted)")


if __name__ == "__main__":
    main()
