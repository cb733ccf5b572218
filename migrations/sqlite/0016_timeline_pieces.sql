-- Closed timeline intervals are now stored cut into pieces of at most 365 days
-- (src/gaps/timeline.rs, PIECE_DAYS), so that a report as of D reads a bounded range of the key
-- (unit, end) instead of every interval ending after D. The intervals written before are whole:
-- every holder is marked as recorded before (tx 0), and the start-up catch-up
-- (timeline_store::flush_backlog) rebuilds their timelines in pieces.
INSERT OR IGNORE INTO timeline_dirty (tx, cadre_id) SELECT DISTINCT 0, cadre_id FROM holder_timeline;
