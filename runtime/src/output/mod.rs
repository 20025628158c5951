//! Draw output: CmdStan CSV writing ([`cmdstan_csv`]) and reading, whole
//! ([`reader`]) or a few columns at a time ([`columns`]).

pub mod cmdstan_csv;
pub mod columns;
pub mod reader;

pub use cmdstan_csv::{format_value, CsvOptions, SAMPLER_COLUMNS};
pub use columns::{FitColumns, IndexedCsv};
pub use reader::{parse_cmdstan_csv, read_cmdstan_csv, ReadError, StanCsv};
