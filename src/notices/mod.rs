//! Notices: what a cadre and the officers of the cadre's unit are told (enrolled, waitlisted,
//! promoted, a class rescheduled or cancelled, reminders, a completion, a revoked certificate), in
//! an in-app inbox per account and by e-mail. Notices are written in the transaction of their
//! event (the inbox and the e-mail outbox are the same rows), so none is lost or told of an event
//! that rolled back.

pub mod domain;
pub mod routes;
pub mod sender;
pub mod service;
pub mod smtp;
pub mod store;

pub use domain::NoticeKind;
pub use service::Notifier;
pub use store::Seats;
