//! One interface for stored files (photos, documents): a local directory
//! under the data directory by default; an S3-compatible store can implement
//! the same trait at scale. Keys are opaque, generated names; a file is
//! written (and synced) before the database row that names it commits, so an
//! acknowledged upload survives a crash. A crash in between leaves at most an
//! unreferenced file, never a row without its file.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("file key {0:?} is not valid")]
    BadKey(String),
    #[error("file store: {0}")]
    Io(#[from] std::io::Error),
}

/// Where files go. Implementations must make `put` durable before returning.
pub trait FileStore: Send + Sync {
    /// Store `bytes` under `key` (e.g. `reports/0192….jpg`), replacing any file there.
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), FileError>;
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, FileError>;
    fn delete(&self, key: &str) -> Result<(), FileError>;
}

/// Files in a directory tree, written to a temporary name, synced, renamed.
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    /// The platform's store: `DATA_DIR/files`.
    pub fn under_data_dir(data_dir: &Path) -> LocalFiles {
        LocalFiles { root: data_dir.join("files") }
    }

    fn path(&self, key: &str) -> Result<PathBuf, FileError> {
        // Keys are ours, but check anyway: no way out of the root.
        let ok = !key.is_empty()
            && key
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != ".." && part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
        if !ok {
            return Err(FileError::BadKey(key.to_string()));
        }
        Ok(self.root.join(key))
    }
}

impl FileStore for LocalFiles {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), FileError> {
        use std::io::Write;
        let path = self.path(key)?;
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&dir)?;
        let tmp = path.with_extension("part");
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        // The rename itself is durable only once the directory is synced.
        std::fs::File::open(&dir)?.sync_all()?;
        Ok(())
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, FileError> {
        match std::fs::read(self.path(key)?) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    fn delete(&self, key: &str) -> Result<(), FileError> {
        match std::fs::remove_file(self.path(key)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_delete_and_no_escape() {
        let dir = std::env::temp_dir().join(format!("obcina-files-{}", uuid::Uuid::new_v4()));
        let files = LocalFiles::under_data_dir(&dir);
        files.put("reports/a-1.jpg", b"abc").unwrap();
        assert_eq!(files.get("reports/a-1.jpg").unwrap().as_deref(), Some(&b"abc"[..]));
        files.delete("reports/a-1.jpg").unwrap();
        assert_eq!(files.get("reports/a-1.jpg").unwrap(), None);
        for bad in ["../x", "/etc/passwd", "a//b", "a/./b", ""] {
            assert!(matches!(files.put(bad, b"x"), Err(FileError::BadKey(_))), "{bad}");
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
