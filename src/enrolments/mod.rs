//! Enrolments: seats up to capacity, then a FIFO waitlist; withdrawals promote the first waiting.

pub mod domain;
pub mod routes;
pub mod service;
pub mod store;
