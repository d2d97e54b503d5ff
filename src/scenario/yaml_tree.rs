//! The scenario file as one tree of YAML values, each with where it is
//! written, and a serde deserializer that reads the typed file model from
//! that tree.
//!
//! Why a tree: serde's derived code is generic over the deserializer, so
//! every type of the scenario format gets its own copy of whichever
//! deserializer reads it. serde-saphyr's is large (anchors, merge keys,
//! tags, budgets), and the browser player's module is downloaded by every
//! reader of the book; so there the YAML is read once into [`Node`]s
//! (serde-saphyr instantiated for that one type) and the scenario from the
//! nodes, through the small [`from_tree`]. The native program reads the file
//! with serde-saphyr directly, as before (its error messages are pinned).
//!
//! Spans ride along through serde-saphyr's own `Spanned` protocol, so every
//! `Spanned<T>` field gets the same line, column and byte span either way
//! (`tests::every_built_in_scenario_reads_the_same_from_the_tree` compares
//! the two readings of every built-in scenario).

use std::fmt;

use serde::de::value::{StrDeserializer, UnitDeserializer};
use serde::de::{
    self, Deserialize, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde_saphyr::{Location, Spanned};

/// A YAML value as serde-saphyr reads it when no type is asked for.
#[derive(Debug)]
pub enum Node {
    Text(String),
    Bool(bool),
    Unsigned(u64),
    /// serde-saphyr reads only negative whole numbers as signed.
    Signed(i64),
    Float(f64),
    /// `null`, `~` or nothing after a key's colon.
    Null,
    Map(Vec<(Spanned<Node>, Spanned<Node>)>),
    List(Vec<Spanned<Node>>),
}

impl Node {
    /// What a file that is only this value is, in a student's words.
    pub fn describe(&self) -> &'static str {
        match self {
            Node::Text(_) => "a piece of text",
            Node::Map(_) => "a map",
            Node::List(_) => "a list",
            Node::Bool(_) => "only true or false",
            Node::Unsigned(_) | Node::Signed(_) | Node::Float(_) => "only a number",
            Node::Null => "only `null`",
        }
    }

    fn unexpected(&self) -> Unexpected<'_> {
        match self {
            Node::Text(text) => Unexpected::Str(text),
            Node::Bool(b) => Unexpected::Bool(*b),
            Node::Unsigned(n) => Unexpected::Unsigned(*n),
            Node::Signed(n) => Unexpected::Signed(*n),
            Node::Float(x) => Unexpected::Float(*x),
            Node::Null => Unexpected::Unit,
            Node::Map(_) => Unexpected::Map,
            Node::List(_) => Unexpected::Seq,
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;

        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
                Ok(Node::Text(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Signed(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Unsigned(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Float(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                Node::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Node>>()? {
                    items.push(item);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<Node>>()? {
                    entries.push((key, map.next_value::<Spanned<Node>>()?));
                }
                Ok(Node::Map(entries))
            }
        }

        deserializer.deserialize_any(NodeVisitor)
    }
}

/// A problem reading the typed model from the tree, and where it is.
#[derive(Debug)]
pub struct TreeError {
    pub message: String,
    pub location: Option<Location>,
}

impl TreeError {
    /// The innermost node's location is the one kept.
    fn or_at(mut self, location: Location) -> Self {
        if self.location.is_none() && location != Location::UNKNOWN {
            self.location = Some(location);
        }
        self
    }
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TreeError {}

impl de::Error for TreeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        TreeError { message: msg.to_string(), location: None }
    }
}

/// Reads `T` from a tree read from `text` (the text gives plain scalars
/// their written form when `T` wants text where YAML saw a number).
pub fn from_tree<T: DeserializeOwned>(root: &Spanned<Node>, text: &str) -> Result<T, TreeError> {
    T::deserialize(NodeDeserializer { node: root, text })
}

/// serde-saphyr's `Spanned<T>` asks for this newtype, and reads the map
/// whose first key is the marker below (both are serde-saphyr's, 2.2).
const SPANNED_NEWTYPE: &str = "__yaml_spanned";
const SPANNED_MARKER: &str = "__serde_saphyr_private_spanned";

#[derive(Clone, Copy)]
struct NodeDeserializer<'a> {
    node: &'a Spanned<Node>,
    text: &'a str,
}

impl<'a> NodeDeserializer<'a> {
    fn located<T>(&self, result: Result<T, TreeError>) -> Result<T, TreeError> {
        result.map_err(|e| e.or_at(self.node.referenced))
    }

    fn invalid<T>(&self, expected: &dyn de::Expected) -> Result<T, TreeError> {
        self.located(Err(de::Error::invalid_type(self.node.value.unexpected(), expected)))
    }

    /// A plain scalar as written (`007`, `1.50`, `yes`), for text fields.
    fn written(&self) -> String {
        let span = self.node.defined.span();
        let written = match (span.byte_offset(), span.byte_len()) {
            (Some(start), Some(len)) => self.text.get(start as usize..(start + len) as usize),
            _ => None,
        };
        match (written, &self.node.value) {
            (Some(text), _) => text.to_string(),
            (None, Node::Bool(b)) => b.to_string(),
            (None, Node::Unsigned(n)) => n.to_string(),
            (None, Node::Signed(n)) => n.to_string(),
            (None, Node::Float(x)) => x.to_string(),
            (None, _) => String::new(),
        }
    }

    fn child(&self, node: &'a Spanned<Node>) -> NodeDeserializer<'a> {
        NodeDeserializer { node, text: self.text }
    }

    fn whole_number<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        let result = match &self.node.value {
            Node::Unsigned(n) => visitor.visit_u64(*n),
            Node::Signed(n) => visitor.visit_i64(*n),
            Node::Text(text) => match (text.trim().parse::<u64>(), text.trim().parse::<i64>()) {
                (Ok(n), _) => visitor.visit_u64(n),
                (_, Ok(n)) => visitor.visit_i64(n),
                _ => return self.invalid(&visitor),
            },
            _ => return self.invalid(&visitor),
        };
        self.located(result)
    }

    fn number<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        let result = match &self.node.value {
            Node::Float(x) => visitor.visit_f64(*x),
            Node::Unsigned(n) => visitor.visit_u64(*n),
            Node::Signed(n) => visitor.visit_i64(*n),
            Node::Text(text) => match text.trim().parse::<f64>() {
                Ok(x) => visitor.visit_f64(x),
                Err(_) => return self.invalid(&visitor),
            },
            _ => return self.invalid(&visitor),
        };
        self.located(result)
    }
}

macro_rules! whole_numbers {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
            self.whole_number(visitor)
        })*
    };
}

