#!/usr/bin/env python3
"""Validate JSON documents against the schemas in docs/json-schema/ (standard library only).

    jsonschema_check.py SCHEMA.json [DOCUMENT|-] [--label NAME] [--exact-output]
    jsonschema_check.py --check-schema SCHEMA.json...

Exit status: 0 the document is valid; 1 it is not (every violation is printed as
"LABEL: /json/pointer: what is wrong"); 2 usage error, unreadable file, or a schema that uses
something this validator does not implement.

The document is parsed strictly: duplicate object keys, NaN/Infinity and trailing garbage are
errors. With --exact-output the document must also be exactly one JSON object followed by one
newline (what every `ikegate ... --json` prints).

Supported (a subset of JSON Schema draft 2020-12): type (string or list; "integer" excludes
booleans and non-integral numbers), properties, required, additionalProperties (boolean or
schema), items, prefixItems, minItems, maxItems, enum, const, minimum, maximum, minLength,
pattern (re.search, as the spec says), anyOf, oneOf, if/then/else, $ref to "#/$defs/NAME", and
$defs. Annotations ($schema, $id, title, description, examples, $comment) are ignored. Any other
keyword is a schema error (exit 2): a schema must not silently check less than it says.
"""
import json
import re
import sys

ANNOTATIONS = {"$schema", "$id", "title", "description", "examples", "$comment", "$defs"}
KEYWORDS = {
    "type", "properties", "required", "additionalProperties", "items", "prefixItems",
    "minItems", "maxItems", "enum", "const", "minimum", "maximum", "minLength", "pattern",
    "anyOf", "oneOf", "if", "then", "else", "$ref",
} | ANNOTATIONS
TYPES = {"object", "array", "string", "integer", "number", "boolean", "null"}


class SchemaError(Exception):
    pass


def type_ok(value, name):
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    raise SchemaError("unknown type %r" % name)


def type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def same(a, b):
    """JSON equality (1 != true)."""
    if type_name(a) != type_name(b) and not (type_name(a) in ("integer", "number") and
                                             type_name(b) in ("integer", "number")):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def pointer_escape(key):
    return str(key).replace("~", "~0").replace("/", "~1")


