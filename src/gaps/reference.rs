//! What a report reads besides its holders — the standards in force on a day, the qualification
//! scales, the subtree's units on a day (with where each unit's people are counted), and for
//! training demand the modules and seats — kept per data version ([`crate::db::version`]): the
//! caller's version is read by the auth guard before anything else of the request, so an entry is
//! served only while no committed write has happened since it was built, on any app server.
//! Without a version (the CLI, the benchmarks' uncached rows) everything is read afresh.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::Arc;

use super::report::ModuleRef;
use super::store::{self, ScaleRef};
use super::timeline_store::Places;
use crate::db::version::DataVersion;
use crate::db::Db;
use crate::error::AppResult;
use crate::shared::cache::{CacheStats, VersionedCache};
use crate::standards::store::StandardVersion;

/// The standards in force by title code.
type Standards = HashMap<String, StandardVersion>;

/// The caches, each of at most `capacity` entries.
pub struct ReferenceCache {
    standards: VersionedCache<NaiveDate, Standards>,
    scales: VersionedCache<(), ScaleRef>,
    places: VersionedCache<(String, String, NaiveDate), Arc<Places>>,
    modules: VersionedCache<(), ModuleRef>,
}

impl ReferenceCache {
    /// Caches of at most `capacity` entries each (0: keep nothing).
    pub fn new(capacity: usize) -> Self {
        ReferenceCache {
            standards: VersionedCache::new(capacity),
            scales: VersionedCache::new(capacity.min(4)),
            places: VersionedCache::new(capacity),
            modules: VersionedCache::new(capacity.min(4)),
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

    /// The standards in force on `d`.
    pub async fn standards(
        &self,
        db: &Db,
        version: Option<&DataVersion>,
        d: NaiveDate,
    ) -> AppResult<Standards> {
        cached(&self.standards, version, d, || {
            crate::standards::store::in_force(db, d)
        })
        .await
    }

    /// The scales and their levels.
    pub async fn scales(&self, db: &Db, version: Option<&DataVersion>) -> AppResult<ScaleRef> {
        cached(&self.scales, version, (), || store::scale_reference(db)).await
    }

    /// The modules that award a level, the seats planned per module and every module's title
    /// (training demand).
    pub async fn modules(&self, db: &Db, version: Option<&DataVersion>) -> AppResult<ModuleRef> {
        cached(&self.modules, version, (), || store::module_reference(db)).await
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
        cached(&self.places, version, key, || async {
            Ok(Arc::new(Places::read(db, range, d).await?))
        })
        .await
    }
}

async fn cached<K, V, F, Fut>(
    cache: &VersionedCache<K, V>,
    version: Option<&DataVersion>,
    key: K,
    read: F,
) -> AppResult<V>
where
    K: Eq + std::hash::Hash + Clone,
    V: Clone,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<V>>,
{
    let Some(version) = version else {
        return read().await;
    };
    // Valid until the data changes; no instant ends it.
    let now = Utc::now();
    if let Some(hit) = cache.get(key.clone(), version, now) {
        return Ok((*hit).clone());
    }
    let value = read().await?;
    cache.put(
        key,
        version.clone(),
        DateTime::<Utc>::MAX_UTC,
        Arc::new(value.clone()),
    );
    Ok(value)
}
