//! A bounded in-memory cache whose entries are checked against the database's data version
//! ([`crate::db::version`]) on every read, so no app server serves what another has changed.
//! Pure: no database, no clock of its own.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::db::version::DataVersion;

/// Entries keyed by `K`, each tagged with the data version read before it was built and an
/// instant after which it no longer holds even if no data changed (a session ended, a day passed).
pub struct VersionedCache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Entry<V> {
    version: DataVersion,
    valid_until: DateTime<Utc>,
    value: Arc<V>,
}

/// Hits and misses since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Reads answered from the cache.
    pub hits: u64,
    /// Reads that had to build the value.
    pub misses: u64,
}

impl<K: Eq + Hash + Clone, V> VersionedCache<K, V> {
    /// A cache of at most `capacity` entries (0: it keeps nothing).
    pub fn new(capacity: usize) -> Self {
        VersionedCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The value for `key` if it was built at data version `version` and is still valid `now`.
    pub fn get(&self, key: K, version: &DataVersion, now: DateTime<Utc>) -> Option<Arc<V>> {
        let found = self.lock().get(&key).and_then(|e| {
            (e.version == *version && now < e.valid_until).then(|| Arc::clone(&e.value))
        });
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps `value`, built from data read after `version` was read, until `valid_until`.
    /// When full, entries of other versions go first (they can never be served again unless the
    /// version returns, which it does not); if most are current, everything goes.
    pub fn put(&self, key: K, version: DataVersion, valid_until: DateTime<Utc>, value: Arc<V>) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, e| e.version == version);
            if entries.len() >= self.capacity / 4 * 3 {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                version,
                valid_until,
                value,
            },
        );
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hits and misses since start.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Entry<V>>> {
        // A panic while holding the lock cannot leave an entry half-written (insert and retain
        // are single calls), so a poisoned map is still sound.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn v(s: &str) -> DataVersion {
        DataVersion(s.into())
    }

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, h, 0, 0).unwrap()
    }

    #[test]
    fn serves_only_the_same_version_before_expiry() {
        let c = VersionedCache::new(8);
        c.put(1, v("7"), at(12), Arc::new("record"));
        assert_eq!(c.get(1, &v("7"), at(9)).as_deref(), Some(&"record"));
        assert!(c.get(1, &v("8"), at(9)).is_none(), "another version");
        assert!(c.get(1, &v("7"), at(12)).is_none(), "expired");
        assert!(c.get(2, &v("7"), at(9)).is_none(), "another key");
        assert_eq!(c.stats(), CacheStats { hits: 1, misses: 3 });
    }

    #[test]
    fn a_newer_build_replaces_the_entry() {
        let c = VersionedCache::new(8);
        c.put(1, v("7"), at(12), Arc::new(1));
        c.put(1, v("8"), at(12), Arc::new(2));
        assert!(c.get(1, &v("7"), at(9)).is_none());
        assert_eq!(c.get(1, &v("8"), at(9)).as_deref(), Some(&2));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn stays_within_capacity_dropping_other_versions_first() {
        let c = VersionedCache::new(4);
        c.put(1, v("old"), at(12), Arc::new(1));
        c.put(2, v("old"), at(12), Arc::new(2));
        c.put(3, v("new"), at(12), Arc::new(3));
        c.put(4, v("new"), at(12), Arc::new(4));
        c.put(5, v("new"), at(12), Arc::new(5));
        assert_eq!(c.len(), 3, "the two old entries went");
        assert_eq!(c.get(3, &v("new"), at(9)).as_deref(), Some(&3));
        for k in 6..100 {
            c.put(k, v("new"), at(12), Arc::new(k));
            assert!(c.len() <= 4);
        }
        assert_eq!(c.get(99, &v("new"), at(9)).as_deref(), Some(&99));
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let c = VersionedCache::new(0);
        c.put(1, v("7"), at(12), Arc::new(1));
        assert!(c.is_empty());
        assert!(c.get(1, &v("7"), at(9)).is_none());
    }
}
