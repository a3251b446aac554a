#!/usr/bin/env python3
"""Prints a read model (Queryable + Selectable struct) for one `cloud` table from the schema
facts (../shared/cloudstack-schema/full/schema.json): one field per column, in column order,
typed from the column's SQL type, with the column's comment as its doc.

    python3 scripts/generate-model.py TABLE STRUCT [COLUMN=RUST_TYPE[@WRAPPER] ...]

An override gives a column a Rust type of its own (a typed id, an enum), optionally read
through a wrapper (`available=bool@IntBool`). The output is a starting point that is then kept
by hand, like src/schema's files are not: review it before committing.
"""
import json
import os
import re
import sys

FACTS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "cloudstack-schema", "full", "schema.json")


def rust_type(col):
    t = col["type"]
    unsigned = "unsigned" in t
    if t.startswith("bigint"):
        return "u64" if unsigned else "i64"
    if t.startswith("int") or t.startswith("mediumint"):
        return "u32" if unsigned else "i32"
    if t.startswith("smallint"):
        return "u16" if unsigned else "i16"
    if t.startswith("tinyint(1)") and not unsigned:
        return "bool"
    if t.startswith("tinyint"):
        return "u8" if unsigned else "i8"
    if t.startswith(("varchar", "char", "text", "mediumtext", "longtext")):
        return "String"
    if t.startswith("datetime"):
        return "DateTime<Utc>"
    if t.startswith("double") or t.startswith("float"):
        return "f64"
    raise SystemExit(f"no Rust type for {col['name']} {t}")


def field_name(column):
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", column).lower()
    return "type_" if snake == "type" else snake


def main():
    table, struct = sys.argv[1], sys.argv[2]
    overrides = dict(a.split("=", 1) for a in sys.argv[3:])
    facts = json.load(open(FACTS))
    cols = facts["databases"]["cloud"]["tables"][table]["columns"]
    out = [f"/// A row of `cloud`.`{table}`.", "#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]",
           f"#[diesel(table_name = {table}, check_for_backend(diesel::mysql::Mysql))]", f"pub struct {struct} {{"]
    for c in cols:
        name = c["name"]
        ty, wrapper = rust_type(c), None
        if name == "uuid":
            ty, wrapper = "Uuid", "UuidText"
        if ty == "DateTime<Utc>":
            wrapper = "UtcDateTime"
        if name in overrides:
            ty, _, w = overrides[name].partition("@")
            wrapper = w or None
        null = c["nullable"]
        default = "" if c.get("default") in (None, "NULL") else f", default {c['default']}"
        comment = (c.get("comment") or "").strip().rstrip(".")
        doc = (comment + ". " if comment else "") + f"`{name}` {c['type']}" + (", nullable" if null else "") + default + "."
        out.append(f"    /// {doc[0].upper() + doc[1:]}")
        fname = field_name(name)
        if fname == "type_":
            out.append("    #[diesel(column_name = type_)]")
            fname = table.rstrip("s") + "_type"
        elif fname != name:
            out.append(f"    #[diesel(column_name = {name})]")
        if wrapper:
            out.append(f"    #[diesel(deserialize_as = {'OptionOf<' + wrapper + '>' if null else wrapper})]")
        out.append(f"    pub {fname}: {'Option<' + ty + '>' if null else ty},")
    out.append("}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
