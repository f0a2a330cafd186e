//! The event view (DESIGN.md: events → event view → evaluate): a batch of JSON events flattened
//! once into columns, so evaluation reads a field's values by column and row instead of walking
//! each event's `serde_json` tree (scattered heap strings: cache misses dominate on big batches).
//!
//! Every node of every event is recorded under its full dotted path — the JSON keys joined with
//! `.`, which is exactly what [`FieldPath`](super::lookup::FieldPath) resolves, so nested, dotted
//! and mixed keys land in one column. Arrays flatten at every level, `null` is skipped, objects are
//! recorded as [`Cell::Object`] (they make a field present). Within one row a column's cells are in
//! the order `FieldPath::values` returns them: keys of one object that both address a path are
//! prefixes of each other at dot boundaries (`a`, `a.b`), so the key order of serde_json's sorted
//! maps is the shortest-split-first order of the lookup.
//!
//! Strings are dictionary-encoded: each distinct string is stored once, and evaluators can cache a
//! test's verdict per string id (what Lucene does with its term dictionary).

use serde_json::Value;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Columns present in at least 1/DENSE_SHARE of the rows get one offset per row; rarer columns
/// list the rows that have cells (memory stays proportional to the cells, whatever the keys).
const DENSE_SHARE: usize = 8;

/// Ids above this do not fit a [`Packed`] cell.
const MAX_ID: u32 = (1 << 30) - 1;
const TAG_SHIFT: u32 = 30;

/// A [`Cell`] in 4 bytes (2-bit kind, 30-bit id): half the memory traffic of the enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packed(u32);

impl Packed {
    fn new(cell: Cell) -> Option<Packed> {
        let (tag, id) = match cell {
            Cell::Str(id) => (0, id),
            Cell::Other(id) => (1, id),
            Cell::Object => (2, 0),
        };
        // Tag 3 is `NONE`, the empty slot of a single-valued column.
        (id <= MAX_ID).then_some(Packed(tag << TAG_SHIFT | id))
    }

    /// No value (a row without the field, in a [`Layout::Single`] column).
    const NONE: Packed = Packed(3 << TAG_SHIFT);

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn get(self) -> Cell {
        let id = self.0 & MAX_ID;
        match self.0 >> TAG_SHIFT {
            0 => Cell::Str(id),
            1 => Cell::Other(id),
            _ => Cell::Object,
        }
    }
}

/// One value of a field in one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// A string, by dictionary id ([`EventTable::str`]).
    Str(u32),
    /// A number or boolean ([`EventTable::other`]).
    Other(u32),
    /// An object (present, but not a value a test can compare).
    Object,
}

#[derive(Clone, Debug)]
enum Layout {
    /// At most one value per row (most fields): the cells are indexed by row, `Packed::NONE`
    /// where a row has none. One load per read instead of offsets then cells.
    Single,
    /// `offsets[row]..offsets[row + 1]` are the row's cells.
    Dense(Vec<u32>),
    /// The rows with cells (ascending) and where each one's cells start (one extra at the end).
    Sparse { rows: Vec<u32>, starts: Vec<u32> },
}

#[derive(Clone, Debug)]
struct Column {
    layout: Layout,
    cells: Vec<Packed>,
}

/// One column, resolved once (see [`EventTable::view`]); `Default` is a column no event has.
#[derive(Clone, Copy, Debug, Default)]
pub struct ColumnView<'t> {
    single: bool,
    /// Dense offsets, or the sparse rows and starts.
    dense: Option<&'t [u32]>,
    sparse: Option<(&'t [u32], &'t [u32])>,
    cells: &'t [Packed],
}

impl<'t> ColumnView<'t> {
    /// Whether any cell of the column is an object.
    pub fn has_objects(&self) -> bool {
        self.cells
            .iter()
            .any(|&c| c != Packed::NONE && matches!(c.get(), Cell::Object))
    }

