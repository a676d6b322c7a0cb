//! The load driver: long-lived connections, prepared statements, and one
//! round trip per request however many statements it takes.
//!
//! A request that acts as a user is three messages written at once:
//! `BEGIN; SELECT set_config(…)` as one simple query, the prepared
//! statement, and `ROLLBACK`. tokio-postgres writes a request when its future
//! is first polled, and `join!` polls in order, so the three reach the
//! server in order and the client waits for the network once. (With a
//! statement given as text instead of a prepared [`Statement`], the client
//! would first prepare it, and the execute could arrive after the ROLLBACK:
//! the reason the driver only takes prepared statements.) Everything is
//! rolled back, so writes in the workload leave the data as it was and both
//! sides of a comparison keep seeing the same rows.
//!
//! Closed loop: each worker sends its next request when the last one
//! answered, as fast as it can. Open loop: each worker follows a fixed
//! schedule, and latency counts from the scheduled start, so a stalled
//! server shows as latency instead of as fewer requests (no coordinated
//! omission).

use crate::error::{Error, Result};
use hdrhistogram::Histogram;
use postgres_types::{to_sql_checked, IsNull, ToSql, Type};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::{Client, Config, Statement};

/// Highest latency the histograms hold (a minute, in microseconds).
const MAX_LATENCY_US: u64 = 60_000_000;

/// An argument of a request, as text until the statement's types are known.
#[derive(Debug, Clone)]
pub enum Arg {
    /// The same value on every request.
    One(String),
    /// One of these, drawn per request.
    AnyOf(Arc<Vec<String>>),
}

/// Who sends a request: how its transaction opens, and its arguments.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Simple-query text that opens the transaction (`BEGIN; SELECT
    /// set_config(…)`); `None` runs the statement on its own, autocommitted.
    pub begin: Option<String>,
    /// One per `$n` of the statement.
    pub args: Vec<Arg>,
}

/// A statement the driver can load: what, where, and by whom.
#[derive(Debug, Clone)]
pub struct Target {
    /// Name, for messages.
    pub name: String,
    /// Index of the database (in [`Pool::open`]'s list) it runs on.
    pub db: usize,
    /// The SQL, with `$n` parameters.
    pub sql: String,
    /// Requests pick one of these at random.
    pub callers: Vec<Caller>,
}

/// How requests are paced.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Load {
    /// This many workers, each as fast as it can.
    Closed {
        /// Concurrent workers.
        workers: usize,
    },
    /// Requests started at this rate per second over all workers.
    Open {
        /// Requests per second.
        rate: f64,
    },
}

/// How one request ended, for the online migration's timeline.
#[derive(Debug, Clone)]
pub struct Event {
    /// When it was due, from the start of the run.
    pub start: Duration,
    /// How long it took, from when it was due.
    pub latency: Duration,
    /// Whether it failed, and whether by timeout.
    pub outcome: Outcome,
    /// The server's message, when it failed.
    pub error: Option<Arc<str>>,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered.
    Ok,
    /// Failed with an error.
    Failed,
    /// Cancelled by statement_timeout.
    TimedOut,
}

/// What a slice of load measured.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Latencies of answered requests, in microseconds.
    pub hist: Histogram<u64>,
    /// Requests answered.
    pub ok: u64,
    /// Requests that failed.
    pub failed: u64,
    /// Requests cancelled by statement_timeout.
    pub timed_out: u64,
    /// The first failure's message.
    pub first_error: Option<String>,
    /// Wall time of the slice.
    pub elapsed: Duration,
    /// Every request, when the run keeps a timeline.
    pub events: Vec<Event>,
}

impl Sample {
    fn new() -> Sample {
        Sample {
            hist: Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("valid bounds"),
            ok: 0,
            failed: 0,
            timed_out: 0,
            first_error: None,
            elapsed: Duration::ZERO,
            events: Vec::new(),
        }
    }

    /// Answered requests per second.
    pub fn tps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Mean latency in milliseconds.
    pub fn mean_ms(&self) -> f64 {
        self.hist.mean() / 1000.0
    }

    /// Latency at `q` (0..=1) in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }

