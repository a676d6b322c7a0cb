//! The people who own the pre-migration rows.

use crate::generate::uuid;
use crate::names::{DOMAINS, FIRST, LAST};
use crate::rng::stream;
use rand::seq::{IndexedRandom, SliceRandom};

/// A seeded user: one row of the users table (and of `auth.users` on
/// Supabase), and the owner of the rows whose owner column holds `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// User id.
    pub id: uuid::Uuid,
    /// E-mail address, unique.
    pub email: String,
    /// Display name.
    pub name: String,
}

impl User {
    /// The part of the e-mail address after `@`, lower-cased.
    pub fn domain(&self) -> &str {
        self.email.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

/// `count` users, `shared` of whom have addresses at the `shared_domains`
/// (round robin), the rest at assorted outside domains. Deterministic in
/// `seed`; the order is shuffled so that shared-domain users are not all first.
pub fn generate(seed: u64, count: usize, shared: usize, shared_domains: &[String]) -> Vec<User> {
    let mut rng = stream(seed, "users");
    let mut users: Vec<User> = (0..count)
        .map(|i| {
            let first = FIRST.choose(&mut rng).unwrap();
            let last = LAST.choose(&mut rng).unwrap();
            let domain = if i < shared && !shared_domains.is_empty() {
                shared_domains[i % shared_domains.len()].clone()
            } else {
                DOMAINS.choose(&mut rng).unwrap().to_string()
            };
            User {
                id: uuid(&mut rng),
                email: format!(
                    "{}.{}{}@{}",
                    first.to_lowercase(),
                    last.to_lowercase(),
                    i + 1,
                    domain
                ),
                name: format!("{first} {last}"),
            }
        })
        .collect();
    users.shuffle(&mut rng);
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_deterministic_unique_and_split_by_domain() {
        let shared = vec!["myroihome.com".to_string()];
        let a = generate(42, 30, 6, &shared);
        assert_eq!(a, generate(42, 30, 6, &shared));
        assert_ne!(a, generate(43, 30, 6, &shared));
        assert_eq!(
            a.iter().filter(|u| u.domain() == "myroihome.com").count(),
            6
        );
        let mut emails: Vec<_> = a.iter().map(|u| &u.email).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), 30);
    }
}