    /// The cells of event `row`, in `FieldPath::values` order.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn row(&self, row: usize) -> &'t [Packed] {
        if self.single {
            return match self.cells.get(row) {
                Some(c) if *c != Packed::NONE => std::slice::from_ref(c),
                _ => &[],
            };
        }
        let (from, to) = if let Some(offsets) = self.dense {
            match (offsets.get(row), offsets.get(row + 1)) {
                (Some(&a), Some(&b)) => (a, b),
                _ => return &[],
            }
        } else if let Some((rows, starts)) = self.sparse {
            let Ok(r) = u32::try_from(row) else {
                return &[];
            };
            match rows.binary_search(&r) {
                Ok(i) => (starts[i], starts[i + 1]),
                Err(_) => return &[],
            }
        } else {
            return &[];
        };
        self.cells.get(from as usize..to as usize).unwrap_or(&[])
    }
}

/// A batch of events as columns. Built once per batch ([`EventTable::new`]); read-only after.
#[derive(Clone, Debug)]
pub struct EventTable {
    rows: usize,
    columns: Vec<Column>,
    paths: HashMap<Box<str>, u32, FxBuild>,
    /// The distinct strings, back to back; string `i` ends at `str_ends[i]`.
    text: String,
    str_ends: Vec<u32>,
    others: Vec<Value>,
}

/// Column id of a path in one table.
pub type ColumnId = u32;

