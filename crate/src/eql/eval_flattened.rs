//! A query leaf on a `flattened` field's own name over the event view. On JSON it reaches every
//! leaf value under the field's objects (`Leaf::raw_test`); in the table those objects are bare
//! [`Cell::Object`](crate::event::table::Cell::Object)s and their leaves live in the columns under the path,
//! which the binding resolves once (`BoundSlot::under`).

use super::{BoundSlot, EventTable, Leaf};

impl Leaf {
    /// The rest of [`Leaf::scan_row`] for a row with objects in the field's column: the leaf
    /// cells of every column under its path. The columns cannot tell where a cell's key
    /// started, so in a row that also has dotted keys reaching under the path from above it
    /// (`{"log": {"syslog.structured_data.k": 1, "syslog": {"structured_data": {}}}}`) those
    /// values count too, which the JSON lookup does not reach: the one shape on which the two
    /// paths still differ.
    #[inline(never)]
    pub(super) fn scan_under(
        &self,
        table: &EventTable,
        slot: &BoundSlot,
        row: usize,
        mut seen: bool,
    ) -> (bool, bool) {
        for column in &slot.under {
            for cell in column.row(row) {
                let r = self.cell_test(table, slot, cell.get());
                seen |= r.is_some();
                if r == Some(true) {
                    return (true, true);
                }
            }
        }
        (false, seen)
    }
}
