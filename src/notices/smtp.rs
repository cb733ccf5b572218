//! One SMTP session per message, over a TCP connection this module opens itself, with lettre's
//! protocol client (`AsyncSmtpConnection`) on top.
//!
//! Why not lettre's own transport: it opens its socket with Nagle's algorithm on, and writes a
//! message and its closing `\r\n.\r\n` as two writes, so every message waited for the relay's
//! delayed ACK (about 40 ms on Linux: 48 ms a message, BENCHMARKS "E-mail sender throughput");
//! and it bounds only the connect, so a relay that took the connection and then said nothing
//! held the sender's round, and every later e-mail of that app server, for ever. Here the socket
//! has `TCP_NODELAY`, and the whole session (connect, TLS, EHLO, AUTH, the message, QUIT) is
//! bounded by `smtp_timeout_secs`.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, TlsParameters,
};
use lettre::transport::smtp::extension::ClientId;
use rocket::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use rocket::tokio::net::TcpStream;

/// What begins each certificate of a PEM file.
const CERTIFICATE_PEM: &[u8] = b"-----BEGIN CERTIFICATE-----";

/// How the session is protected.
enum Security {
    /// Plain SMTP (a relay on this machine, or a test sink).
    None,
    /// STARTTLS, required: a relay that does not offer it is refused.
    StartTls(TlsParameters),
    /// Implicit TLS from the first byte (SMTPS, usually port 465).
    Tls(TlsParameters),
}

/// Where and how to send: the relay's address, its protection, the credentials.
pub struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
}

/// The settings a [`Relay`] is made from.
pub struct RelaySettings<'a> {
    /// The relay's host name (checked against its certificate under TLS).
    pub host: &'a str,
    /// Its port.
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub tls: &'a str,
    /// A PEM file of certificates to trust besides the web PKI's roots (a relay with a private CA).
    pub ca_file: Option<&'a str>,
    /// The name given in EHLO; `None`: this machine's host name.
    pub hello_name: Option<&'a str>,
    /// User name and password, if the relay asks for them.
    pub credentials: Option<(String, String)>,
    /// The bound on one whole session.
    pub timeout: Duration,
}

/// Why a message was not sent.
#[derive(Debug)]
pub enum SendError {
    /// The relay answered with an error, or the protocol or TLS failed.
    Smtp(lettre::transport::smtp::Error),
    /// No TCP connection could be made.
    Connect(io::Error),
    /// The session did not end within the bound.
    Timeout,
}

impl SendError {
    /// A refusal that another try would meet again (a 5xx reply).
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Smtp(e) if e.is_permanent())
    }

    /// The session ran out of time (no connection, or no answer): the relay, not the message.
    pub fn is_timeout(&self) -> bool {
        match self {
            SendError::Smtp(e) => e.is_timeout(),
            SendError::Connect(e) => e.kind() == io::ErrorKind::TimedOut,
            SendError::Timeout => true,
        }
    }

    /// What the failure is recorded as: the reply code or the kind, never the relay's text
    /// (which may quote the address).
    pub fn label(&self) -> String {
        match self {
            SendError::Smtp(e) => match e.status() {
                Some(code) => format!("SMTP {code}"),
                None if e.is_timeout() => "timeout".into(),
                None => "connection failed".into(),
            },
            SendError::Connect(_) => "connection failed".into(),
            SendError::Timeout => "timeout".into(),
        }
    }
}

impl From<lettre::transport::smtp::Error> for SendError {
    fn from(e: lettre::transport::smtp::Error) -> Self {
        SendError::Smtp(e)
    }
}

