//! Printable documents: certificates (A4 landscape, with a QR code of the public check) and
//! sign-in sheets for a class's sessions, as PDF.

pub mod domain;
pub mod pdf;
pub mod routes;
pub mod service;
