//! Warmup adaptation: dual-averaging step size ([`step_size`]), metric
//! estimation ([`metric`]) and Stan's windowed schedule ([`schedule`]).

pub mod metric;
pub mod schedule;
pub mod step_size;

pub use metric::MetricEstimator;
pub use schedule::{Schedule, ScheduleSettings, ScheduleStep};
pub use step_size::{DualAveraging, DualAveragingSettings};
