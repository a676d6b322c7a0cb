//! The scenario passes on each backend, and each backend cleans up after itself.

mod common;

use common::scenario_dir;
use tenant_harness::provision::{self, docker, Backend, Options};
use tenant_harness::Harness;

/// The docker test needs a daemon and an image; CI provides both
/// (.ci/run builds the image offline). Elsewhere set
/// TENANT_HARNESS_SKIP_DOCKER=1 to skip it explicitly.
#[tokio::test]
async fn the_scenario_passes_on_docker_and_the_container_is_removed() {
    if std::env::var("TENANT_HARNESS_SKIP_DOCKER").is_ok_and(|v| v == "1") {
        eprintln!("skipped: TENANT_HARNESS_SKIP_DOCKER=1");
        return;
    }
    let image =
        std::env::var("TENANT_HARNESS_IMAGE").unwrap_or_else(|_| provision::DEFAULT_IMAGE.into());
    let before = docker::leftover_containers()
        .await
        .expect("a Docker daemon (or set TENANT_HARNESS_SKIP_DOCKER=1)");
    let mut h = Harness::builder(scenario_dir())
        .unwrap()
        .backend(Backend::Docker)
        .image(&image)
        .pull(false)
        .start()
        .await
        .expect("docker backend starts");
    assert_eq!(h.database().backend, Backend::Docker);
    assert!(
        h.database().description.contains("127.0.0.1:"),
        "published on loopback: {}",
        h.database().description
    );
    let during = docker::leftover_containers().await.unwrap();
    assert_eq!(during.len(), before.len() + 1);
    h.assert_isolated().await;
    h.close();
    let after = docker::leftover_containers().await.unwrap();
    assert_eq!(after, before, "the run's container is gone");
}

#[tokio::test]
async fn the_url_backend_works_in_its_own_database_and_drops_it() {
    // A server to play "someone else's" PostgreSQL, with a database we must not touch.
    let server = provision::provision(&Options {
        backend: Backend::Local,
        ..Options::default()
    })
    .await
    .unwrap();
    let owner = server.connect().await.unwrap();
    owner
        .batch_execute("CREATE TABLE precious (id int); INSERT INTO precious VALUES (1), (2)")
        .await
        .unwrap();
    let cfg = server.config();
    let password = String::from_utf8(cfg.get_password().unwrap().to_vec()).unwrap();
    let port = cfg.get_ports()[0];
    let url = format!("postgres://postgres:{password}@127.0.0.1:{port}/postgres");
    let databases = || async {
        let mut names: Vec<String> = owner
            .query("SELECT datname::text FROM pg_database", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        names.sort();
        names
    };
    let before = databases().await;

    let mut h = Harness::builder(scenario_dir())
        .unwrap()
        .backend(Backend::Url)
        .database_url(&url)
        .start()
        .await
        .unwrap();
    assert_eq!(h.database().backend, Backend::Url);
    assert!(h.database().name.starts_with("tenant_harness_"));
    let during: Vec<String> = databases()
        .await
        .into_iter()
        .filter(|d| !before.contains(d))
        .collect();
    let run = &h.database().name;
    assert_eq!(
        during,
        [run.clone(), format!("{run}_rollback")],
        "the run's database and its copy for the rollback proof, nothing else"
    );
    h.assert_isolated().await;
    h.close();

    assert_eq!(
        databases().await,
        before,
        "the run's databases are dropped, nothing else"
    );
    let n: i64 = owner
        .query_one("SELECT count(*) FROM precious", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2, "the other databases are untouched");
}

#[tokio::test]
async fn local_without_binaries_says_what_to_install() {
    let opts = Options {
        backend: Backend::Local,
        pg_bin: Some("/nonexistent/bin".into()),
        ..Options::default()
    };
    let err = provision::provision(&opts)
        .await
        .err()
        .expect("no binaries there");
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("--pg-bin"), "{err}");
}
