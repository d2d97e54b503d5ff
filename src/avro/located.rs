//! JSON text with the byte position of every value, so a schema error can
//! point at the line and column it comes from.
//!
//! serde_json checks the syntax first; this reader only runs on text that
//! parsed, and records where each value, key and element starts.

/// A JSON value and where it is in the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Byte offset of the value's first character.
    pub start: usize,
    /// Byte offset just after its last character.
    pub end: usize,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// Members with the byte offset of each key.
    Object(Vec<Member>),
    Array(Vec<Node>),
    String(String),
    /// A number, `true`, `false` or `null`.
    Scalar,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_start: usize,
    pub value: Node,
}

/// Most nesting followed, so a hostile file cannot overflow the stack
/// (serde_json stops at 128 too).
const MAX_DEPTH: usize = 128;

/// Reads JSON that serde_json accepted; `None` when it is not such text.
pub fn parse(text: &str) -> Option<Node> {
    let mut reader = Reader { text, at: 0 };
    let node = reader.value(0)?;
    reader.skip_whitespace();
    (reader.at == text.len()).then_some(node)
}

impl Node {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.members().iter().find(|m| m.key == key).map(|m| &m.value)
    }

    pub fn members(&self) -> &[Member] {
        match &self.kind {
            Kind::Object(members) => members,
            _ => &[],
        }
    }

    pub fn elements(&self) -> &[Node] {
        match &self.kind {
            Kind::Array(items) => items,
            _ => &[],
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// Every node, this one first, depth first in document order.
    pub fn descendants(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            out.push(node);
            match &node.kind {
                Kind::Object(members) => stack.extend(members.iter().rev().map(|m| &m.value)),
                Kind::Array(items) => stack.extend(items.iter().rev()),
                _ => {}
            }
        }
        out
    }
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_whitespace();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_whitespace();
        let start = self.at;
        let kind = match self.peek()? {
            b'{' => self.object(depth)?,
            b'[' => self.array(depth)?,
            b'"' => Kind::String(self.string()?),
            _ => {
                while self.peek().is_some_and(|b| !matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r')) {
                    self.at += 1;
                }
                if self.at == start {
                    return None;
                }
                Kind::Scalar
            }
        };
        Some(Node { start, end: self.at, kind })
    }

    fn object(&mut self, depth: usize) -> Option<Kind> {
        self.at += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Some(Kind::Object(members));
        }
        loop {
            self.skip_whitespace();
            let key_start = self.at;
            let key = self.string()?;
            self.expect(b':')?;
            let value = self.value(depth + 1)?;
            members.push(Member { key, key_start, value });
            self.skip_whitespace();
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(Kind::Object(members));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<Kind> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Some(Kind::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(Kind::Array(items));
                }
                _ => return None,
            }
        }
    }

    /// A string token, unescaped by serde_json.
    fn string(&mut self) -> Option<String> {
        let start = self.at;
        if self.peek()? != b'"' {
            return None;
        }
        self.at += 1;
        loop {
            match self.peek()? {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    break;
                }
                _ => self.at += 1,
            }
        }
        serde_json::from_str(self.text.get(start..self.at)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_knows_where_it_starts() {
        let text = "{\n  \"type\": \"record\",\n  \"fields\": [ {\"name\": \"a\\\"b\", \"type\": 1} ]\n}";
        let root = parse(text).expect("valid JSON");
        assert_eq!((root.start, root.end), (0, text.len()));
        let fields = root.get("fields").expect("fields");
        let field = &fields.elements()[0];
        assert_eq!(field.get("name").and_then(Node::as_str), Some("a\"b"));
        let ty = field.get("type").expect("type");
        assert_eq!(&text[ty.start..ty.end], "1");
        let member = &root.members()[1];
        assert_eq!(&text[member.key_start..member.key_start + 8], "\"fields\"");
        assert_eq!(root.descendants().len(), 6, "root, \"record\", fields, field, name, type");
    }

    #[test]
    fn text_that_is_not_json_gives_nothing() {
        assert_eq!(parse("{\"a\": }"), None);
        assert_eq!(parse("[1, 2"), None);
        assert_eq!(parse("\"x\" y"), None);
    }
}
