//! Password hashing with argon2id. Hashing is CPU-bound, so it runs on the
//! blocking pool behind a semaphore sized to the cores: a burst of sign-ins
//! queues instead of starving the request handlers.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
pub const M_COST_KIB: u32 = 19 * 1024;
pub const T_COST: u32 = 2;
pub const P_COST: u32 = 1;

static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)));

fn argon2() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid argon2 params");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password, verified against when the account does not
/// exist so that unknown and known addresses take the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_blocking(&kernel::crypto::random_token(16)));

fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password.as_bytes(), &salt).expect("argon2 hashing").to_string()
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        // eID-only accounts have no usable hash: spend the same time anyway,
        // so response times do not tell which addresses they are.
        Err(_) => {
            if let Ok(dummy) = PasswordHash::new(&DUMMY_HASH) {
                let _ = argon2().verify_password(password.as_bytes(), &dummy);
            }
            false
        }
    }
}

pub async fn hash(password: String) -> String {
    let _slot = SLOTS.acquire().await.expect("semaphore open");
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await.expect("hash task")
}

/// Verify against `hash`, or against the dummy hash when there is none.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    let _slot = SLOTS.acquire().await.expect("semaphore open");
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_blocking(&password, &h),
        None => {
            let _ = verify_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .expect("verify task")
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_is_argon2id_and_verifies() {
        let h = super::hash_blocking("correct horse battery staple");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(super::verify_blocking("correct horse battery staple", &h));
        assert!(!super::verify_blocking("wrong", &h));
    }
}
