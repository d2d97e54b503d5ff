//! Can a reader schema read data written with a writer schema? The answer is
//! apache-avro's (`SchemaCompatibility::can_read`: only `Full` counts, as in
//! Java where a union branch or enum symbol the reader lacks makes the pair
//! incompatible); this module says why, field by field, in the words of
//! Avro's Java `SchemaCompatibility` that Confluent's registry reports:
//! `READER_FIELD_MISSING_DEFAULT_VALUE`, `TYPE_MISMATCH`, `NAME_MISMATCH`,
//! `MISSING_ENUM_SYMBOLS`, `MISSING_UNION_BRANCH`, `FIXED_SIZE_MISMATCH`, each
//! with its location (`/fields/2/type`).
//!
//! The walk follows the resolution rules of the Avro specification
//! ("Schema Resolution"): records match fields by name (or a reader field's
//! alias), a reader-only field needs a default, a writer-only field is
//! skipped; enums need every writer symbol (or a reader default); unions need
//! a reader branch for every writer branch; numbers promote int → long →
//! float → double, and string and bytes read each other. The tests check
//! that its verdict agrees with apache-avro's on the cases of Avro's own test
//! suite.

use apache_avro::Schema;
use apache_avro::schema_compatibility::{Compatibility, SchemaCompatibility};

use super::AvroSchema;
use super::encoding::{describe, type_label};
use super::json::{Names, inner_namespace};

/// Avro's Java names for why a reader cannot read a writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncompatibilityType {
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

impl IncompatibilityType {
    pub fn as_str(self) -> &'static str {
        match self {
            IncompatibilityType::NameMismatch => "NAME_MISMATCH",
            IncompatibilityType::FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
            IncompatibilityType::MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
            IncompatibilityType::ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
            IncompatibilityType::TypeMismatch => "TYPE_MISMATCH",
            IncompatibilityType::MissingUnionBranch => "MISSING_UNION_BRANCH",
        }
    }
}

/// One reason the reader cannot read the writer, as Java reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incompatibility {
    pub kind: IncompatibilityType,
    /// Java's `getMessage()`: `reader type: INT not compatible with writer
    /// type: STRING`, the missing field's name, `[C]`, `expected: 4, found: 8`.
    pub message: String,
    /// Where, as a JSON pointer into the reader schema: `/fields/1/type`.
    pub location: String,
}

/// How one reader field is filled, for the field-by-field explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldNote {
    /// Dotted field path: `address.zipcode`.
    pub field: String,
    pub ok: bool,
    pub text: String,
}

/// The answer and the reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// apache-avro's verdict: every value the writer can write resolves.
    pub compatible: bool,
    pub incompatibilities: Vec<Incompatibility>,
    pub fields: Vec<FieldNote>,
}

/// Whether `reader` can read everything written with `writer`, and why.
pub fn resolve(writer: &AvroSchema, reader: &AvroSchema) -> Resolution {
    let compatible = matches!(SchemaCompatibility::can_read(writer.schema(), reader.schema()), Ok(Compatibility::Full));
    let reader_names = Names::of(reader.schema());
    let writer_names = Names::of(writer.schema());
    let mut walk =
        Walk { reader_names: &reader_names, writer_names: &writer_names, in_progress: Vec::new(), fields: Vec::new() };
    let mut incompatibilities = walk.calc(reader.schema(), None, writer.schema(), None, &mut Vec::new(), "");
    if compatible {
        // apache-avro decides: a reason it does not share is not one.
        incompatibilities.clear();
    } else if incompatibilities.is_empty() {
        incompatibilities.push(Incompatibility {
            kind: IncompatibilityType::TypeMismatch,
            message: "some values written with the writer schema cannot be read with the reader schema".to_string(),
            location: "/".to_string(),
        });
    }
    Resolution { compatible, incompatibilities, fields: walk.fields }
}

/// `/fields/1/type`, or `/` for the top.
fn pointer(location: &[String]) -> String {
    format!("/{}", location.join("/"))
}

fn upper(schema: &Schema) -> String {
    type_label(schema).to_uppercase()
}

struct Walk<'n, 'r, 'w> {
    reader_names: &'n Names<'r>,
    writer_names: &'n Names<'w>,
    /// Pairs of named types being compared: a recursive type compares as
    /// compatible on re-entry (as Java's memo does).
    in_progress: Vec<(String, String)>,
    fields: Vec<FieldNote>,
}