class Validator:
    def __init__(self, root):
        self.root = root
        self.check_schema(root, "#")

    # ---- the schema itself ----
    def check_schema(self, s, where):
        if isinstance(s, bool):
            return
        if not isinstance(s, dict):
            raise SchemaError("%s: a schema must be an object or a boolean" % where)
        for k in s:
            if k not in KEYWORDS:
                raise SchemaError("%s: keyword %r is not supported by this validator" % (where, k))
        t = s.get("type")
        if t is not None:
            for n in (t if isinstance(t, list) else [t]):
                if n not in TYPES:
                    raise SchemaError("%s: unknown type %r" % (where, n))
        for k in ("properties", "$defs"):
            for name, sub in s.get(k, {}).items():
                self.check_schema(sub, "%s/%s/%s" % (where, k, name))
        for k in ("additionalProperties", "items", "if", "then", "else"):
            if k in s:
                self.check_schema(s[k], "%s/%s" % (where, k))
        for k in ("prefixItems", "anyOf", "oneOf"):
            for i, sub in enumerate(s.get(k, [])):
                self.check_schema(sub, "%s/%s/%d" % (where, k, i))
        if "required" in s and not all(isinstance(x, str) for x in s["required"]):
            raise SchemaError("%s: required must list strings" % where)
        if "pattern" in s:
            re.compile(s["pattern"])
        if "$ref" in s:
            self.resolve(s["$ref"], where)

    def resolve(self, ref, where="#"):
        if not ref.startswith("#/$defs/"):
            raise SchemaError("%s: only local $ref '#/$defs/NAME' is supported, not %r" % (where, ref))
        name = ref[len("#/$defs/"):]
        try:
            return self.root["$defs"][name]
        except (KeyError, TypeError):
            raise SchemaError("%s: $ref %r: no such definition" % (where, ref))

    # ---- a document ----
    def errors(self, value, schema=None, path=""):
        """All violations as (json-pointer, message)."""
        s = self.root if schema is None else schema
        if s is True:
            return []
        if s is False:
            return [(path or "/", "no value is allowed here")]
        out = []
        if "$ref" in s:
            out += self.errors(value, self.resolve(s["$ref"]), path)
        t = s.get("type")
        if t is not None:
            names = t if isinstance(t, list) else [t]
            if not any(type_ok(value, n) for n in names):
                return out + [(path or "/", "is %s %s, expected %s" % (
                    type_name(value), json.dumps(value)[:60], " or ".join(names)))]
        if "enum" in s and not any(same(value, e) for e in s["enum"]):
            out.append((path or "/", "%s is not one of %s" % (json.dumps(value)[:60], json.dumps(s["enum"]))))
        if "const" in s and not same(value, s["const"]):
            out.append((path or "/", "%s is not %s" % (json.dumps(value)[:60], json.dumps(s["const"]))))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in s and value < s["minimum"]:
                out.append((path or "/", "%s is less than the minimum %s" % (value, s["minimum"])))
            if "maximum" in s and value > s["maximum"]:
                out.append((path or "/", "%s is more than the maximum %s" % (value, s["maximum"])))
        if isinstance(value, str):
            if "minLength" in s and len(value) < s["minLength"]:
                out.append((path or "/", "%r is shorter than %d" % (value[:60], s["minLength"])))
            if "pattern" in s and not re.search(s["pattern"], value):
                out.append((path or "/", "%r does not match /%s/" % (value[:60], s["pattern"])))
        if isinstance(value, dict):
            props = s.get("properties", {})
            for k in s.get("required", []):
                if k not in value:
                    out.append((path or "/", "required field %r is missing" % k))
            for k, v in value.items():
                sub = path + "/" + pointer_escape(k)
                if k in props:
                    out += self.errors(v, props[k], sub)
                elif "additionalProperties" in s:
                    ap = s["additionalProperties"]
                    if ap is False:
                        out.append((sub, "field %r is not in the schema (undocumented)" % k))
                    else:
                        out += self.errors(v, ap, sub)
        if isinstance(value, list):
            if "minItems" in s and len(value) < s["minItems"]:
                out.append((path or "/", "has %d items, at least %d expected" % (len(value), s["minItems"])))
            if "maxItems" in s and len(value) > s["maxItems"]:
                out.append((path or "/", "has %d items, at most %d expected" % (len(value), s["maxItems"])))
            prefix = s.get("prefixItems", [])
            for i, v in enumerate(value):
                sub = "%s/%d" % (path, i)
                if i < len(prefix):
                    out += self.errors(v, prefix[i], sub)
                elif "items" in s:
                    out += self.errors(v, s["items"], sub)
        if "anyOf" in s:
            if not any(not self.errors(value, sub, path) for sub in s["anyOf"]):
                out.append((path or "/", "matches none of the anyOf alternatives"))
        if "oneOf" in s:
            n = sum(1 for sub in s["oneOf"] if not self.errors(value, sub, path))
            if n != 1:
                out.append((path or "/", "matches %d of the oneOf alternatives, expected exactly 1" % n))
        if "if" in s:
            if not self.errors(value, s["if"], path):
                if "then" in s:
                    out += self.errors(value, s["then"], path)
            elif "else" in s:
                out += self.errors(value, s["else"], path)
        return out


def strict_loads(text):
    def no_dupes(pairs):
        d = {}
        for k, v in pairs:
            if k in d:
                raise ValueError("duplicate key %r" % k)
            d[k] = v
        return d

    def no_constant(name):
        raise ValueError("%s is not JSON" % name)

    return json.loads(text, object_pairs_hook=no_dupes, parse_constant=no_constant)


def load_schema(path):
    try:
        with open(path, encoding="utf-8") as f:
            schema = strict_loads(f.read())
        return Validator(schema)
    except (OSError, ValueError) as e:
        raise SchemaError("%s: %s" % (path, e))


def main(argv):
    args = list(argv[1:])
    if args and args[0] == "--check-schema":
        if len(args) < 2:
            print(__doc__, file=sys.stderr)
            return 2
        for p in args[1:]:
            try:
                load_schema(p)
            except SchemaError as e:
                print("schema error: %s" % e, file=sys.stderr)
                return 2
        return 0
    label, exact = None, False
    pos = []
    i = 0
    while i < len(args):
        if args[i] == "--label" and i + 1 < len(args):
            label = args[i + 1]
            i += 2
            continue
        if args[i] == "--exact-output":
            exact = True
        else:
            pos.append(args[i])
        i += 1
    if len(pos) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        v = load_schema(pos[0])
    except SchemaError as e:
        print("schema error: %s" % e, file=sys.stderr)
        return 2
    src = pos[1] if len(pos) == 2 else "-"
    label = label or (src if src != "-" else "stdin")
    try:
        if src == "-":
            text = sys.stdin.read()
        else:
            with open(src, encoding="utf-8") as f:
                text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        print("%s: cannot read: %s" % (label, e), file=sys.stderr)
        return 2
    if exact:
        if not text.endswith("}\n") or text.endswith("\n\n") or not text.startswith("{"):
            print("%s: not exactly one JSON object followed by one newline" % label)
            return 1
    try:
        doc = strict_loads(text)
    except ValueError as e:
        print("%s: does not parse as JSON: %s" % (label, e))
        return 1
    errs = v.errors(doc)
    for where, what in errs:
        print("%s: %s: %s" % (label, where, what))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