impl EventTable {
    /// Flatten `events`. `None` when the batch is too large for the ids (more than 4 GiB of
    /// distinct string text, or more than 2^30 distinct strings or numbers): callers then read the JSON events directly.
    pub fn new(events: &[Value]) -> Option<EventTable> {
        let mut b = Builder::default();
        for (row, ev) in events.iter().enumerate() {
            b.row = u32::try_from(row).ok()?;
            b.visit(ev, None)?;
        }
        let rows = events.len();
        let columns = b
            .columns
            .into_iter()
            .map(|c| c.finish(rows))
            .collect::<Option<Vec<_>>>()?;
        Some(EventTable {
            rows,
            columns,
            paths: b.paths,
            text: b.text,
            str_ends: b.str_ends,
            others: b.others,
        })
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Number of distinct strings (the size of a per-string cache).
    pub fn string_count(&self) -> usize {
        self.str_ends.len()
    }

    /// Number of distinct field paths.
    pub fn column_count(&self) -> usize {
        self.columns.len()
    }

    /// The column of a dotted field path; `None` when no event has it.
    pub fn column(&self, path: &str) -> Option<ColumnId> {
        self.paths.get(path).copied()
    }

    /// The columns strictly under a dotted path (`path.…`), in column order.
    pub fn columns_under(&self, path: &str) -> Vec<ColumnId> {
        let mut out: Vec<ColumnId> = self
            .paths
            .iter()
            .filter(|(p, _)| {
                p.strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
            .map(|(_, &c)| c)
            .collect();
        out.sort_unstable();
        out
    }

    /// Column `col` resolved for repeated row reads; empty when there is no such column.
    pub fn view(&self, col: Option<ColumnId>) -> ColumnView<'_> {
        let Some(c) = col.and_then(|c| self.columns.get(c as usize)) else {
            return ColumnView::default();
        };
        match &c.layout {
            Layout::Single => ColumnView {
                single: true,
                dense: None,
                sparse: None,
                cells: &c.cells,
            },
            Layout::Dense(offsets) => ColumnView {
                single: false,
                dense: Some(offsets),
                sparse: None,
                cells: &c.cells,
            },
            Layout::Sparse { rows, starts } => ColumnView {
                single: false,
                dense: None,
                sparse: Some((rows, starts)),
                cells: &c.cells,
            },
        }
    }

    /// The values of the field at `path` in event `row`, in `FieldPath::values` order.
    pub fn cells(&self, path: &str, row: usize) -> Vec<Cell> {
        let v = self.view(self.column(path));
        v.row(row).iter().map(|p| p.get()).collect()
    }

    /// Dictionary string `id`.
    #[inline]
    pub fn str(&self, id: u32) -> &str {
        let i = id as usize;
        let from = if i == 0 {
            0
        } else {
            self.str_ends[i - 1] as usize
        };
        let to = self.str_ends.get(i).map_or(from, |&e| e as usize);
        self.text.get(from..to).unwrap_or("")
    }

    /// Number or boolean `id`.
    pub fn other(&self, id: u32) -> &Value {
        self.others.get(id as usize).unwrap_or(&Value::Null)
    }

    /// A cell as JSON (objects become `{}`: their content lives in other columns).
    pub fn cell_json(&self, cell: Cell) -> Value {
        match cell {
            Cell::Str(id) => Value::String(self.str(id).to_string()),
            Cell::Other(id) => self.other(id).clone(),
            Cell::Object => Value::Object(Default::default()),
        }
    }

    /// Approximate heap bytes held (for the benchmark's report).
    pub fn heap_bytes(&self) -> usize {
        let cols: usize = self
            .columns
            .iter()
            .map(|c| {
                c.cells.capacity() * std::mem::size_of::<Packed>()
                    + match &c.layout {
                        Layout::Single => 0,
                        Layout::Dense(o) => o.capacity() * 4,
                        Layout::Sparse { rows, starts } => {
                            (rows.capacity() + starts.capacity()) * 4
                        }
                    }
            })
            .sum();
        let paths: usize = self.paths.keys().map(|k| k.len() + 24).sum();
        cols + paths
            + self.text.capacity()
            + self.str_ends.capacity() * 4
            + self.others.capacity() * std::mem::size_of::<Value>()
    }
}

/// A per-string verdict cache for one test over one table: one slot per dictionary string,
/// 0 = not computed yet (see [`cached`]). Shared by the EQL and KQL evaluators.
pub fn new_memo(n: usize) -> Vec<std::cell::Cell<u8>> {
    std::iter::repeat_with(|| std::cell::Cell::new(0))
        .take(n)
        .collect()
}

/// `f()` for dictionary string `id`, computed once per string (not cached when `memo` is
/// shorter than the dictionary, e.g. empty).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
pub fn cached(
    memo: &[std::cell::Cell<u8>],
    id: u32,
    f: impl FnOnce() -> Option<bool>,
) -> Option<bool> {
    const DECODE: [Option<bool>; 4] = [None, None, Some(false), Some(true)];
    let slot = memo.get(id as usize);
    if let Some(c) = slot {
        let code = c.get() & 3;
        if code != 0 {
            return DECODE[code as usize];
        }
    }
    let r = f();
    if let Some(c) = slot {
        c.set(match r {
            None => 1,
            Some(false) => 2,
            Some(true) => 3,
        });
    }
    r
}

#[derive(Default)]
struct Builder<'a> {
    row: u32,
    columns: Vec<ColumnBuilder>,
    /// The dotted path of each column.
    column_paths: Vec<Box<str>>,
    paths: HashMap<Box<str>, u32, FxBuild>,
    /// Two maps in one (one hash-table instantiation in the wasm): `(column, key)` → the column
    /// of that key under that column (`TOP` for the event's own keys), and `(STRINGS, s)` → the
    /// dictionary id of string `s`. Keys borrow from the events, so neither the dotted path nor
    /// the string is rebuilt or hashed whole per node.
    ids: HashMap<(u32, &'a str), u32, FxBuild>,
    text: String,
    str_ends: Vec<u32>,
    others: Vec<Value>,
}

const TOP: u32 = u32::MAX;
const STRINGS: u32 = u32::MAX - 1;

impl<'a> Builder<'a> {
    /// Record `v` and everything under it in column `col` (`None`: the event itself, not a
    /// field). Recursion depth is bounded by serde_json's parser (128 levels).
    fn visit(&mut self, v: &'a Value, col: Option<u32>) -> Option<()> {
        match (v, col) {
            (Value::Null, _) => {}
            (Value::Array(items), _) => {
                for item in items {
                    self.visit(item, col)?;
                }
            }
            (Value::Object(map), _) => {
                if let Some(c) = col {
                    self.push(c, Cell::Object)?;
                }
                for (k, child) in map {
                    let c = self.child(col, k)?;
                    self.visit(child, Some(c))?;
                }
            }
            (Value::String(s), Some(c)) => {
                let id = self.intern(s)?;
                self.push(c, Cell::Str(id))?;
            }
            (Value::Bool(_) | Value::Number(_), Some(c)) => {
                let id = u32::try_from(self.others.len()).ok()?;
                self.others.push(v.clone());
                self.push(c, Cell::Other(id))?;
            }
            _ => {}
        }
        Some(())
    }

    /// The column of key `k` under column `parent`: `a` → `b` and a top-level `"a.b"` are the
    /// same column, found by the dotted path the first time each pair is seen.
    fn child(&mut self, parent: Option<u32>, k: &'a str) -> Option<u32> {
        let key = (parent.unwrap_or(TOP), k);
        if let Some(&c) = self.ids.get(&key) {
            return Some(c);
        }
        let path: Box<str> = match parent {
            None => k.into(),
            Some(p) => format!("{}.{k}", self.column_paths.get(p as usize)?).into(),
        };
        let c = match self.paths.get(&path) {
            Some(&c) => c,
            None => {
                let c = u32::try_from(self.columns.len())
                    .ok()
                    .filter(|&c| c < STRINGS)?;
                self.paths.insert(path.clone(), c);
                self.column_paths.push(path);
                self.columns.push(ColumnBuilder::default());
                c
            }
        };
        self.ids.insert(key, c);
        Some(c)
    }

    fn intern(&mut self, s: &'a str) -> Option<u32> {
        if let Some(&id) = self.ids.get(&(STRINGS, s)) {
            return Some(id);
        }
        let id = u32::try_from(self.str_ends.len()).ok()?;
        self.text.push_str(s);
        self.str_ends.push(u32::try_from(self.text.len()).ok()?);
        self.ids.insert((STRINGS, s), id);
        Some(id)
    }

    fn push(&mut self, col: u32, cell: Cell) -> Option<()> {
        self.columns.get_mut(col as usize)?.push(self.row, cell)
    }
}

#[derive(Default)]
struct ColumnBuilder {
    rows: Vec<u32>,
    starts: Vec<u32>,
    cells: Vec<Packed>,
}

impl ColumnBuilder {
    fn push(&mut self, row: u32, cell: Cell) -> Option<()> {
        if self.rows.last() != Some(&row) {
            self.rows.push(row);
            self.starts.push(u32::try_from(self.cells.len()).ok()?);
        }
        self.cells.push(Packed::new(cell)?);
        Some(())
    }

    fn finish(mut self, n: usize) -> Option<Column> {
        let end = u32::try_from(self.cells.len()).ok()?;
        self.starts.push(end);
        let layout = if self.rows.len() * DENSE_SHARE >= n && self.rows.len() == self.cells.len() {
            let mut cells = vec![Packed::NONE; n];
            for (&r, &c) in self.rows.iter().zip(&self.cells) {
                cells[r as usize] = c;
            }
            self.cells = cells;
            Layout::Single
        } else if self.rows.len() * DENSE_SHARE >= n {
            // Row r starts at the first entry whose row is >= r (empty when none is r).
            let mut offsets = Vec::with_capacity(n + 1);
            let mut k = 0;
            for r in 0..n {
                while k < self.rows.len() && (self.rows[k] as usize) < r {
                    k += 1;
                }
                offsets.push(self.starts[k]);
            }
            offsets.push(end);
            Layout::Dense(offsets)
        } else {
            self.rows.shrink_to_fit();
            Layout::Sparse {
                rows: self.rows,
                starts: self.starts,
            }
        };
        self.cells.shrink_to_fit();
        Some(Column {
            layout,
            cells: self.cells,
        })
    }
}

/// FxHash (rustc's hasher): the table's keys are short strings hashed millions of times while
/// building; SipHash's DoS resistance buys nothing for a local batch.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

type FxBuild = BuildHasherDefault<FxHasher>;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.write(&[b]);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::lookup::FieldPath;
    use serde_json::json;

    /// The table's values of `path` in `row`, as JSON, must be exactly `FieldPath::values`.
    fn same_as_lookup(events: &[Value], paths: &[&str]) {
        let t = EventTable::new(events).expect("table");
        for (row, ev) in events.iter().enumerate() {
            for p in paths {
                let mut want = Vec::new();
                FieldPath::new(p).values(ev, &mut want);
                let want: Vec<Value> = want
                    .into_iter()
                    .map(|v| match v {
                        Value::Object(_) => json!({}),
                        v => v.clone(),
                    })
                    .collect();
                let got: Vec<Value> = t
                    .cells(p, row)
                    .into_iter()
                    .map(|x| t.cell_json(x))
                    .collect();
                assert_eq!(got, want, "row {row} path {p:?} in {ev}");
            }
        }
    }

    #[test]
    fn dotted_nested_and_mixed_keys_share_a_column_in_lookup_order() {
        let events = vec![
            json!({"a": {"b": {"c": 1}, "b.c": 2}, "a.b": {"c": 3}, "a.b.c": 4, "a.bc": 9,
                   "ab.c": 9, "a.b.": 9, "": {"x": 5}, "x": {"": {"": 6}}}),
            json!({"a.b": 1, "a": {"b": 2}}),
            json!({"a": {"b": [1, {"c": 7}, null, [2, [3]]]}, "a.b": [], "a.b.c": null}),
            json!({"process": [{"args": ["a", null, ["b"]]}, {"args": "c"}, null]}),
            json!({"n": "12", "m": 12, "f": 1.5, "t": true, "e": {}, "ea": []}),
            json!([{"a": 1}, {"a": {"b": 2}}]),
            json!("scalar event"),
            json!({"a": "x"}),
        ];
        same_as_lookup(
            &events,
            &[
                "a",
                "a.b",
                "a.b.c",
                ".x",
                "x..",
                "process.args",
                "process",
                "n",
                "m",
                "f",
                "t",
                "e",
                "ea",
                "a.bc",
                "",
                "missing",
            ],
        );
    }

    #[test]
    fn strings_are_stored_once_and_rare_columns_stay_sparse() {
        let mut events: Vec<Value> = (0..100)
            .map(|i| json!({"event": {"category": ["process"]}, "id": i}))
            .collect();
        events[50]["rare"] = json!("x");
        let t = EventTable::new(&events).expect("table");
        assert_eq!(t.string_count(), 2);
        let rare = t.column("rare").expect("rare column");
        assert_eq!(t.cells("rare", 50), [Cell::Str(1)]);
        assert!(t.cells("rare", 49).is_empty() && t.cells("rare", 51).is_empty());
        assert!(matches!(
            t.columns[rare as usize].layout,
            Layout::Sparse { .. }
        ));
        let cat = t.column("event.category").expect("category column");
        assert!(matches!(t.columns[cat as usize].layout, Layout::Single));
        assert_eq!(t.cells("event.category", 99), [Cell::Str(0)]);
        assert!(t.cells("event.category", 100).is_empty(), "out of range");
        assert!(t.cells("nope", 0).is_empty());
        assert_eq!(Packed::new(Cell::Str(MAX_ID + 1)), None, "ids are capped");
        // Dense columns with gaps.
        let gappy: Vec<Value> = (0..10)
            .map(|i| {
                if i % 3 == 0 {
                    json!({"a": [i, i], "b": i})
                } else {
                    json!({})
                }
            })
            .collect();
        same_as_lookup(&gappy, &["a", "b"]);
        let t = EventTable::new(&gappy).expect("table");
        let b = t.column("b").expect("b");
        assert!(matches!(t.columns[b as usize].layout, Layout::Single));
    }
}
