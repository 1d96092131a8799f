//! A temporary directory for a test's files (secrets, certificates), removed on drop.
//!
//! Owns: creating a unique directory per test and removing it. Shared by the tests that run
//! processes and by the transport's own tests, which include this file alone.

#![allow(dead_code)] // each test file uses a different part of it

/// A unique directory under the system's temporary directory, removed (with its contents) on
/// drop.
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let unique = format!(
            "nanomitter-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }

    /// The path of `name` in the directory.
    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }

    /// The path of `name` in the directory, as a string.
    pub fn path(&self, name: &str) -> String {
        self.join(name).to_str().expect("a UTF-8 temp dir").to_owned()
    }

    /// Writes `contents` to the file `name` in the directory and returns its path as a string.
    pub fn file(&self, name: &str, contents: &str) -> String {
        std::fs::write(self.join(name), contents).expect("write a file");
        self.path(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
