//! What a report reads besides its holders — the standards in force on a day, the qualification
//! scales, the subtree's units on a day (with where each unit's people are counted), and for
//! training demand the modules and seats — kept per version ([`crate::db::version`]): the
//! standards, scales and places per **reference version** (moved only by writes to the standards,
//! the scales and the unit tree, so they stay cached across completions, enrolments and moves),
//! the modules and seats per **data version** (any write). The caller's versions are read by the
//! auth guard before anything else of the request, so an entry is served only while nothing it
//! was built from has changed, on any app server. Without a version (the CLI, the benchmarks'
//! uncached rows) everything is read afresh.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::report::ModuleRef;
use super::store::{self, ScaleRef};
use super::timeline_store::{Places, Reach};
use crate::db::version::DataVersion;
use crate::db::{Conn, Db};
use crate::error::AppResult;
use crate::shared::cache::{CacheStats, VersionedCache};
use crate::standards::store::StandardVersion;

/// The standards in force by title code.
type Standards = HashMap<String, StandardVersion>;

/// The caches, each of at most `capacity` entries.
pub struct ReferenceCache {
    standards: VersionedCache<NaiveDate, Standards>,
    scales: VersionedCache<(), ScaleRef>,
    places: VersionedCache<(String, String, NaiveDate), Places>,
    modules: VersionedCache<(), ModuleRef>,
    /// Whether each subtree read held its whole tree the last time its places were read, at any
    /// reference version: only how a read finds its rows depends on it ([`Reach`]), never what it counts,
    /// so it outlives the reference version it was read at.
    whole: Mutex<HashMap<(String, String), bool>>,
}

/// Subtrees whose wholeness is kept (beyond it the map starts again).
const WHOLE_ENTRIES: usize = 4_096;

impl ReferenceCache {
    /// Caches of at most `capacity` entries each (0: keep nothing).
    pub fn new(capacity: usize) -> Self {
        ReferenceCache {
            standards: VersionedCache::new(capacity),
            scales: VersionedCache::new(capacity.min(4)),
            places: VersionedCache::new(capacity),
            modules: VersionedCache::new(capacity.min(4)),
            whole: Mutex::new(HashMap::new()),
        }
    }

    /// Hits and misses of the caches together, since start.
    pub fn stats(&self) -> CacheStats {
        [
            self.standards.stats(),
            self.scales.stats(),
            self.places.stats(),
            self.modules.stats(),
        ]
        .iter()
        .fold(CacheStats::default(), |t, s| CacheStats {
            hits: t.hits + s.hits,
            misses: t.misses + s.misses,
        })
    }

    /// The standards in force on `d` (shared with the cache, not copied).
    pub async fn standards(
        &self,
        db: &Db,
        version: Option<&DataVersion>,
        d: NaiveDate,
    ) -> AppResult<Arc<Standards>> {
        shared(&self.standards, version, d, || {
            crate::standards::store::in_force(db, d)
        })
        .await
    }

    /// The scales and their levels (shared with the cache).
    pub async fn scales(&self, db: &Db, version: Option<&DataVersion>) -> AppResult<Arc<ScaleRef>> {
        shared(&self.scales, version, (), || store::scale_reference(db)).await
    }

    /// The standards in force on `d` and the scales for a request that holds a pooled connection
    /// (`/api/me`): shared with the cache, not copied, and when missing read on that connection
    /// (never a second one while it is held: a burst of such requests could take the whole pool).
    pub async fn held(
        &self,
        conn: &mut Conn,
        version: Option<&DataVersion>,
        d: NaiveDate,
    ) -> AppResult<(Arc<Standards>, Arc<ScaleRef>)> {
        let standards = shared(&self.standards, version, d, || {
            crate::standards::store::in_force(&mut *conn, d)
        })
        .await?;
        let scales = shared(&self.scales, version, (), || {
            store::scale_reference(&mut *conn)
        })
        .await?;
        Ok((standards, scales))
    }

    /// The modules that award a level, the seats planned per module and every module's title
    /// (training demand).
    pub async fn modules(
        &self,
        db: &Db,
        version: Option<&DataVersion>,
    ) -> AppResult<Arc<ModuleRef>> {
        shared(&self.modules, version, (), || store::module_reference(db)).await
    }

    /// The live units of the subtree `range` on day `d`, and where each unit's people are
    /// counted that day.
    pub async fn places(
        &self,
        db: &Db,
        version: Option<&DataVersion>,
        range: &(String, String),
        d: NaiveDate,
    ) -> AppResult<Arc<Places>> {
        let key = (range.0.clone(), range.1.clone(), d);
        shared(&self.places, version, key, || async {
            let places = Places::read(db, range, d).await?;
            self.saw(range, places.whole());
            Ok(places)
        })
        .await
    }

    /// How a counting read of the subtree `range` finds its rows: by day when its places, the
    /// last time they were read, held the whole tree (or it is the whole tree), else by its units.
    pub fn reach(&self, range: &(String, String)) -> Reach {
        let whole = self.whole_map().get(range).copied().unwrap_or(false);
        Reach::of(range, whole)
    }

    /// Notes whether the subtree `range`'s places held the whole tree.
    fn saw(&self, range: &(String, String), whole: bool) {
        let mut map = self.whole_map();
        if map.len() >= WHOLE_ENTRIES && !map.contains_key(range) {
            map.clear();
        }
        map.insert(range.clone(), whole);
    }

    fn whole_map(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), bool>> {
        // A panic while holding the lock leaves a map of plain booleans: still usable.
        self.whole.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The entry of `key` at `version`, shared with the cache: read by `read` and kept when missing
/// or built at another version; without a version, read and not kept.
async fn shared<K, V, F, Fut>(
    cache: &VersionedCache<K, V>,
    version: Option<&DataVersion>,
    key: K,
    read: F,
) -> AppResult<Arc<V>>
where
    K: Eq + std::hash::Hash + Clone,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<V>>,
{
    let Some(version) = version else {
        return Ok(Arc::new(read().await?));
    };
    // Valid until the data changes; no instant ends it.
    let now = Utc::now();
    if let Some(hit) = cache.get(key.clone(), version, now) {
        return Ok(hit);
    }
    let value = Arc::new(read().await?);
    cache.put(
        key,
        version.clone(),
        DateTime::<Utc>::MAX_UTC,
        Arc::clone(&value),
    );
    Ok(value)
}
