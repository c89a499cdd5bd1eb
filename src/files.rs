//! The file system at truce's edges: inputs read safely (regular files of a sane size only) and
//! the error of a file or folder that the environment will not let truce read or write.
//!
//! An [`EnvError`] is not a bug and not bad input: the disk is full, a folder is read-only, a path
//! is not a regular file. It always names the path and says what to do (docs/outputs.md).

use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Largest scenario or overrides file truce reads (a shipped scenario is about 20 kB).
pub const SCENARIO_LIMIT: u64 = 4 << 20;
/// Largest data file (an observed series, a design) truce reads.
pub const DATA_LIMIT: u64 = 256 << 20;
/// Largest font file truce reads (a CJK collection is about 20 MB).
pub const FONT_LIMIT: u64 = 128 << 20;

/// A file or folder that truce cannot read or write for a reason of the environment.
#[derive(Debug, thiserror::Error)]
#[error("cannot {action} `{}`: {}{}\n  help: {}", path.display(), reason(source), note.as_deref().map(|n| format!("\n  note: {n}")).unwrap_or_default(), help(source, *writing))]
pub struct EnvError {
    pub action: String,
    pub path: PathBuf,
    pub writing: bool,
    /// What the user should know besides (e.g. that the previous output is as it was).
    pub note: Option<String>,
    #[source]
    pub source: io::Error,
}

impl EnvError {
    pub fn read(path: &Path, source: io::Error) -> EnvError {
        EnvError { action: "read".into(), path: path.to_path_buf(), writing: false, note: None, source }
    }

    pub fn write(action: &str, path: &Path, source: io::Error) -> EnvError {
        EnvError { action: action.into(), path: path.to_path_buf(), writing: true, note: None, source }
    }
}

/// An error met while writing into the temporary folder `tmp` that becomes `target`, said in
/// terms of the target: the file it was writing, and that nothing of the target was touched.
pub fn in_temporary(e: crate::error::Error, tmp: &Path, target: &Path) -> crate::error::Error {
    match e {
        crate::error::Error::Env(mut env) => {
            if let Ok(rel) = env.path.strip_prefix(tmp) {
                env.path = target.join(rel);
                env.note = Some(format!("nothing was written: the unfinished output was removed, and `{}` is as it was", target.display()));
            }
            env.into()
        }
        e => e,
    }
}

/// What went wrong, in words a user recognises.
pub fn reason(e: &io::Error) -> String {
    use io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file or folder".into(),
        K::PermissionDenied => "permission denied".into(),
        K::StorageFull => "the disk is full".into(),
        K::QuotaExceeded => "the disk quota is exceeded".into(),
        K::ReadOnlyFilesystem => "the file system is read-only".into(),
        K::InvalidData => "the file is not UTF-8 text".into(),
        K::AlreadyExists => "it already exists".into(),
        K::NotADirectory => "a part of the path is a file, not a folder".into(),
        K::IsADirectory => "it is a folder, not a file".into(),
        K::FileTooLarge => "the file is too large".into(),
        _ => {
            // Drop the "(os error N)" suffix of the system message; keep the words.
            let text = e.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

fn help(e: &io::Error, writing: bool) -> &'static str {
    use io::ErrorKind as K;
    match e.kind() {
        K::StorageFull | K::QuotaExceeded => "free some space, or write elsewhere with --out",
        K::PermissionDenied | K::ReadOnlyFilesystem if writing => "choose a folder you can write with --out",
        K::PermissionDenied => "check the file's permissions",
        K::NotFound if !writing => "check the path, relative to the current folder",
        _ if writing => "check the folder, or write elsewhere with --out",
        _ => "check the path and the file",
    }
}

/// Why a path cannot be read as an input file, before it is opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotReadable {
    #[error("it is a folder, not a file")]
    Folder,
    #[error("it is not a regular file (a device, a pipe or a socket), which truce does not read")]
    Special,
    #[error("it is {size} bytes, more than the {limit} bytes truce reads from such a file")]
    TooLarge { size: u64, limit: u64 },
}

/// A failure to read an input: either the path is not an input truce reads, or the system
/// refused.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Not(NotReadable),
    #[error("{}", reason(.0))]
    Io(io::Error),
}

/// Reads a regular file of at most `limit` bytes. Devices, pipes and sockets are refused without
/// being opened (a pipe would block, `/dev/zero` would never end); a file that grows past the
/// limit while it is read is refused too.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    check_meta(&meta, limit)?;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // The path may have been replaced between the look and the open: look again at what is open.
    check_meta(&file.metadata().map_err(ReadError::Io)?, limit)?;
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::Not(NotReadable::TooLarge { size: bytes.len() as u64, limit }));
    }
    Ok(bytes)
}

/// As [`read_bytes`], for UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_bytes(path, limit)?;
    String::from_utf8(bytes).map_err(|_| ReadError::Io(io::Error::from(io::ErrorKind::InvalidData)))
}

fn check_meta(meta: &std::fs::Metadata, limit: u64) -> Result<(), ReadError> {
    if meta.is_dir() {
        return Err(ReadError::Not(NotReadable::Folder));
    }
    if !meta.is_file() {
        return Err(ReadError::Not(NotReadable::Special));
    }
    if meta.len() > limit {
        return Err(ReadError::Not(NotReadable::TooLarge { size: meta.len(), limit }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_are_refused_unopened() {
        assert!(matches!(read_bytes(Path::new("/dev/zero"), 10), Err(ReadError::Not(NotReadable::Special))));
        assert!(matches!(read_bytes(Path::new("/"), 10), Err(ReadError::Not(NotReadable::Folder))));
    }

    #[test]
    fn the_limit_holds() {
        let dir = std::env::temp_dir().join(format!("truce-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("big.txt");
        std::fs::write(&f, "x".repeat(11)).unwrap();
        assert_eq!(read_bytes(&f, 11).unwrap().len(), 11);
        assert!(matches!(read_bytes(&f, 10), Err(ReadError::Not(NotReadable::TooLarge { size: 11, limit: 10 }))));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reasons_drop_the_os_error_number() {
        let e = io::Error::from_raw_os_error(28);
        assert_eq!(reason(&e), "the disk is full");
        let e = io::Error::from_raw_os_error(36); // ENAMETOOLONG
        assert!(!reason(&e).contains("os error"), "{}", reason(&e));
    }
}

/// The SHA-256 of `bytes` in lower-case hex (a manifest's file hashes).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The first 8 hex digits of `bytes`' SHA-256: a short key that names a folder (an override
/// run's `+<key>`, a long sweep grid).
pub fn short_key(bytes: &[u8]) -> String {
    sha256_hex(bytes)[..8].to_string()
}