    /// Adds `other`'s requests (slices that ran at the same time, or the
    /// rounds of one form).
    pub fn merge(&mut self, other: &Sample, concurrent: bool) {
        self.hist.add(&other.hist).expect("same bounds");
        self.ok += other.ok;
        self.failed += other.failed;
        self.timed_out += other.timed_out;
        if self.first_error.is_none() {
            self.first_error.clone_from(&other.first_error);
        }
        self.elapsed = if concurrent {
            self.elapsed.max(other.elapsed)
        } else {
            self.elapsed + other.elapsed
        };
        self.events.extend_from_slice(&other.events);
    }

    fn record(
        &mut self,
        start: Duration,
        latency: Duration,
        result: &std::result::Result<(), String>,
        timeline: bool,
    ) {
        let outcome = match result {
            Ok(()) => {
                self.ok += 1;
                let us = (latency.as_micros() as u64).clamp(1, MAX_LATENCY_US);
                self.hist.record(us).expect("clamped into bounds");
                Outcome::Ok
            }
            Err(e) if e.contains("57014") => {
                self.timed_out += 1;
                Outcome::TimedOut
            }
            Err(e) => {
                self.failed += 1;
                if self.first_error.is_none() {
                    self.first_error = Some(e.clone());
                }
                Outcome::Failed
            }
        };
        if timeline {
            self.events.push(Event {
                start,
                latency,
                outcome,
                error: result.as_ref().err().map(|e| Arc::from(e.as_str())),
            });
        }
    }
}

/// A value bound to a parameter of the type the server asked for.
#[derive(Debug, Clone)]
enum Value {
    Uuid(uuid::Uuid),
    Int(i64),
    Text(String),
}

impl Value {
    fn typed(text: &str, ty: &Type, target: &str) -> Result<Value> {
        let bad = |what: &str| {
            Error::env(
                format!("workload `{target}`: `{text}` is not {what} (parameter type {ty})"),
                "cast the parameter in the workload SQL, e.g. :tenant::text",
            )
        };
        Ok(match *ty {
            Type::UUID => Value::Uuid(text.parse().map_err(|_| bad("a uuid"))?),
            Type::INT2 | Type::INT4 | Type::INT8 => {
                Value::Int(text.parse().map_err(|_| bad("an integer"))?)
            }
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => Value::Text(text.into()),
            _ => return Err(bad("bindable: the driver binds uuid, integer and text")),
        })
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Uuid(u) => u.to_sql(ty, out),
            Value::Int(i) => match *ty {
                Type::INT2 => (*i as i16).to_sql(ty, out),
                Type::INT4 => (*i as i32).to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Values are built for the statement's own types (Value::typed).
        true
    }

    to_sql_checked!();
}

#[derive(Debug)]
enum TypedArg {
    One(Value),
    AnyOf(Arc<Vec<Value>>),
}

#[derive(Debug)]
struct TypedCaller {
    begin: Option<String>,
    args: Vec<TypedArg>,
}

/// One worker: a connection per database and every target prepared on it.
struct Worker {
    clients: Vec<Client>,
    statements: Vec<Statement>,
}

/// Workers with their connections open and statements prepared; reused
/// across slices so that connection setup and planning are never measured.
pub struct Pool {
    workers: Vec<Worker>,
    targets: Arc<Vec<(usize, Vec<TypedCaller>)>>,
    names: Vec<String>,
    slices: u64,
    seed: u64,
    timeline: bool,
}

impl Pool {
    /// Opens `workers` workers, each with one connection to every database
    /// of `dbs`, and prepares every target. `statement_timeout` (if any) is
    /// set on every connection.
    pub async fn open(
        dbs: &[Config],
        workers: usize,
        targets: &[Target],
        statement_timeout: Option<Duration>,
        seed: u64,
    ) -> Result<Pool> {
        let mut pool = Vec::new();
        let mut typed: Vec<(usize, Vec<TypedCaller>)> = Vec::new();
        for w in 0..workers.max(1) {
            let mut clients = Vec::new();
            for db in dbs {
                let c = crate::provision::connect(db, "connecting a load worker").await?;
                if let Some(t) = statement_timeout {
                    c.batch_execute(&format!("SET statement_timeout = {}", t.as_millis()))
                        .await
                        .map_err(Error::db("setting statement_timeout"))?;
                }
                clients.push(c);
            }
            let mut statements = Vec::new();
            for t in targets {
                let s = clients[t.db]
                    .prepare(&t.sql)
                    .await
                    .map_err(Error::db(format!("preparing workload `{}`", t.name)))?;
                if w == 0 {
                    typed.push((t.db, type_callers(t, s.params())?));
                }
                statements.push(s);
            }
            pool.push(Worker {
                clients,
                statements,
            });
        }
        Ok(Pool {
            workers: pool,
            targets: Arc::new(typed),
            names: targets.iter().map(|t| t.name.clone()).collect(),
            slices: 0,
            seed,
            timeline: false,
        })
    }

