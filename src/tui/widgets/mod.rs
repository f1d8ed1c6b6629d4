//! Drawing shared by the views.

pub mod bars;
pub mod table;
