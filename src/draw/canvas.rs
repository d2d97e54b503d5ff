//! The drawing surface every picture shares: an SVG document with a title
//! and description (what a screen reader says), one stylesheet, and fills
//! that pair each colour with a texture, so a picture printed in black and
//! white or seen without colour still tells its parts apart. Every bar also
//! carries a text label; colour is never the only cue.
//!
//! Coordinates are rounded to a tenth of a pixel before they are written,
//! so a picture is a pure function of what it shows: the same run gives the
//! same bytes.

use svg::Document;
use svg::node::element::{Definitions, Description, Group, Line, Path, Pattern, Rectangle, Style, Text, Title};

/// Colours of the fills, in order; each has its own texture in [`TEXTURES`].
const COLOURS: [&str; 8] = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"];

/// Textures laid over the colours: solid, diagonal, dots, crosshatch,
/// horizontal, vertical, back-diagonal, grid. Paths in a 8×8 tile.
const TEXTURES: [&str; 8] = [
    "",
    "M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6",
    "M3,3 h2 v2 h-2 z",
    "M0,8 L8,0 M0,0 L8,8",
    "M0,4 H8",
    "M4,0 V8",
    "M0,0 L8,8 M-2,6 L2,10 M6,-2 L10,2",
    "M0,4 H8 M4,0 V8",
];

/// How many distinct fills there are before they repeat.
pub const FILLS: usize = COLOURS.len();

/// Fonts and strokes for every picture; text is real text, in a font every
/// system has.
const STYLE: &str = "text { font-family: 'DejaVu Sans', Verdana, sans-serif; font-size: 12px; fill: #222; } \
.title { font-size: 16px; font-weight: bold; } .small { font-size: 10px; } .label { font-size: 11px; } \
.axis { stroke: #888; stroke-width: 1; } .mark { stroke: #c00; stroke-width: 1.5; stroke-dasharray: 4 3; } \
.mark-text { fill: #a00; font-size: 11px; } .outline { fill: none; stroke: #444; stroke-width: 1; } \
.waiting { fill: #fff; stroke: #444; stroke-width: 1; stroke-dasharray: 3 2; }";

/// Rounds a coordinate to a tenth of a pixel.
pub fn px(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// A new picture of `width` × `height` pixels with its title (shown on top
/// and given to screen readers) and a longer description.
pub fn document(width: f64, height: f64, title: &str, description: &str) -> Document {
    Document::new()
        .set("width", px(width))
        .set("height", px(height))
        .set("viewBox", (0, 0, px(width), px(height)))
        .set("role", "img")
        .add(Title::new(title))
        .add(Description::new().add(svg::node::Text::new(description)))
        .add(Style::new(STYLE))
        .add(definitions())
        .add(Rectangle::new().set("width", "100%").set("height", "100%").set("fill", "#ffffff"))
        .add(text(12.0, 24.0, title).set("class", "title"))
}

/// The fills, the hatch for what is gone, and the arrow head.
fn definitions() -> Definitions {
    let mut defs = Definitions::new();
    for (i, (colour, texture)) in COLOURS.iter().zip(TEXTURES).enumerate() {
        let mut pattern = Pattern::new()
            .set("id", format!("fill-{i}"))
            .set("width", 8)
            .set("height", 8)
            .set("patternUnits", "userSpaceOnUse")
            .add(Rectangle::new().set("width", 8).set("height", 8).set("fill", *colour));
        if !texture.is_empty() {
            pattern = pattern.add(Path::new().set("d", texture).set("stroke", "#ffffff").set("stroke-width", 1.4));
        }
        defs = defs.add(pattern);
    }
    defs.add(
        Pattern::new()
            .set("id", "gone")
            .set("width", 6)
            .set("height", 6)
            .set("patternUnits", "userSpaceOnUse")
            .add(Rectangle::new().set("width", 6).set("height", 6).set("fill", "#eeeeee"))
            .add(Path::new().set("d", "M0,6 L6,0").set("stroke", "#999999").set("stroke-width", 1)),
    )
    .add(
        svg::node::element::Marker::new()
            .set("id", "arrow")
            .set("viewBox", "0 0 10 10")
            .set("refX", 10)
            .set("refY", 5)
            .set("markerWidth", 7)
            .set("markerHeight", 7)
            .set("orient", "auto")
            .add(Path::new().set("d", "M0,0 L10,5 L0,10 z").set("fill", "#555555")),
    )
}

/// The `i`-th fill (colour and texture), cycling.
pub fn fill(i: usize) -> String {
    format!("url(#fill-{})", i % FILLS)
}

/// The fill of what no longer exists (deleted, compacted, offline).
pub const GONE: &str = "url(#gone)";

/// Text at (x, y), baseline at y.
pub fn text(x: f64, y: f64, content: &str) -> Text {
    Text::new(content).set("x", px(x)).set("y", px(y))
}

/// A rectangle at (x, y) of the given size with a fill.
pub fn rect(x: f64, y: f64, width: f64, height: f64, fill: &str) -> Rectangle {
    Rectangle::new()
        .set("x", px(x))
        .set("y", px(y))
        .set("width", px(width.max(0.0)))
        .set("height", px(height.max(0.0)))
        .set("fill", fill)
        .set("stroke", "#333333")
        .set("stroke-width", 0.6)
}

/// A straight line with a CSS class.
pub fn line(x1: f64, y1: f64, x2: f64, y2: f64, class: &str) -> Line {
    Line::new().set("x1", px(x1)).set("y1", px(y1)).set("x2", px(x2)).set("y2", px(y2)).set("class", class)
}

/// A label on a bar: white text with a dark halo would need filters, so
/// labels sit on a small white box that keeps them readable on any fill.
pub fn tag(x: f64, y: f64, content: &str) -> Group {
    let width = text_width(content, 11.0) + 6.0;
    Group::new()
        .add(
            Rectangle::new()
                .set("x", px(x))
                .set("y", px(y - 11.0))
                .set("width", px(width))
                .set("height", 14)
                .set("rx", 2)
                .set("fill", "#ffffff")
                .set("fill-opacity", 0.85),
        )
        .add(text(x + 3.0, y, content).set("class", "label"))
}

/// About how wide `content` is at `size` pixels (for layout only).
pub fn text_width(content: &str, size: f64) -> f64 {
    content.chars().count() as f64 * size * 0.6
}

/// A legend entry: a swatch with its fill and a word.
pub fn legend(x: f64, y: f64, fill: &str, label: &str) -> (Group, f64) {
    let group =
        Group::new().add(rect(x, y - 10.0, 14.0, 12.0, fill)).add(text(x + 18.0, y, label).set("class", "label"));
    (group, 18.0 + text_width(label, 11.0) + 14.0)
}

/// Writes a document as text ending in a newline.
pub fn finish(document: Document) -> String {
    let mut out = document.to_string();
    out.push('\n');
    out
}

/// For labels starting at the given x positions with the given widths (in
/// that order), the row each goes in: the first row where it does not run
/// into the label before it.
pub fn label_rows(labels: &[(f64, f64)]) -> Vec<usize> {
    let mut row_ends: Vec<f64> = Vec::new();
    labels
        .iter()
        .map(|&(x, width)| {
            let row = row_ends.iter().position(|&end| end < x).unwrap_or(row_ends.len());
            if row == row_ends.len() {
                row_ends.push(f64::MIN);
            }
            row_ends[row] = x + width;
            row
        })
        .collect()
}