impl Relay {
    /// The relay `settings` describe; `Err` names the setting that is wrong.
    pub fn new(settings: RelaySettings<'_>) -> Result<Relay, String> {
        let host = settings.host.to_string();
        let tls = || -> Result<TlsParameters, String> {
            let mut builder = TlsParameters::builder(host.clone());
            if let Some(path) = settings.ca_file {
                let pem = std::fs::read(path)
                    .map_err(|e| format!("invalid configuration: smtp_ca_file: {e}"))?;
                if !pem
                    .windows(CERTIFICATE_PEM.len())
                    .any(|w| w == CERTIFICATE_PEM)
                {
                    return Err(
                        "invalid configuration: smtp_ca_file: no PEM certificate in it".into(),
                    );
                }
                let cert = Certificate::from_pem(&pem)
                    .map_err(|e| format!("invalid configuration: smtp_ca_file: {e}"))?;
                builder = builder.add_root_certificate(cert);
            }
            builder
                .build()
                .map_err(|e| format!("invalid configuration: smtp_host: {e}"))
        };
        let hello = match settings.hello_name {
            Some(name) => hello_name(name)?,
            None => ClientId::default(),
        };
        let security = match settings.tls {
            "none" => Security::None,
            "tls" => Security::Tls(tls()?),
            _ => Security::StartTls(tls()?),
        };
        Ok(Relay {
            host,
            port: settings.port,
            security,
            credentials: settings
                .credentials
                .map(|(user, password)| Credentials::new(user, password)),
            hello,
            timeout: settings.timeout,
        })
    }

    /// The bound on one whole session (`smtp_timeout_secs`).
    pub fn bound(&self) -> Duration {
        self.timeout
    }

    /// Sends one message (`formatted`: its bytes) in a session of its own, bounded as a whole.
    /// Once the relay has accepted the message, a failed QUIT is not an error (the message must
    /// not be sent twice).
    pub async fn send(&self, envelope: &Envelope, formatted: &[u8]) -> Result<(), SendError> {
        match rocket::tokio::time::timeout(self.timeout, self.session(envelope, formatted)).await {
            Ok(sent) => sent,
            Err(_) => Err(SendError::Timeout),
        }
    }

    async fn session(&self, envelope: &Envelope, formatted: &[u8]) -> Result<(), SendError> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(SendError::Connect)?;
        tcp.set_nodelay(true).map_err(SendError::Connect)?;
        let mut conn = match &self.security {
            Security::None => {
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?
            }
            Security::StartTls(params) => {
                let mut conn =
                    AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?;
                conn.starttls(params.clone(), &self.hello).await?;
                conn
            }
            Security::Tls(params) => {
                let stream = Tunnel::over(tcp, params.clone()).await?;
                AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?
            }
        };
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        conn.send(envelope, formatted).await?;
        let _ = conn.quit().await;
        Ok(())
    }
}

/// The EHLO name `name` gives: an address literal for an IP address, else a host name of
/// letters, digits, hyphens and dots (RFC 5321; nothing that could end the command line).
fn hello_name(name: &str) -> Result<ClientId, String> {
    let name = name.trim();
    if let Ok(ip) = name.parse::<std::net::IpAddr>() {
        return Ok(match ip {
            std::net::IpAddr::V4(v4) => ClientId::Ipv4(v4),
            std::net::IpAddr::V6(v6) => ClientId::Ipv6(v6),
        });
    }
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(format!(
            "invalid configuration: smtp_hello_name must be a host name (letters, digits, \
             hyphens, dots) or an IP address, not {:?}",
            name.chars().take(80).collect::<String>()
        ));
    }
    Ok(ClientId::Domain(name.to_string()))
}

/// A TLS stream made by lettre over our own socket, seen as a plain stream by the protocol
/// client above it (lettre's TLS stream speaks `futures-io`; the client takes `tokio` streams).
#[allow(deprecated)] // lettre's network stream: public, and the one way to reuse its TLS set-up.
struct Tunnel(lettre::transport::smtp::client::AsyncNetworkStream);

#[allow(deprecated)]
impl Tunnel {
    /// TLS over `tcp`, checked with `params` (the relay's name, the roots).
    async fn over(tcp: TcpStream, params: TlsParameters) -> Result<Tunnel, SendError> {
        use lettre::transport::smtp::client::AsyncNetworkStream;
        let mut stream = AsyncNetworkStream::use_existing_tokio1(Box::new(tcp));
        stream.upgrade_tls(params).await?;
        Ok(Tunnel(stream))
    }
}

