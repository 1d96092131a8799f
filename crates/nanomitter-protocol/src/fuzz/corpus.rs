//! The committed seed corpus of the byte-level decoder target: the frames of
//! [`seeds`](super::frames::seeds), one file each, named after them, in bolero's layout
//! (`src/fuzz/__fuzz__/<target>/corpus/`), where `cargo test` replays them and `cargo bolero test`
//! starts its fuzzing from them.
//!
//! Owns: the check that the committed files are the seeds, and their writing: after changing the
//! seeds (or the wire format),
//! `FUZZ_WRITE_CORPUS=1 cargo test -p nanomitter-protocol --lib fuzz::corpus` rewrites them.
//! Files a fuzzer added beside them are left alone.

use super::frames::seeds;
use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "src/fuzz/__fuzz__/fuzz__wire__decode_arbitrary_bytes/corpus"]
        .iter()
        .collect()
}

#[test]
fn committed_corpus_holds_the_seeds() {
    let dir = corpus_dir();
    let write = std::env::var_os("FUZZ_WRITE_CORPUS").is_some();
    if write {
        std::fs::create_dir_all(&dir).expect("the corpus directory can be made");
    }
    for (name, bytes) in seeds() {
        let path = dir.join(name);
        if write {
            std::fs::write(&path, &bytes).expect("a seed can be written");
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == bytes,
            "{} is not the seed {name}: \
             FUZZ_WRITE_CORPUS=1 cargo test -p nanomitter-protocol --lib fuzz::corpus",
            path.display()
        );
    }
}
