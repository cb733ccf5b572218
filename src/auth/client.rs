//! The client's address, for throttling and the audit trail: the socket peer, unless the peer is
//! one of the configured `trusted_proxies`, in which case the address the proxy reports
//! (`X-Real-IP`, else the nearest untrusted address of `X-Forwarded-For`). With no trusted proxy
//! (the default) no header is believed, so a client cannot pick its own address.

use std::net::IpAddr;

use rocket::request::{self, FromRequest};
use rocket::Request;

use crate::state::AppState;

/// A parsed `trusted_proxies` entry: one address or a CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    bits: u8,
}

impl Net {
    /// Parses `10.0.0.1`, `10.0.0.0/8`, `::1` or `fd00::/8`.
    pub fn parse(s: &str) -> Result<Net, String> {
        let s = s.trim();
        let (a, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s, None),
        };
        let addr: IpAddr = a
            .parse()
            .map_err(|_| format!("trusted_proxies: {s:?} is not an IP address or CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| format!("trusted_proxies: {s:?} has a bad prefix length"))?,
        };
        Ok(Net { addr, bits })
    }

    /// Whether `ip` lies in the block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.bits)
                };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.bits)
                };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Whether `ip` is one of `proxies`.
fn trusted(proxies: &[Net], ip: IpAddr) -> bool {
    proxies.iter().any(|n| n.contains(ip))
}

/// The client address given the socket peer, the trusted proxies and the two headers.
pub fn resolve(
    peer: Option<IpAddr>,
    proxies: &[Net],
    real_ip: Option<&str>,
    forwarded_for: Option<&str>,
) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !trusted(proxies, peer) {
        return peer.to_string();
    }
    if let Some(ip) = real_ip.and_then(|h| h.trim().parse::<IpAddr>().ok()) {
        return ip.to_string();
    }
    if let Some(list) = forwarded_for {
        for hop in list.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) if trusted(proxies, ip) => continue,
                Ok(ip) => return ip.to_string(),
                Err(_) => break,
            }
        }
    }
    peer.to_string()
}

/// The client's address (see the module documentation).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddr {
    type Error = std::convert::Infallible;
    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let proxies: Vec<Net> = req
            .rocket()
            .state::<AppState>()
            .map(|s| {
                s.config
                    .trusted_proxies
                    .iter()
                    .filter_map(|p| Net::parse(p).ok())
                    .collect()
            })
            .unwrap_or_default();
        let h = |name: &str| req.headers().get_one(name);
        request::Outcome::Success(ClientAddr(resolve(
            req.remote().map(|a| a.ip()),
            &proxies,
            h("X-Real-IP"),
            h("X-Forwarded-For"),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn headers_count_only_from_trusted_proxies() {
        let none: Vec<Net> = vec![];
        assert_eq!(
            resolve(ip("203.0.113.7"), &none, Some("1.2.3.4"), None),
            "203.0.113.7"
        );
        let proxies = vec![
            Net::parse("127.0.0.1").unwrap(),
            Net::parse("10.0.0.0/8").unwrap(),
        ];
        assert_eq!(
            resolve(ip("127.0.0.1"), &proxies, Some("1.2.3.4"), None),
            "1.2.3.4"
        );
        assert_eq!(
            resolve(ip("198.51.100.1"), &proxies, Some("1.2.3.4"), None),
            "198.51.100.1"
        );
        assert_eq!(
            resolve(
                ip("10.1.2.3"),
                &proxies,
                None,
                Some("6.6.6.6, 5.5.5.5, 10.0.0.9")
            ),
            "5.5.5.5",
            "the nearest untrusted hop"
        );
        assert_eq!(
            resolve(ip("::ffff:127.0.0.1"), &proxies, Some("9.9.9.9"), None),
            "9.9.9.9"
        );
        assert_eq!(resolve(None, &proxies, Some("9.9.9.9"), None), "unknown");
        assert!(Net::parse("10.0.0.0/33").is_err());
        assert!(Net::parse("nope").is_err());
        assert!(Net::parse("fd00::/8")
            .unwrap()
            .contains("fd12::1".parse().unwrap()));
    }
}
