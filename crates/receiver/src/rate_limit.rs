//! Per-client token buckets, in memory: `burst` tickets at once, refilled at `per_minute`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The rate limit for one client.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per minute; 0 turns the limit off.
    pub per_minute: u32,
    /// Requests a client may make at once after being idle.
    pub burst: u32,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Token buckets keyed by client IP.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        Self { limit, buckets: Mutex::new(HashMap::new()) }
    }

    fn per_second(&self) -> f64 {
        f64::from(self.limit.per_minute) / 60.0
    }

    fn capacity(&self) -> f64 {
        f64::from(self.limit.burst.max(1))
    }

    /// Takes one token for `client` at `now`: `Ok` when allowed, `Err(wait)` with the time until
    /// the next token otherwise.
    pub fn check_at(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.limit.per_minute == 0 {
            return Ok(());
        }
        let capacity = self.capacity();
        let rate = self.per_second();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let bucket = buckets.entry(client).or_insert(Bucket { tokens: capacity, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }

    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.check_at(client, Instant::now())
    }

    /// Forgets clients whose buckets have refilled completely (they are back to the default).
    pub fn prune_at(&self, now: Instant) {
        if self.limit.per_minute == 0 {
            return;
        }
        let capacity = self.capacity();
        let rate = self.per_second();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        buckets.retain(|_, bucket| {
            bucket.tokens + now.saturating_duration_since(bucket.updated).as_secs_f64() * rate < capacity
        });
    }

    pub fn tracked_clients(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
    }
}

/// `Retry-After` seconds for a wait: rounded up, at least 1.
pub fn retry_after_seconds(wait: Duration) -> u64 {
    let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    whole.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn burst_then_refusal_then_refill() {
        let limiter = RateLimiter::new(RateLimit { per_minute: 6, burst: 2 });
        let t0 = Instant::now();
        assert!(limiter.check_at(A, t0).is_ok());
        assert!(limiter.check_at(A, t0).is_ok());
        let wait = limiter.check_at(A, t0).unwrap_err();
        assert_eq!(retry_after_seconds(wait), 10, "6/min = one token every 10 s");
        assert!(limiter.check_at(B, t0).is_ok(), "clients have separate buckets");
        assert!(limiter.check_at(A, t0 + Duration::from_secs(5)).is_err());
        assert!(limiter.check_at(A, t0 + Duration::from_secs(10)).is_ok());
    }

    #[test]
    fn zero_per_minute_means_unlimited() {
        let limiter = RateLimiter::new(RateLimit { per_minute: 0, burst: 0 });
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(limiter.check_at(A, t0).is_ok());
        }
        assert_eq!(limiter.tracked_clients(), 0);
    }

    #[test]
    fn prune_forgets_only_full_buckets() {
        let limiter = RateLimiter::new(RateLimit { per_minute: 60, burst: 5 });
        let t0 = Instant::now();
        assert!(limiter.check_at(A, t0).is_ok());
        limiter.prune_at(t0);
        assert_eq!(limiter.tracked_clients(), 1);
        limiter.prune_at(t0 + Duration::from_secs(2));
        assert_eq!(limiter.tracked_clients(), 0);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::from_secs(3)), 3);
    }
}
