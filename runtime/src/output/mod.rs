//! Draw output: CmdStan CSV writing ([`cmdstan_csv`]) and reading
//! ([`reader`]).

pub mod cmdstan_csv;
pub mod reader;

pub use cmdstan_csv::{format_value, CsvOptions, SAMPLER_COLUMNS};
pub use reader::{parse_cmdstan_csv, read_cmdstan_csv, ReadError, StanCsv};
