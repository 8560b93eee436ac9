//! Reload on file change: the files a reload reads (policies, the clients
//! file, the license key) are checked every few seconds, and a change that
//! has settled reloads them as SIGHUP does (the same atomic swap; a bad file
//! is refused and the old configuration keeps serving).
//!
//! Kubernetes never signals a container when a mounted ConfigMap or Secret
//! changes: the kubelet writes the new files into a fresh directory and
//! swaps a symlink. Each check therefore follows symlinks and compares
//! device, inode, size and modification time, so both that swap and an
//! edit in place are seen. A poll of a handful of `stat` calls needs no
//! inotify descriptors and sees changes to symlink targets that a watch on
//! the file itself would miss; the kubelet's own update delay (about a
//! minute) dwarfs the interval.

use std::path::PathBuf;
use std::time::SystemTime;

/// What a file looked like at one check: its identity, size and time, or the
/// reason it could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    File {
        dev: u64,
        ino: u64,
        len: u64,
        modified: Option<SystemTime>,
    },
    Missing(std::io::ErrorKind),
}

fn look(path: &std::path::Path) -> Seen {
    use std::os::unix::fs::MetadataExt as _;
    match std::fs::metadata(path) {
        Ok(m) => Seen::File {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            modified: m.modified().ok(),
        },
        Err(e) => Seen::Missing(e.kind()),
    }
}

/// The watched files and what they looked like when last loaded.
#[derive(Debug)]
pub struct Watch {
    files: Vec<PathBuf>,
    loaded: Vec<Seen>,
    /// A change seen at the last check, reloaded once a second check finds
    /// the files the same (a file being written is not read half done).
    pending: Option<Vec<Seen>>,
}

impl Watch {
    /// Starts watching `files` as they are now (just loaded).
    pub fn new(files: Vec<PathBuf>) -> Self {
        let loaded = files.iter().map(|f| look(f)).collect();
        Self {
            files,
            loaded,
            pending: None,
        }
    }

    /// Checks the files; `true` when they changed since the last load and
    /// have stayed the same since the previous check: time to reload.
    pub fn changed(&mut self) -> bool {
        let now: Vec<Seen> = self.files.iter().map(|f| look(f)).collect();
        if now == self.loaded {
            self.pending = None;
            return false;
        }
        if self.pending.as_ref() == Some(&now) {
            self.pending = None;
            return true;
        }
        self.pending = Some(now);
        false
    }

    /// After a reload (by this watch, SIGHUP or anything else): the files
    /// to watch from now on, as they are now.
    pub fn reloaded(&mut self, files: Vec<PathBuf>) {
        *self = Self::new(files);
    }
}

#[cfg(test)]
mod tests {
    use super::Watch;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("txveil-watch-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn an_edit_is_reported_once_it_has_settled_for_one_check() {
        let d = dir("edit");
        let f = d.join("policy.toml");
        std::fs::write(&f, "a").unwrap();
        let mut w = Watch::new(vec![f.clone()]);
        assert!(!w.changed());
        std::fs::write(&f, "bb").unwrap();
        assert!(!w.changed(), "reported while it may still be written");
        assert!(w.changed());
        w.reloaded(vec![f.clone()]);
        assert!(!w.changed());
        assert!(!w.changed());
    }

    #[test]
    fn a_symlink_swapped_as_the_kubelet_does_is_a_change() {
        // The kubelet's layout: name -> ..data/name, ..data -> a dated
        // directory; an update writes a new directory and renames a new
        // ..data link over the old one.
        let d = dir("swap");
        for (gen, text) in [("gen1", "same length"), ("gen2", "same length")] {
            std::fs::create_dir_all(d.join(gen)).unwrap();
            std::fs::write(d.join(gen).join("clients.toml"), text).unwrap();
        }
        std::os::unix::fs::symlink("gen1", d.join("..data")).unwrap();
        std::os::unix::fs::symlink("..data/clients.toml", d.join("clients.toml")).unwrap();
        let mut w = Watch::new(vec![d.join("clients.toml")]);
        assert!(!w.changed());
        std::os::unix::fs::symlink("gen2", d.join("..data_tmp")).unwrap();
        std::fs::rename(d.join("..data_tmp"), d.join("..data")).unwrap();
        assert!(!w.changed());
        assert!(w.changed());
    }

    #[test]
    fn a_file_that_disappears_or_comes_back_is_a_change() {
        let d = dir("gone");
        let f = d.join("license_key");
        std::fs::write(&f, "k").unwrap();
        let mut w = Watch::new(vec![f.clone()]);
        std::fs::remove_file(&f).unwrap();
        assert!(!w.changed());
        assert!(w.changed());
        w.reloaded(vec![f.clone()]);
        std::fs::write(&f, "k").unwrap();
        assert!(!w.changed());
        assert!(w.changed());
    }

    #[test]
    fn a_change_undone_before_the_second_check_is_not_reported() {
        let d = dir("undo");
        let f = d.join("p.toml");
        std::fs::write(&f, "a").unwrap();
        let mut w = Watch::new(vec![f.clone()]);
        let moved = d.join("p.toml.away");
        std::fs::rename(&f, &moved).unwrap();
        assert!(!w.changed());
        std::fs::rename(&moved, &f).unwrap();
        assert!(!w.changed());
        assert!(!w.changed());
    }
}
