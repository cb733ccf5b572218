//! API tests: every test runs against the real app on SQLite and on PostgreSQL.

mod helpers;

mod abuse;
mod accounts;
mod audit;
mod audit_labels;
mod auth;
mod cadres;
mod classes;
mod clock;
mod curriculum;
mod demo;
mod errors;
mod exchange;
mod faults;
mod gap_lang;
mod generate;
mod generated_rules;
mod health;
mod imports;
mod imports_bulk;
mod me;
mod paging;
mod parity;
mod proxy;
mod public_data;
mod record_cache;
mod record_edits;
mod reorganisation;
mod reports;
mod scale;
mod standards;
mod templates;
mod timeline;
mod units;
mod uploads;
