//! API tests: every test runs against the real app on SQLite and on PostgreSQL.

mod helpers;

mod abuse;
mod accounts;
mod audit;
mod auth;
mod cadres;
mod classes;
mod clock;
mod curriculum;
mod demo;
mod error_reasons;
mod errors;
mod exchange;
mod faults;
mod generate;
mod generated_rules;
mod health;
mod imports;
mod imports_bulk;
mod me;
mod parity;
mod proxy;
mod public_data;
mod record_cache;
mod reorganisation;
mod reports;
mod scale;
mod standards;
mod templates;
mod timeline;
mod units;
mod uploads;
