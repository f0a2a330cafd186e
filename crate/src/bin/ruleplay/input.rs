//! Where events come from: a file, stdin (`-`), either gzipped or not, read incrementally.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};

/// Big reads: the input is scanned once, front to back.
const BUFFER: usize = 256 * 1024;

/// An events input, buffered, gunzipped when it starts with gzip's magic bytes (whatever its
/// name: `zcat`-less pipes and `.gz` files alike).
pub struct Input {
    pub reader: Box<dyn Buffered + Send>,
    /// Whether the input is read whole rather than streamed as NDJSON: a JSON array, or an
    /// Elasticsearch response or search hits (`event::formats::streams_as_ndjson`).
    pub is_array: bool,
}

/// A buffered reader that can tell whether its next read would go to the source (and so
/// might block on a pipe): the writer flushes before that, so verdicts reach a reader while the
/// input is still coming.
pub trait Buffered: BufRead {
    fn has_buffered(&self) -> bool;
}

impl<R: Read> Buffered for BufReader<R> {
    fn has_buffered(&self) -> bool {
        !self.buffer().is_empty()
    }
}

pub fn open(path: &str) -> Result<Input, String> {
    let raw: Box<dyn Read + Send> = if path == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?)
    };
    let mut buffered = BufReader::with_capacity(BUFFER, raw);
    let head = buffered
        .fill_buf()
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut reader: Box<dyn Buffered + Send> = if head.starts_with(&[0x1f, 0x8b]) {
        // Multi-member: `cat a.gz b.gz` and pigz output are several gzip members in a row.
        Box::new(BufReader::with_capacity(
            BUFFER,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    };
    let head = reader
        .fill_buf()
        .map_err(|e| format!("cannot read {path}: {e}"))?;
    let is_array = !ruleplay::event::formats::streams_as_ndjson(head);
    Ok(Input { reader, is_array })
}

impl Input {
    /// The rest of the input as text (for JSON arrays and rule types that need every event).
    pub fn read_all(mut self, path: &str, limit: usize) -> Result<String, String> {
        let mut bytes = Vec::new();
        // One byte over the limit is enough to know it is too big.
        let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
        (&mut self.reader)
            .take(cap)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {path}: {e}"))?;
        if bytes.len() > limit {
            return Err(format!(
                "{path} is over {limit} bytes, the most read at once (a JSON array, an EQL sequence with a timestamp_override, a query whose optional fields wait for the events); NDJSON streams at any size otherwise"
            ));
        }
        String::from_utf8(bytes).map_err(|e| format!("{path} is not UTF-8: {e}"))
    }
}
