//! Placeholder reader: the whole source as one verbatim paragraph.

use super::{Block, BlockKind, Document, OffsetMap};

pub fn parse(source: &str) -> Document {
    let mut map = OffsetMap::new();
    map.push(0, source.len(), 0..source.len());
    Document {
        text: source.to_string(),
        map,
        blocks: vec![Block {
            kind: BlockKind::Paragraph,
            range: 0..source.len(),
            headings: vec![],
            list: None,
        }],
    }
}
