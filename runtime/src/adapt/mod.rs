//! Warmup adaptation: dual-averaging step size ([`step_size`]); either
//! nutpie's gradient-based diagonal metric with its own schedule
//! ([`grad_diag`]) or its low-rank modification ([`low_rank`]), or Stan's metric estimation ([`metric`]) with Stan's
//! windowed schedule ([`schedule`]). A chain that cannot move from its
//! random start is given a new one early in the warmup ([`stuck`]).

pub mod grad_diag;
pub mod low_rank;
pub mod metric;
pub mod schedule;
pub mod step_size;
pub mod stuck;
pub mod sym_eigen;

pub use grad_diag::{GradDiagAdaptation, GradDiagSettings, GradDiagStep};
pub use low_rank::{LowRankAdaptation, LowRankInvMetric, LowRankSettings, MetricUpdate};
pub use metric::MetricEstimator;
pub use schedule::{Schedule, ScheduleSettings, ScheduleStep};
pub use step_size::{DualAveraging, DualAveragingSettings};
pub use stuck::{Stuck, StuckWatch};