impl fmt::Debug for Tunnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tunnel")
    }
}

impl AsyncRead for Tunnel {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let inner = Pin::new(&mut self.get_mut().0);
        match futures_io::AsyncRead::poll_read(inner, cx, buf.initialize_unfilled()) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for Tunnel {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures_io::AsyncWrite::poll_write(Pin::new(&mut self.get_mut().0), cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_io::AsyncWrite::poll_flush(Pin::new(&mut self.get_mut().0), cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_io::AsyncWrite::poll_close(Pin::new(&mut self.get_mut().0), cx)
    }
}

impl AsyncTokioStream for Tunnel {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(tls: &str, ca_file: Option<&str>) -> Result<Relay, String> {
        Relay::new(RelaySettings {
            host: "mail.example.vn",
            port: 587,
            tls,
            ca_file,
            hello_name: None,
            credentials: None,
            timeout: Duration::from_secs(60),
        })
    }

    #[test]
    fn a_private_ca_file_must_be_readable_pem() {
        assert!(settings("starttls", None).is_ok());
        assert!(
            settings("none", Some("/nonexistent/ca.pem")).is_ok(),
            "unused"
        );
        let missing = settings("tls", Some("/nonexistent/ca.pem")).err().unwrap();
        assert!(
            missing.starts_with("invalid configuration: smtp_ca_file"),
            "{missing}"
        );
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let bad = settings("starttls", junk.to_str()).err().unwrap();
        assert!(
            bad.starts_with("invalid configuration: smtp_ca_file"),
            "{bad}"
        );
    }

    #[test]
    fn the_hello_name_is_a_host_name_or_an_address() {
        let ok = |n: &str| hello_name(n).map(|c| c.to_string());
        assert_eq!(
            ok("daotao.danvan.example.vn").unwrap(),
            "daotao.danvan.example.vn"
        );
        assert_eq!(ok(" mail-1.example.vn ").unwrap(), "mail-1.example.vn");
        assert_eq!(ok("10.0.0.7").unwrap(), "[10.0.0.7]");
        assert_eq!(ok("::1").unwrap(), "[IPv6:::1]");
        for bad in [
            "",
            "a..b",
            "-a.vn",
            "a b",
            "a.vn\r\nRCPT TO:<x@y>",
            "tên.vn",
            "a".repeat(64).as_str(),
        ] {
            let e = ok(bad).unwrap_err();
            assert!(
                e.starts_with("invalid configuration: smtp_hello_name"),
                "{e}"
            );
            assert!(!e.contains('\n') && !e.contains('\r'), "{e}");
        }
    }

    #[test]
    fn a_session_bound_must_fit_in_a_claim() {
        use rocket::figment::providers::Serialized;
        for (secs, ok) in [(0, false), (1, true), (60, true), (100, true), (101, false)] {
            let figment =
                crate::config::figment().merge(Serialized::global("smtp_timeout_secs", secs));
            match crate::config::AppConfig::from_figment(&figment) {
                Ok(_) => assert!(ok, "{secs} s accepted"),
                Err(e) => {
                    assert!(!ok, "{secs} s refused: {e}");
                    assert!(
                        e.contains("smtp_timeout_secs must be between 1 and 100"),
                        "{e}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_a_session_out_of_time_is_a_timeout() {
        assert!(SendError::Timeout.is_timeout());
        assert_eq!(SendError::Timeout.label(), "timeout");
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert!(!SendError::Connect(refused).is_timeout());
        let slow = io::Error::from(io::ErrorKind::TimedOut);
        assert!(SendError::Connect(slow).is_timeout());
        let refused = SendError::Connect(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(refused.label(), "connection failed");
        assert!(!refused.is_permanent());
    }
}
