//! Benchmarks: what the migration costs the application, and whether the
//! harness's own parts are fast enough never to be what is measured.
//!
//! - [`load`]: the application's workload before and after the migration,
//!   interleaved on one server, judged against the scenario's threshold;
//!   [`explain`] reads both plans and names the policy that slows the after
//!   form; [`online`] applies the migration under load.
//! - [`driver`]: the load driver itself (closed and open loop, HdrHistogram).
//! - [`efficiency`]: the driver against pgbench, and impersonated against
//!   plain requests.
//! - [`seeder`]: the seeder against `pgbench -i`.

pub mod driver;
pub mod efficiency;
pub mod explain;
pub mod load;
pub mod online;
pub mod report;
pub mod seeder;
pub mod settings;
pub mod stats;
pub mod targets;

pub use report::LoadReport;
pub use seeder::{peak_rss_mib, scaled, seed, SeedBench};