    /// Keeps every request's start, latency and outcome (for the online migration).
    pub fn keep_timeline(&mut self, on: bool) {
        self.timeline = on;
    }

    /// Workers available.
    pub fn size(&self) -> usize {
        self.workers.len()
    }

    /// Runs each caller of `target` once on the first worker and returns the
    /// first column of the first row of each answer (as text, for sanity
    /// checks such as "who is the session"). Errors name the target.
    pub async fn probe(&self, target: usize) -> Result<Vec<Option<String>>> {
        let w = &self.workers[0];
        let (db, callers) = &self.targets[target];
        let mut out = Vec::new();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        for c in callers {
            let rows = call(&w.clients[*db], &w.statements[target], c, &mut rng, true)
                .await
                .map_err(|e| {
                    Error::env(
                        format!("workload `{}` failed: {e}", self.names[target]),
                        "run the statement in psql against the kept database (--keep) and fix the scenario's [[workload]] SQL",
                    )
                })?;
            out.push(rows);
        }
        Ok(out)
    }

    /// Runs `iters` requests of `target` one after another on the first
    /// worker and returns the time they took (criterion's `iter_custom`).
    pub async fn time(&mut self, target: usize, iters: u64) -> Duration {
        let w = &self.workers[0];
        let (db, callers) = &self.targets[target];
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ iters);
        let started = Instant::now();
        for _ in 0..iters {
            let caller = &callers[rng.random_range(0..callers.len())];
            let _ = call(
                &w.clients[*db],
                &w.statements[target],
                caller,
                &mut rng,
                false,
            )
            .await;
        }
        started.elapsed()
    }

    /// Loads `target` for `duration` as `load` says and returns what it measured.
    pub async fn run(&mut self, target: usize, load: Load, duration: Duration) -> Sample {
        self.run_mix(&[target], load, duration, None).await
    }

    /// Loads `targets` at once (worker i runs `targets[i % len]`) until
    /// `duration` has passed or `stop` is set, whichever comes first.
    pub async fn run_mix(
        &mut self,
        targets: &[usize],
        load: Load,
        duration: Duration,
        stop: Option<Arc<AtomicBool>>,
    ) -> Sample {
        self.slices += 1;
        let (active, rate) = match load {
            Load::Closed { workers } => (workers.clamp(1, self.workers.len()), None),
            Load::Open { rate } => (self.workers.len(), Some(rate.max(0.001))),
        };
        let started = Instant::now();
        let deadline = started + duration;
        let mut handles = Vec::new();
        for (i, w) in self.workers.drain(..).enumerate() {
            if i >= active {
                handles.push(tokio::spawn(async move { (w, None) }));
                continue;
            }
            let job = Job {
                targets: self.targets.clone(),
                target: targets[i % targets.len()],
                // Worker i of n at rate r: one request every n/r seconds, offset by i/r.
                schedule: rate.map(|r| (Duration::from_secs_f64(active as f64 / r), i as f64 / r)),
                started,
                deadline,
                stop: stop.clone(),
                seed: self.seed ^ (self.slices << 32) ^ i as u64,
                timeline: self.timeline,
            };
            handles.push(tokio::spawn(async move {
                let s = w.load(job).await;
                (w, Some(s))
            }));
        }
        let mut total = Sample::new();
        for h in handles {
            let (w, s) = h.await.expect("a load worker panicked");
            self.workers.push(w);
            if let Some(s) = s {
                total.merge(&s, true);
            }
        }
        total.elapsed = started.elapsed();
        total.events.sort_by_key(|e| e.start);
        total
    }
}

