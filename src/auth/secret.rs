//! The JWT signing secret: from configuration, or generated once and kept under the data folder.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Returns the configured secret, or reads (creating on first start) `data_dir/jwt-secret`
/// with owner-only permissions.
pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> Result<Vec<u8>, String> {
    if let Some(s) = configured.filter(|s| !s.is_empty()) {
        if s.len() < 16 {
            return Err("jwt_secret must be at least 16 characters".into());
        }
        return Ok(s.as_bytes().to_vec());
    }
    let file = data_dir.join("jwt-secret");
    if let Ok(existing) = fs::read_to_string(&file) {
        let t = existing.trim();
        if t.len() >= 32 {
            return Ok(t.as_bytes().to_vec());
        }
    }
    let secret = random_hex(32)?;
    write_private(&file, &secret)?;
    tracing::info!(file = %file.display(), "generated a new JWT secret");
    Ok(secret.into_bytes())
}

/// Writes `contents` to `file` (creating its folder) readable by the owner only (mode 0600 on
/// Unix). Used for the generated JWT secret and the generated first admin password.
pub fn write_private(file: &Path, contents: &str) -> Result<(), String> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create data folder {}: {e}", dir.display()))?;
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(file)
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    // An existing file keeps its mode on open: make sure it is private too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot protect {}: {e}", file.display()))?;
    }
    f.write_all(contents.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))
}

/// `n` random bytes from the operating system, hex-encoded.
pub fn random_hex(n: usize) -> Result<String, String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness available: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}
