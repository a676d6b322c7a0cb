//! The library's shape, kept by a test: data flows one way through the
//! pipeline's stages, no module reaches up to a later one, sibling modules
//! form no cycle, and every typed check id is emitted by some check.
//!
//! It reads the `crate::` and `super::` paths of every module under
//! `harness/` (comments, tests and re-exports aside), which is what a
//! newcomer reads too. Pure: no server, runs in the fast tier.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules in pipeline order: each may use only those
/// before it. Adding a module means placing it here.
const LAYERS: &[&str] = &[
    "core",
    "exit_codes",
    "error",
    "redact",
    "progress",
    "provision",
    "scenario",
    "supabase",
    "migrate",
    "seed",
    "snapshot",
    "probe",
    "impersonate",
    "identities",
    "checks",
    "strategies",
    "bench",
    "report",
    "reporter",
    "pipeline",
    "testing",
    "init",
];

/// Module path (`checks::audit`) → source, for every file under harness/.
fn modules() -> BTreeMap<Vec<String>, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("harness");
    let mut out = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&root).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into()).collect();
            if parts == ["lib"] || parts == ["main"] {
                continue;
            }
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            out.insert(parts, std::fs::read_to_string(&path).unwrap());
        }
    }
    out
}

/// The code a module runs: without its test module, comments, `mod`
/// declarations and re-exports.
fn code(src: &str) -> String {
    let lines: Vec<&str> = src.lines().collect();
    let test_module = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod "));
    lines[..test_module.unwrap_or(lines.len())]
        .iter()
        .map(|l| l.trim_start())
        .filter(|l| {
            !l.starts_with("//") && !l.starts_with("pub use ") && !l.starts_with("pub(crate) use ")
        })
        .filter(|l| !(l.starts_with("mod ") || l.starts_with("pub mod ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module another module's code refers to.
fn edges(mods: &BTreeMap<Vec<String>, String>) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let known: BTreeSet<&Vec<String>> = mods.keys().collect();
    let resolve = |segs: Vec<String>| -> Option<Vec<String>> {
        (1..=segs.len())
            .rev()
            .map(|n| segs[..n].to_vec())
            .find(|c| known.contains(c))
    };
    let mut out = BTreeMap::new();
    for (m, src) in mods {
        let dir_module = mods.keys().any(|k| k.len() > m.len() && k.starts_with(m));
        let parent: Vec<String> = if dir_module {
            m.clone()
        } else {
            m[..m.len() - 1].to_vec()
        };
        let code = code(src);
        let mut deps = BTreeSet::new();
        // `crate::a::b`, `super::a`, and the items of `use crate::{a, b::c}` / `use super::{a, b}`.
        let mut paths: Vec<(bool, String)> = Vec::new();
        for (kw, is_crate) in [("crate::", true), ("super::", false)] {
            let mut rest = code.as_str();
            while let Some(i) = rest.find(kw) {
                let before = rest[..i].chars().last();
                rest = &rest[i + kw.len()..];
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                if let Some(group) = rest.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    for item in group[..end].split(',') {
                        let item = item.trim().split("::{").next().unwrap_or_default();
                        paths.push((is_crate, item.to_string()));
                    }
                } else {
                    let end = rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .unwrap_or(rest.len());
                    paths.push((is_crate, rest[..end].to_string()));
                }
            }
        }
        for (is_crate, path) in paths {
            let mut segs: Vec<String> = if is_crate {
                Vec::new()
            } else {
                let mut p = parent.clone();
                if dir_module {
                    p.pop();
                }
                p
            };
            segs.extend(path.split("::").filter(|s| !s.is_empty()).map(String::from));
            if let Some(target) = resolve(segs) {
                if &target != m {
                    deps.insert(target);
                }
            }
        }
        out.insert(m.clone(), deps);
    }
    out
}

#[test]
fn every_top_level_module_has_a_layer() {
    for m in modules().keys() {
        assert!(
            LAYERS.contains(&m[0].as_str()),
            "module {} has no place in LAYERS",
            m[0]
        );
    }
}

#[test]
fn data_flows_one_way_through_the_layers() {
    let mods = modules();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m).unwrap();
    let mut upward = Vec::new();
    for (m, deps) in edges(&mods) {
        for d in deps {
            if d[0] != m[0] && rank(&d[0]) > rank(&m[0]) {
                upward.push(format!("{} uses {}", m.join("::"), d.join("::")));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "modules reach up to later stages:\n{}",
        upward.join("\n")
    );
}

#[test]
fn sibling_modules_form_no_cycle() {
    let mods = modules();
    let edges = edges(&mods);
    // Within each directory, the graph among its files (the directory's own mod.rs aside).
    let siblings = |a: &Vec<String>, b: &Vec<String>| {
        a.len() == b.len() && a[..a.len() - 1] == b[..b.len() - 1]
    };
    fn visit(
        n: &Vec<String>,
        g: &BTreeMap<Vec<String>, Vec<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        path: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|p| p == n).unwrap();
                return Some(path[start..].to_vec());
            }
            _ => {}
        }
        state.insert(n.clone(), 1);
        path.push(n.clone());
        for d in g.get(n).into_iter().flatten() {
            if let Some(cycle) = visit(d, g, state, path) {
                return Some(cycle);
            }
        }
        path.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut g: BTreeMap<Vec<String>, Vec<Vec<String>>> = BTreeMap::new();
    for (m, deps) in &edges {
        for d in deps {
            // An edge to a child of a sibling counts as one to the sibling.
            let d = if d.len() > m.len() {
                d[..m.len()].to_vec()
            } else {
                d.clone()
            };
            if m.len() > 1 && siblings(m, &d) {
                g.entry(m.clone()).or_default().push(d);
            }
        }
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if let Some(cycle) = visit(n, &g, &mut state, &mut Vec::new()) {
            let names: Vec<String> = cycle.iter().map(|c| c.join("::")).collect();
            panic!("sibling modules form a cycle: {}", names.join(" -> "));
        }
    }
}

#[test]
fn core_uses_nothing_of_the_crate() {
    let mods = modules();
    for (m, deps) in edges(&mods) {
        if m[0] == "core" {
            let outside: Vec<_> = deps.iter().filter(|d| d[0] != "core").collect();
            assert!(outside.is_empty(), "{} uses {outside:?}", m.join("::"));
        }
    }
}

#[test]
fn every_check_id_is_emitted_by_a_check() {
    let mods = modules();
    let id_src = &mods[&vec!["checks".to_string(), "id".to_string()]];
    let registry = id_src.split("check_ids! {").nth(1).unwrap();
    let emitters: String = mods
        .iter()
        .filter(|(m, _)| m.as_slice() != ["checks", "id"])
        .map(|(_, s)| code(s))
        .collect();
    for line in registry.lines() {
        let Some((variant, _)) = line.trim().split_once(" = \"") else {
            continue;
        };
        let variant = variant.trim();
        // Row comparisons reach their ids through `Compared` (rows lost, changed, added).
        let through_compared = ["RowsLost", "RowsChanged", "RowsAdded"]
            .iter()
            .any(|s| variant.ends_with(s));
        assert!(
            emitters.contains(&format!("CheckId::{variant}")) || through_compared,
            "CheckId::{variant} is in the registry but no check emits it"
        );
    }
}