/// What one worker does in one slice.
struct Job {
    targets: Arc<Vec<(usize, Vec<TypedCaller>)>>,
    target: usize,
    schedule: Option<(Duration, f64)>,
    started: Instant,
    deadline: Instant,
    stop: Option<Arc<AtomicBool>>,
    seed: u64,
    timeline: bool,
}

fn type_callers(t: &Target, types: &[Type]) -> Result<Vec<TypedCaller>> {
    let mut out = Vec::new();
    for c in &t.callers {
        if c.args.len() != types.len() {
            return Err(Error::env(
                format!(
                    "workload `{}`: {} parameters in the SQL, {} values",
                    t.name,
                    types.len(),
                    c.args.len()
                ),
                "this is a harness bug: report it",
            ));
        }
        let mut args = Vec::new();
        for (a, ty) in c.args.iter().zip(types) {
            args.push(match a {
                Arg::One(v) => TypedArg::One(Value::typed(v, ty, &t.name)?),
                Arg::AnyOf(vs) if vs.is_empty() => {
                    return Err(Error::env(
                        format!(
                            "workload `{}`: an actor owns no row to draw :id from",
                            t.name
                        ),
                        "seed more rows for the workload's table, or pick another table",
                    ))
                }
                Arg::AnyOf(vs) => TypedArg::AnyOf(Arc::new(
                    vs.iter()
                        .map(|v| Value::typed(v, ty, &t.name))
                        .collect::<Result<_>>()?,
                )),
            });
        }
        out.push(TypedCaller {
            begin: c.begin.clone(),
            args,
        });
    }
    Ok(out)
}

impl Worker {
    async fn load(&self, job: Job) -> Sample {
        let (db, callers) = &job.targets[job.target];
        let (client, stmt) = (&self.clients[*db], &self.statements[job.target]);
        let mut rng = ChaCha8Rng::seed_from_u64(job.seed);
        let mut sample = Sample::new();
        let mut n = 0u32;
        loop {
            let due = match job.schedule {
                None => Instant::now(),
                Some((every, offset)) => job.started + Duration::from_secs_f64(offset) + every * n,
            };
            n += 1;
            let stopped = job.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed));
            if due >= job.deadline || stopped {
                break;
            }
            // Only an open loop waits: tokio's timer rounds up to whole
            // milliseconds, so even a sleep until now would add up to 1 ms
            // to every closed-loop request.
            if job.schedule.is_some() && due > Instant::now() {
                tokio::time::sleep_until(due.into()).await;
            }
            let caller = &callers[rng.random_range(0..callers.len())];
            let result = call(client, stmt, caller, &mut rng, false)
                .await
                .map(|_| ());
            sample.record(due - job.started, due.elapsed(), &result, job.timeline);
        }
        sample
    }
}

/// One request: `caller.begin`, the statement and ROLLBACK, pipelined; or
/// the statement alone. With `first`, returns the first value it read.
async fn call(
    client: &Client,
    stmt: &Statement,
    caller: &TypedCaller,
    rng: &mut ChaCha8Rng,
    first: bool,
) -> std::result::Result<Option<String>, String> {
    let args: Vec<&(dyn ToSql + Sync)> = caller
        .args
        .iter()
        .map(|a| match a {
            TypedArg::One(v) => v as &(dyn ToSql + Sync),
            TypedArg::AnyOf(vs) => &vs[rng.random_range(0..vs.len())] as &(dyn ToSql + Sync),
        })
        .collect();
    let rows = match &caller.begin {
        None => client.query(stmt, &args).await,
        Some(begin) => {
            let (b, rows, r) = tokio::join!(
                client.batch_execute(begin),
                client.query(stmt, &args),
                client.batch_execute("ROLLBACK"),
            );
            b.and(r).and(rows)
        }
    }
    .map_err(|e| match e.as_db_error() {
        Some(db) => format!("{} {}", db.code().code(), db.message()),
        None => e.to_string(),
    })?;
    Ok(if first {
        rows.first().and_then(|r| {
            r.try_get::<_, Option<String>>(0)
                .ok()
                .flatten()
                .or_else(|| Some(format!("{} columns", r.len())))
        })
    } else {
        None
    })
}