impl<'de, 'a> Deserializer<'de> for NodeDeserializer<'a> {
    type Error = TreeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        let result = match &self.node.value {
            Node::Text(text) => visitor.visit_str(text),
            Node::Bool(b) => visitor.visit_bool(*b),
            Node::Unsigned(n) => visitor.visit_u64(*n),
            Node::Signed(n) => visitor.visit_i64(*n),
            Node::Float(x) => visitor.visit_f64(*x),
            Node::Null => visitor.visit_unit(),
            Node::Map(entries) => visitor.visit_map(Entries { entries, next: 0, from: self }),
            Node::List(items) => visitor.visit_seq(Items { items, next: 0, from: self }),
        };
        self.located(result)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        let result = match &self.node.value {
            Node::Bool(b) => visitor.visit_bool(*b),
            Node::Text(text) if text == "true" || text == "false" => visitor.visit_bool(text == "true"),
            _ => return self.invalid(&visitor),
        };
        self.located(result)
    }

    whole_numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        self.number(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        self.number(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        let result = match &self.node.value {
            Node::Text(text) => visitor.visit_str(text),
            Node::Bool(_) | Node::Unsigned(_) | Node::Signed(_) | Node::Float(_) => {
                visitor.visit_string(self.written())
            }
            Node::Null => {
                return self
                    .located(Err(de::Error::custom("a value is missing here: the key has nothing after its colon")));
            }
            _ => return self.invalid(&visitor),
        };
        self.located(result)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        let result = match &self.node.value {
            Node::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        };
        self.located(result)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match &self.node.value {
            Node::Null => self.located(visitor.visit_unit()),
            _ => self.invalid(&visitor),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, TreeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        let result = if name == SPANNED_NEWTYPE {
            visitor.visit_newtype_struct(SpannedDeserializer { of: self })
        } else {
            visitor.visit_newtype_struct(self)
        };
        self.located(result)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match &self.node.value {
            Node::List(items) => self.located(visitor.visit_seq(Items { items, next: 0, from: self })),
            _ => self.invalid(&visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, TreeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        match &self.node.value {
            Node::Map(entries) => self.located(visitor.visit_map(Entries { entries, next: 0, from: self })),
            _ => self.invalid(&visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        let result = match &self.node.value {
            Node::Text(_) => visitor.visit_enum(Variant { name: self, value: None }),
            Node::Map(entries) if entries.len() == 1 => {
                let (name, value) = &entries[0];
                visitor.visit_enum(Variant { name: self.child(name), value: Some(self.child(value)) })
            }
            _ => return self.invalid(&visitor),
        };
        self.located(result)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        visitor.visit_unit()
    }
}

/// A map's entries, key then value.
struct Entries<'a> {
    entries: &'a [(Spanned<Node>, Spanned<Node>)],
    next: usize,
    from: NodeDeserializer<'a>,
}

impl<'de, 'a> MapAccess<'de> for Entries<'a> {
    type Error = TreeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, TreeError> {
        match self.entries.get(self.next) {
            Some((key, _)) => seed.deserialize(self.from.child(key)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TreeError> {
        let (_, value) = &self.entries[self.next];
        self.next += 1;
        seed.deserialize(self.from.child(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.next)
    }
}

/// A list's items.
struct Items<'a> {
    items: &'a [Spanned<Node>],
    next: usize,
    from: NodeDeserializer<'a>,
}

impl<'de, 'a> SeqAccess<'de> for Items<'a> {
    type Error = TreeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, TreeError> {
        let Some(item) = self.items.get(self.next) else { return Ok(None) };
        self.next += 1;
        seed.deserialize(self.from.child(item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

/// An enum written as its variant's name (`acks: all`) or as a map of one
/// entry from the name to the variant's content (`kill: 2`).
struct Variant<'a> {
    name: NodeDeserializer<'a>,
    value: Option<NodeDeserializer<'a>>,
}

impl<'de, 'a> EnumAccess<'de> for Variant<'a> {
    type Error = TreeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), TreeError> {
        let name = seed.deserialize(self.name)?;
        Ok((name, self))
    }
}

impl<'de, 'a> VariantAccess<'de> for Variant<'a> {
    type Error = TreeError;

    fn unit_variant(self) -> Result<(), TreeError> {
        match self.value {
            None => Ok(()),
            Some(value) => de::Deserialize::deserialize(value),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, TreeError> {
        match self.value {
            Some(value) => seed.deserialize(value),
            None => self.name.invalid(&"a map of one key to the variant's value"),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, TreeError> {
        match self.value {
            Some(value) => value.deserialize_seq(visitor),
            None => self.name.invalid(&visitor),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, TreeError> {
        match self.value {
            Some(value) => value.deserialize_map(visitor),
            None => self.name.invalid(&visitor),
        }
    }
}

/// What `Spanned<T>` reads: a map of the marker, the value and its two
/// locations (where it is referenced, and where defined when an alias).
struct SpannedDeserializer<'a> {
    of: NodeDeserializer<'a>,
}

impl<'de, 'a> Deserializer<'de> for SpannedDeserializer<'a> {
    type Error = TreeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, TreeError> {
        visitor.visit_map(SpannedFields { of: self.of, next: 0 })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct SpannedFields<'a> {
    of: NodeDeserializer<'a>,
    next: usize,
}

const SPANNED_FIELDS: [&str; 4] = [SPANNED_MARKER, "value", "referenced", "defined"];

impl<'de, 'a> MapAccess<'de> for SpannedFields<'a> {
    type Error = TreeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, TreeError> {
        match SPANNED_FIELDS.get(self.next) {
            Some(&field) => seed.deserialize(StrDeserializer::<TreeError>::new(field)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, TreeError> {
        let field = self.next;
        self.next += 1;
        match field {
            0 => seed.deserialize(UnitDeserializer::<TreeError>::new()),
            1 => seed.deserialize(self.of),
            2 => seed.deserialize(location_value(&self.of.node.referenced)).map_err(de::Error::custom),
            _ => seed.deserialize(location_value(&self.of.node.defined)).map_err(de::Error::custom),
        }
    }
}

/// A location as the map `Location`'s own `Deserialize` reads.
fn location_value(location: &Location) -> serde_json::Value {
    let span = location.span();
    // serde-saphyr's "no byte offsets" sentinel.
    let unknown = u64::from(u32::MAX);
    serde_json::json!({
        "line": location.line(),
        "column": location.column(),
        "span": {
            "offset": span.offset(),
            "len": span.len(),
            "byte_info": [span.byte_offset().unwrap_or(unknown), span.byte_len().unwrap_or(unknown)],
        },
        "source_id": location.source_id(),
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_saphyr::Spanned;

    use super::{Node, from_tree};
    use crate::scenario::builtin;
    use crate::scenario::file::ScenarioFile;

    fn tree(text: &str) -> Spanned<Node> {
        serde_saphyr::from_str::<Spanned<Node>>(text).expect("the text parses")
    }

    /// The typed file, spans included (Debug shows every `Spanned`'s
    /// locations), is the same whether serde-saphyr reads it or the tree.
    #[test]
    fn every_built_in_scenario_reads_the_same_from_the_tree() {
        let mut read = 0;
        for name in builtin::names() {
            let text = builtin::find(name).expect("a built-in scenario");
            let direct = serde_saphyr::from_str::<ScenarioFile>(text).expect("a built-in scenario parses");
            let from_tree = from_tree::<ScenarioFile>(&tree(text), text)
                .unwrap_or_else(|e| panic!("{name}: {e} at {:?}", e.location));
            assert_eq!(format!("{from_tree:#?}"), format!("{direct:#?}"), "{name}");
            read += 1;
        }
        assert!(read > 20, "only {read} built-in scenarios");
    }

    /// What serde-saphyr refuses in the broken corpus, the tree refuses too,
    /// at a place in the file.
    #[test]
    fn the_broken_corpus_is_refused_from_the_tree_too() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/broken");
        let mut refused = 0;
        for entry in std::fs::read_dir(dir).expect("tests/broken") {
            let path = entry.expect("an entry").path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            // Files that are not UTF-8 are refused before any parsing.
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let (Ok(root), Err(_)) =
                (serde_saphyr::from_str::<Spanned<Node>>(&text), serde_saphyr::from_str::<ScenarioFile>(&text))
            else {
                continue;
            };
            if !matches!(root.value, Node::Map(_)) {
                continue;
            }
            let err = from_tree::<ScenarioFile>(&root, &text).expect_err(&format!("{} is refused", path.display()));
            assert!(err.location.is_some(), "{}: {} has no location", path.display(), err.message);
            refused += 1;
        }
        assert!(refused > 10, "only {refused} broken scenarios refused by the parser");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        name: String,
        partitions: Option<u32>,
        note: Option<String>,
        acks: Spanned<Acks>,
        hosts: Vec<Spanned<u8>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Acks {
        All,
        One,
    }

    #[test]
    fn plain_scalars_keep_their_written_form_as_text_and_spans_their_place() {
        let text = "name: 007\npartitions: ~\nnote: 1.50\nacks: all\nhosts: [1, 2]\n";
        let sample: Sample = from_tree(&tree(text), text).expect("the sample reads");
        assert_eq!(sample.name, "007");
        assert_eq!(sample.partitions, None);
        assert_eq!(sample.note.as_deref(), Some("1.50"));
        assert_eq!(sample.acks.value, Acks::All);
        assert_eq!((sample.acks.referenced.line(), sample.acks.referenced.column()), (4, 7));
        assert_eq!(
            (sample.hosts[1].value, sample.hosts[1].referenced.line(), sample.hosts[1].referenced.column()),
            (2, 5, 12)
        );
    }

    #[test]
    fn a_wrong_value_is_reported_at_its_line_and_column() {
        let text = "name: demo\npartitions: many\nacks: all\nhosts: []\n";
        let err = from_tree::<Sample>(&tree(text), text).expect_err("many is not a number");
        let location = err.location.expect("a location");
        assert_eq!((location.line(), location.column()), (2, 13), "{}", err.message);
        assert!(err.message.contains("expected u32"), "{}", err.message);

        let text = "name: demo\nacks: most\nhosts: []\n";
        let err = from_tree::<Sample>(&tree(text), text).expect_err("most is no variant");
        assert_eq!(err.location.map(|l| l.line()), Some(2));
        assert!(err.message.contains("unknown variant `most`"), "{}", err.message);

        let text = "name: demo\nacks: one\nhosts: []\nbrokers: 3\n";
        let err = from_tree::<Sample>(&tree(text), text).expect_err("brokers is no field");
        assert_eq!(err.location.map(|l| l.line()), Some(4), "{}", err.message);
        assert!(err.message.contains("unknown field `brokers`"), "{}", err.message);
    }
}
