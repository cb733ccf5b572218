//! What every feature shares and none owns: the city clock, text rules (folding, codes), unit
//! paths, reading CSV/XLSX tables within limits, writing CSV lines and downloads, and the
//! versioned cache. Nothing here depends on a feature.

pub mod cache;
pub mod clock;
pub mod csv_line;
pub mod download;
pub mod table;
pub mod text;
pub mod tree;
pub mod xlsx;
