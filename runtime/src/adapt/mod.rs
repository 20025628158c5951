//! Warmup adaptation: dual-averaging step size ([`step_size`]); either
//! nutpie's gradient-based diagonal metric with its own schedule
//! ([`grad_diag`]), or Stan's metric estimation ([`metric`]) with Stan's
//! windowed schedule ([`schedule`]).

pub mod grad_diag;
pub mod metric;
pub mod schedule;
pub mod step_size;

pub use grad_diag::{GradDiagAdaptation, GradDiagSettings, GradDiagStep};
pub use metric::MetricEstimator;
pub use schedule::{Schedule, ScheduleSettings, ScheduleStep};
pub use step_size::{DualAveraging, DualAveragingSettings};
