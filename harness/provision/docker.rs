//! The docker backend: one container per run, published on 127.0.0.1 only,
//! removed (with its volumes) when the run ends.
//!
//! It talks to the daemon through bollard with API version negotiation.
//! testcontainers-rs was the first choice, but it pins the API version of
//! its bollard (1.53 in 0.28) without negotiating, so it cannot talk to any
//! engine older than that, including the Docker 20.10 that Debian 12 ships
//! and this project's CI runs. Negotiation works from Docker 20.10 to 29.

use super::{cleanup, loopback_config, Server, SERVER_SETTINGS};
use crate::error::{Error, Result};
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, RemoveContainerOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio_postgres::Config;

const LABEL: &str = "tenant-harness";

async fn client() -> Result<Docker> {
    let fix = "start the Docker daemon (dockerd) or use --backend local";
    let docker = Docker::connect_with_defaults()
        .map_err(|e| Error::env(format!("no Docker client: {e}"), fix))?;
    let docker = tokio::time::timeout(Duration::from_secs(5), docker.negotiate_version())
        .await
        .map_err(|_| Error::env("the Docker daemon did not answer within 5 s", fix))?
        .map_err(|e| Error::env(format!("the Docker daemon does not answer: {e}"), fix))?;
    Ok(docker)
}

/// Whether the daemon answers and `image` is present or can be pulled.
pub async fn probe(image: &str, pull: bool) -> Result<()> {
    let docker = client().await?;
    ensure_image(&docker, image, pull).await
}

async fn ensure_image(docker: &Docker, image: &str, pull: bool) -> Result<()> {
    if docker.inspect_image(image).await.is_ok() {
        return Ok(());
    }
    if !pull {
        return Err(Error::env(
            format!("image {image} is not present and pulling is off"),
            "build one offline with scripts/build-local-image and set TENANT_HARNESS_IMAGE, or allow pulling",
        ));
    }
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (image, "latest"),
    };
    let options = CreateImageOptions {
        from_image: Some(name.to_string()),
        tag: Some(tag.to_string()),
        ..Default::default()
    };
    let pull = async {
        let mut stream = docker.create_image(Some(options), None, None);
        while let Some(item) = stream.next().await {
            item?;
        }
        Ok::<_, bollard::errors::Error>(())
    };
    let fix = format!("build one offline with scripts/build-local-image and set TENANT_HARNESS_IMAGE, or docker pull {image}");
    match tokio::time::timeout(Duration::from_secs(120), pull).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Error::env(
            format!("image {image} is not present and cannot be pulled: {e}"),
            fix,
        )),
        Err(_) => Err(Error::env(
            format!("image {image} is not present and pulling it timed out"),
            fix,
        )),
    }
}

/// Starts a container from `image` and waits until it accepts connections.
pub(crate) async fn start(image: &str, pull: bool) -> Result<Server> {
    let docker = client().await?;
    ensure_image(&docker, image, pull).await?;
    let password = uuid::Uuid::new_v4().simple().to_string();
    let name = format!(
        "tenant-harness-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let mut bindings = HashMap::new();
    // An empty host port lets Docker choose a free one, on loopback only.
    bindings.insert(
        "5432/tcp".to_string(),
        Some(vec![PortBinding {
            host_ip: Some("127.0.0.1".into()),
            host_port: Some(String::new()),
        }]),
    );
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        env: Some(vec![
            format!("POSTGRES_PASSWORD={password}"),
            "POSTGRES_USER=postgres".into(),
        ]),
        cmd: Some(SERVER_SETTINGS.map(String::from).to_vec()),
        labels: Some(HashMap::from([(
            LABEL.to_string(),
            std::process::id().to_string(),
        )])),
        host_config: Some(HostConfig {
            port_bindings: Some(bindings),
            ..Default::default()
        }),
        ..Default::default()
    };
    let fix = "check `docker info` and the image";
    let created = docker
        .create_container(
            Some(CreateContainerOptions {
                name: Some(name.clone()),
                ..Default::default()
            }),
            body,
        )
        .await
        .map_err(|e| Error::env(format!("creating a container from {image}: {e}"), fix))?;
    let id = created.id;
    // Registered before start, so a failed start still removes the container.
    let guard = cleanup::register(format!("container {name} ({image})"), {
        let id = id.clone();
        move || cleanup::block_on_fresh(move || async move { remove(&id).await })
    });
    docker
        .start_container(&id, None)
        .await
        .map_err(|e| Error::env(format!("starting container {name}: {e}"), fix))?;
    let inspect = docker
        .inspect_container(&id, None)
        .await
        .map_err(|e| Error::env(format!("inspecting container {name}: {e}"), fix))?;
    let port: u16 = inspect
        .network_settings
        .and_then(|n| n.ports)
        .and_then(|p| p.get("5432/tcp").cloned().flatten())
        .and_then(|b| b.into_iter().find_map(|b| b.host_port))
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| {
            Error::env(
                format!("container {name} has no published port for 5432"),
                "the image must EXPOSE 5432",
            )
        })?;
    let config = loopback_config(port, &password);
    let description = format!("docker container {name} from {image} on 127.0.0.1:{port}");
    wait_ready(&docker, &id, &config, &description).await?;
    Ok(Server {
        admin: config,
        description,
        guard,
    })
}

/// The official image runs a temporary server during its first start (on a
/// unix socket only), then restarts; a TCP login that runs a query is the
/// signal that the final server is up.
async fn wait_ready(docker: &Docker, id: &str, config: &Config, description: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut last = String::new();
    while Instant::now() < deadline {
        match config.connect(tokio_postgres::NoTls).await {
            Ok((client, conn)) => {
                let task = tokio::spawn(conn);
                let ok = client.simple_query("SELECT 1").await.is_ok();
                drop(client);
                let _ = task.await;
                if ok {
                    return Ok(());
                }
            }
            Err(e) => last = e.to_string(),
        }
        if let Ok(c) = docker.inspect_container(id, None).await {
            if c.state.and_then(|s| s.running) == Some(false) {
                return Err(Error::env(
                    format!("{description} exited during startup"),
                    format!("docker logs {id}"),
                ));
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(Error::env(
        format!("{description} did not accept connections within 90 s: {last}"),
        format!("docker logs {id}"),
    ))
}

async fn remove(id: &str) {
    if let Ok(docker) = client().await {
        let _ = docker
            .remove_container(
                id,
                Some(RemoveContainerOptions {
                    force: true,
                    v: true,
                    link: false,
                }),
            )
            .await;
    }
}

/// Ids of containers this harness labelled, for tests that prove nothing is left behind.
pub async fn leftover_containers() -> Result<Vec<String>> {
    let docker = client().await?;
    let filters = HashMap::from([("label".to_string(), vec![LABEL.to_string()])]);
    let list = docker
        .list_containers(Some(bollard::query_parameters::ListContainersOptions {
            all: true,
            filters: Some(filters),
            ..Default::default()
        }))
        .await
        .map_err(|e| Error::env(format!("listing containers: {e}"), "check `docker info`"))?;
    Ok(list.into_iter().filter_map(|c| c.id).collect())
}
