//! Drawing shared by the views.

pub mod bars;
pub mod histogram;
pub mod table;
