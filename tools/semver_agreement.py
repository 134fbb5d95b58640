#!/usr/bin/env python3
"""Instance by instance, does `cargo semver-checks` agree with `cargo xtask diff`?

Usage: semver_agreement.py SEMVER_OUTPUT DIFF_JSON

SEMVER_OUTPUT is the text `cargo semver-checks check-release --release-type minor`
printed for the crate generated from the new spec against the one from the old;
DIFF_JSON is `cargo xtask diff OLD NEW --json` for the same pair, run with the
lock the old crate was generated with. Both sides are matched through the Rust
item a finding names (`Change.rust` in the diff). Prints the agreement table as
Markdown, then every finding of either side the other has no counterpart for.
"""

import json
import re
import sys
from collections import Counter, defaultdict


def findings(text):
    """(lint, type, member) for every instance semver-checks lists."""
    out = []
    lint = None
    patterns = [
        (r"^(?:struct|enum) [\w:]*::(\w+), previously", lambda m: (m[1], "")),
        (r"^variant (\w+)::(\w+), previously", lambda m: (m[1], m[2])),
        (r"^field (\w+) of struct (\w+), previously", lambda m: (m[2], m[1])),
        (r"^struct [\w:]*::(\w+) became", lambda m: (m[1], "")),
        (r"^[\w:]*?(\w+)::(\w+) takes \d+ parameters", lambda m: (m[1], m[2])),
        (r"^(\w+)::(\w+), previously", lambda m: (m[1], m[2])),
    ]
    for line in text.splitlines():
        head = re.match(r"^--- failure (\w+):", line)
        if head:
            lint = head[1]
            continue
        line = line.strip()
        for pattern, pick in patterns:
            m = re.match(pattern, line)
            if m and lint:
                out.append((lint, *pick(m)))
                break
    return out


def snake_to_camel(name):
    name = name.rstrip("_")
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def camel_to_snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def mentions(text, name):
    return re.search(r"(?<![\w])" + re.escape(name) + r"(?![\w])", text) is not None


def matches(finding, change):
    lint, ty, member = finding
    rust, detail, kind = change["rust"], change["detail"], change["kind"]
    if lint in ("struct_missing", "enum_missing"):
        if rust == ty or mentions(detail, ty):
            return True
        # A tag's accessor struct (`SeismicApi`) goes with its last operation.
        if ty.endswith("Api") and kind == "operation_removed":
            return rust.startswith(f"client.{camel_to_snake(ty[:-3])}()")
        # An inline type goes with the type, field or operation that held it
        # (`BtreeIndex` → `BtreeIndexIndexType`): inline names start with
        # their owner's.
        if kind in ("schema_removed", "schema_renamed") and ty.startswith(rust):
            return True
        if kind == "operation_removed":
            method = rust.rsplit(".", 1)[-1].rstrip("()")
            return ty.startswith("".join(w.capitalize() for w in method.split("_")))
        return any(len(n) >= 8 and ty.startswith(n) for n in re.findall(r"[A-Z]\w+", detail))
    if lint == "enum_variant_missing":
        return rust == ty and mentions(detail, member)
    if lint == "struct_pub_field_missing":
        return rust == ty and kind == "field_removed" and (
            mentions(detail, snake_to_camel(member)) or mentions(detail, member)
            or member == "additional_properties" and "additional_properties" in detail
        )
    if lint == "struct_with_pub_fields_changed_type":
        return (rust == ty or mentions(detail, ty)) and kind.endswith("retyped")
    if lint == "method_parameter_count_changed":
        return rust == ty and kind in (
            "field_added", "field_removed", "field_required_changed", "field_retyped")
    if lint == "inherent_method_missing":
        if ty == "Client":
            return rust.startswith(f"client.{member}()")
        if rust.startswith("client."):
            return (mentions(rust, member) or mentions(detail, member)) and kind in (
                "operation_removed", "operation_renamed", "pagination_changed")
        # `new` and setters go with the constructor, a removed field, a field
        # that became required (a `new` argument now), or the struct itself.
        return rust == ty and kind in (
            "constructor_removed", "field_removed", "field_required_changed", "schema_retyped")
    return False


def expected_lint(change):
    """What semver-checks can see of a breaking diff change, or why not."""
    return {
        "schema_removed": "struct_missing / enum_missing",
        "schema_renamed": "struct_missing / enum_missing",
        "field_removed": "struct_pub_field_missing",
        "variant_removed": "enum_variant_missing",
        "enum_value_removed": "enum_variant_missing",
        "operation_removed": "inherent_method_missing",
        "operation_renamed": "inherent_method_missing",
        "pagination_changed": "inherent_method_missing",
        "field_added": "method_parameter_count_changed",
        "field_required_changed": "method_parameter_count_changed",
        "schema_retyped": "struct_with_pub_fields_changed_type",
        "constructor_removed": "inherent_method_missing",
    }.get(change["kind"], "none: no lint for a changed type")


def main():
    semver = findings(open(sys.argv[1]).read())
    diff = json.load(open(sys.argv[2]))
    breaking = [c for c in diff["changes"] if c["breaking"]]
    by_lint = defaultdict(lambda: [0, 0])
    unmatched = []
    for f in semver:
        hit = any(matches(f, c) for c in breaking)
        by_lint[f[0]][0] += 1
        by_lint[f[0]][1] += hit
        if not hit:
            unmatched.append(f)
    print("| semver-checks lint | instances | also breaking in `diff` |")
    print("|---|---|---|")
    for lint, (n, hit) in sorted(by_lint.items()):
        print(f"| `{lint}` | {n} | {hit} |")
    by_kind = defaultdict(lambda: [0, 0])
    silent = []
    for c in breaking:
        hit = any(matches(f, c) for f in semver)
        by_kind[c["kind"]][0] += 1
        by_kind[c["kind"]][1] += hit
        if not hit:
            silent.append(c)
    print()
    print("| `diff` breaking kind | changes | also found by semver-checks | the lint that could |")
    print("|---|---|---|---|")
    for kind, (n, hit) in sorted(by_kind.items()):
        print(f"| `{kind}` | {n} | {hit} | {expected_lint({'kind': kind})} |")
    print("\nsemver-checks findings with no breaking diff change:")
    for f in unmatched:
        print("  ", f)
    print("\nbreaking diff changes semver-checks did not report, by kind:")
    counts = Counter(c["kind"] for c in silent)
    for c in silent:
        if expected_lint(c).startswith("none"):
            continue
        print("  ", c["kind"], "|", c["rust"], "|", c["detail"][:150])
    print("  (plus, with no lint for a changed type:",
          {k: v for k, v in counts.items() if expected_lint({'kind': k}).startswith('none')}, ")")


if __name__ == "__main__":
    main()