impl Walk<'_, '_, '_> {
    fn incompatible(kind: IncompatibilityType, message: String, location: &[String]) -> Vec<Incompatibility> {
        vec![Incompatibility { kind, message, location: pointer(location) }]
    }

    fn calc(
        &mut self,
        reader: &Schema,
        rns: Option<&str>,
        writer: &Schema,
        wns: Option<&str>,
        location: &mut Vec<String>,
        field_path: &str,
    ) -> Vec<Incompatibility> {
        let (Some(reader), Some(writer)) =
            (self.reader_names.resolve(reader, rns), self.writer_names.resolve(writer, wns))
        else {
            return Vec::new();
        };
        let (rns, wns) = (inner_namespace(reader, rns), inner_namespace(writer, wns));
        let key = (reader.name().map(|n| n.fullname(rns)), writer.name().map(|n| n.fullname(wns)));
        if let (Some(r), Some(w)) = &key {
            if self.in_progress.contains(&(r.clone(), w.clone())) {
                return Vec::new();
            }
            self.in_progress.push((r.clone(), w.clone()));
        }
        let out = self.calc_resolved(reader, rns, writer, wns, location, field_path);
        if key.0.is_some() && key.1.is_some() {
            self.in_progress.pop();
        }
        out
    }

    fn calc_resolved(
        &mut self,
        reader: &Schema,
        rns: Option<&str>,
        writer: &Schema,
        wns: Option<&str>,
        location: &mut Vec<String>,
        field_path: &str,
    ) -> Vec<Incompatibility> {
        use IncompatibilityType::*;
        let (rt, wt) = (type_label(reader), type_label(writer));
        if rt == wt {
            return match (reader, writer) {
                (Schema::Array(r), Schema::Array(w)) => {
                    self.nested(&r.items, rns, &w.items, wns, location, "items", field_path)
                }
                (Schema::Map(r), Schema::Map(w)) => {
                    self.nested(&r.types, rns, &w.types, wns, location, "values", field_path)
                }
                (Schema::Union(r), Schema::Union(w)) => {
                    let mut out = Vec::new();
                    for (i, wb) in w.variants().iter().enumerate() {
                        location.push(i.to_string());
                        let readable = r.variants().iter().any(|rb| {
                            self.quietly(|s| s.calc(rb, rns, wb, wns, &mut Vec::new(), field_path).is_empty())
                        });
                        if !readable {
                            let message = format!("reader union lacking writer type: {}", upper(wb));
                            out.extend(Self::incompatible(MissingUnionBranch, message, location));
                        }
                        location.pop();
                    }
                    out
                }
                (Schema::Record(r), Schema::Record(w)) => {
                    let mut out = Self::names(reader, writer, wns, location);
                    out.extend(self.record_fields(r, rns, w, wns, location, field_path));
                    out
                }
                (Schema::Enum(r), Schema::Enum(w)) => {
                    let mut out = Self::names(reader, writer, wns, location);
                    let mut missing: Vec<&String> = w.symbols.iter().filter(|s| !r.symbols.contains(s)).collect();
                    missing.sort();
                    let has_default = r.default.as_ref().is_some_and(|d| r.symbols.contains(d));
                    if !missing.is_empty() && !has_default {
                        location.push("symbols".into());
                        let list = missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
                        out.extend(Self::incompatible(MissingEnumSymbols, format!("[{list}]"), location));
                        location.pop();
                    }
                    out
                }
                _ if rt == "fixed" => {
                    let mut out = Self::names(reader, writer, wns, location);
                    let (rs, ws) = (fixed_size(reader), fixed_size(writer));
                    if rs != ws {
                        location.push("size".into());
                        out.extend(Self::incompatible(
                            FixedSizeMismatch,
                            format!("expected: {ws}, found: {rs}"),
                            location,
                        ));
                        location.pop();
                    }
                    out
                }
                _ => Vec::new(),
            };
        }
        if let Schema::Union(w) = writer {
            // A reader must read every branch the writer may have written.
            let mut out = Vec::new();
            for wb in w.variants() {
                out.extend(self.calc(reader, rns, wb, wns, location, field_path));
            }
            return out;
        }
        let promotes = matches!(
            (rt, wt),
            ("long", "int")
                | ("float", "int" | "long")
                | ("double", "int" | "long" | "float")
                | ("bytes", "string")
                | ("string", "bytes")
        );
        if promotes {
            return Vec::new();
        }
        if let Schema::Union(r) = reader {
            let readable = r
                .variants()
                .iter()
                .any(|rb| self.quietly(|s| s.calc(rb, rns, writer, wns, &mut Vec::new(), field_path).is_empty()));
            return if readable {
                Vec::new()
            } else {
                Self::incompatible(
                    MissingUnionBranch,
                    format!("reader union lacking writer type: {}", upper(writer)),
                    location,
                )
            };
        }
        let message = format!("reader type: {} not compatible with writer type: {}", upper(reader), upper(writer));
        Self::incompatible(TypeMismatch, message, location)
    }

    /// Runs a trial comparison without keeping its field notes.
    fn quietly<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let kept = self.fields.len();
        let out = f(self);
        self.fields.truncate(kept);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn nested(
        &mut self,
        reader: &Schema,
        rns: Option<&str>,
        writer: &Schema,
        wns: Option<&str>,
        location: &mut Vec<String>,
        step: &str,
        field_path: &str,
    ) -> Vec<Incompatibility> {
        location.push(step.into());
        let out = self.calc(reader, rns, writer, wns, location, field_path);
        location.pop();
        out
    }

    fn names(reader: &Schema, writer: &Schema, wns: Option<&str>, location: &mut Vec<String>) -> Vec<Incompatibility> {
        let (Some(r), Some(w)) = (reader.name(), writer.name()) else { return Vec::new() };
        if r.name() == w.name() {
            return Vec::new();
        }
        location.push("name".into());
        let out =
            Self::incompatible(IncompatibilityType::NameMismatch, format!("expected: {}", w.fullname(wns)), location);
        location.pop();
        out
    }

    fn record_fields(
        &mut self,
        reader: &apache_avro::schema::RecordSchema,
        rns: Option<&str>,
        writer: &apache_avro::schema::RecordSchema,
        wns: Option<&str>,
        location: &mut Vec<String>,
        field_path: &str,
    ) -> Vec<Incompatibility> {
        let mut out = Vec::new();
        location.push("fields".into());
        for (pos, rf) in reader.fields.iter().enumerate() {
            location.push(pos.to_string());
            let path = if field_path.is_empty() { rf.name.clone() } else { format!("{field_path}.{}", rf.name) };
            let found = std::iter::once(&rf.name)
                .chain(rf.aliases.iter())
                .find_map(|name| writer.fields.iter().find(|wf| &wf.name == name));
            match found {
                None => match &rf.default {
                    Some(default) => self.fields.push(FieldNote {
                        field: path,
                        ok: true,
                        text: format!("not in the writer's schema: the reader fills in its default {default}"),
                    }),
                    None => {
                        self.fields.push(FieldNote {
                            field: path,
                            ok: false,
                            text: "not in the writer's schema, and no default to fill in".to_string(),
                        });
                        out.extend(Self::incompatible(
                            IncompatibilityType::ReaderFieldMissingDefaultValue,
                            rf.name.clone(),
                            location,
                        ));
                    }
                },
                Some(wf) => {
                    let note_at = self.fields.len();
                    location.push("type".into());
                    let problems = self.calc(&rf.schema, rns, &wf.schema, wns, location, &path);
                    location.pop();
                    let (r, w) = (describe(&rf.schema), describe(&wf.schema));
                    let through = if wf.name == rf.name {
                        String::new()
                    } else {
                        format!(" (the writer's `{}`, through an alias)", wf.name)
                    };
                    let text = match (problems.first(), r == w) {
                        (Some(p), _) => format!("{r} cannot read the writer's {w}{through}: {}", p.message),
                        (None, true) => format!("{r}, read as written{through}"),
                        (None, false) => format!("{r} reads the writer's {w}{through}"),
                    };
                    self.fields.insert(note_at, FieldNote { field: path, ok: problems.is_empty(), text });
                    out.extend(problems);
                }
            }
            location.pop();
        }
        location.pop();
        for wf in &writer.fields {
            let read = reader.fields.iter().any(|rf| rf.name == wf.name || rf.aliases.contains(&wf.name));
            if !read {
                let path = if field_path.is_empty() { wf.name.clone() } else { format!("{field_path}.{}", wf.name) };
                self.fields.push(FieldNote {
                    field: path,
                    ok: true,
                    text: "only in the writer's schema: the reader skips its bytes".to_string(),
                });
            }
        }
        out
    }
}

fn fixed_size(schema: &Schema) -> usize {
    match schema {
        Schema::Fixed(f) | Schema::Duration(f) | Schema::Uuid(apache_avro::schema::UuidSchema::Fixed(f)) => f.size,
        Schema::Decimal(d) => match &d.inner {
            apache_avro::schema::InnerDecimalSchema::Fixed(f) => f.size,
            apache_avro::schema::InnerDecimalSchema::Bytes => 0,
        },
        _ => 0,
    }
}

#[cfg(test)]
mod tests;
