//! Output directories: the manifest, the refusal to mix with someone else's files, and Ctrl-C.
//!
//! A directory impactsim writes output files into (`--out DIR`, `--plot DIR`, `generate
//! --out DIR`) holds a manifest, [`MANIFEST`]: a comment line, then the name of every file
//! impactsim wrote there, one a line. Anything else in the directory is someone else's, and
//! [`check_out_dir`] refuses to write there unless forced, so that a mistyped `--out` cannot
//! scatter impactsim's files among a user's or replace a `summary.json` of theirs. Forced,
//! impactsim still replaces only the files it writes.
//!
//! Files are written in batches, whole or not at all: each file goes to a temporary name
//! (`.impactsim-PID-N.tmp`) in the target directory, and only when every file of the batch is
//! complete are they renamed into place, the manifest first, so no file appears before the
//! manifest names it. A process-wide registry knows the temporary files in flight, the
//! directories the writes created and the files already written; the handler that
//! [`clean_up_on_interrupt`] installs removes the first two on Ctrl-C. A batch is renamed
//! while the registry's lock is held, and the handler takes the same lock, so an interrupt
//! lands either before the renames of a batch or after all of them.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::Error;

/// The manifest's file name, in every output directory.
pub const MANIFEST: &str = ".impactsim-outputs";

/// The manifest's first line.
const MANIFEST_HEADER: &str =
    "# files written by impactsim; remove a name to make impactsim treat that file as yours";

/// How many of the foreign entries a refusal names.
const NAMED: usize = 5;

/// The exit code after Ctrl-C: 128 + SIGINT, what shells report for a process it ended.
pub const INTERRUPTED_EXIT_CODE: i32 = 130;

/// What the process has in flight and has written.
struct Registry {
    /// Temporary files not yet renamed into place.
    temps: Vec<PathBuf>,
    /// Directories a write created, parents first.
    created: Vec<PathBuf>,
    /// Files renamed into place by this process: (directory, name), the directory canonical
    /// where possible so that `out` and `./out` are one.
    written: BTreeSet<(PathBuf, String)>,
}

impl Registry {
    /// Removes the temporary files and the created directories that are empty; returns how
    /// many files were written whole before.
    fn clean_up(&mut self) -> usize {
        for t in self.temps.drain(..) {
            let _ = fs::remove_file(t);
        }
        for d in self.created.drain(..).rev() {
            // Fails, as it should, for a directory that holds anything.
            let _ = fs::remove_dir(d);
        }
        self.written.len()
    }
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    temps: Vec::new(),
    created: Vec::new(),
    written: BTreeSet::new(),
});

fn registry() -> MutexGuard<'static, Registry> {
    // The lists stay valid whatever panicked while the lock was held.
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Installs the handler of Ctrl-C (SIGINT), SIGTERM and SIGHUP (on Windows, Ctrl-C,
/// Ctrl-Break and closing the console): it removes the temporary files of the writes in
/// flight and the directories they created (when empty), says so on stderr and exits with
/// [`INTERRUPTED_EXIT_CODE`]. Installing fails only when
/// another handler is set; then Ctrl-C ends the process the default way.
pub fn clean_up_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        // Held until the process ends: no batch starts its renames after this point.
        let mut registry = registry();
        let kept = registry.clean_up();
        let what = match kept {
            0 => "no output was written".to_string(),
            n => format!("no partial file was left; the {n} files written before were kept"),
        };
        // Below the progress bar's line, not at its end.
        let lead = if std::io::stderr().is_terminal() {
            "\n"
        } else {
            ""
        };
        let _ = writeln!(std::io::stderr(), "{lead}interrupted; {what}");
        std::process::exit(INTERRUPTED_EXIT_CODE);
    });
}

/// Checks that impactsim may write its files into `dir`: it is missing, empty, or holds only
/// files impactsim wrote (named in its manifest, or written by this process). Otherwise a
/// usage error names the foreign entries, unless `force`. Call it before the work, so that a
/// long study does not run only to be refused; the writers check again.
pub fn check_out_dir(dir: &Path, force: bool) -> Result<(), Error> {
    match fs::metadata(dir) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("reading", dir, e)),
        Ok(m) if !m.is_dir() => {
            return Err(Error::Usage {
                message: format!(
                    "{} is a file, not a directory; choose a directory to write into",
                    dir.display()
                ),
            });
        }
        Ok(_) => {}
    }
    if force {
        return Ok(());
    }
    let foreign = foreign_entries(dir)?;
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(refusal(dir, &foreign))
    }
}

/// Writes `files` (name, contents) into the output directory `dir`, created if needed, whole
/// or not at all, and adds their names to its manifest in the same batch. Refuses, as
/// [`check_out_dir`] does, a directory holding files impactsim did not write, unless `force`;
/// forced, it still replaces only the files of these names.
pub fn write_out_files(dir: &Path, files: &[(&str, Vec<u8>)], force: bool) -> Result<(), Error> {
    check_out_dir(dir, force)?;
    write_batch(dir, files, Manifest::Write { force })
}

/// Writes several files into `dir` (created if needed) so that either all appear complete or
/// none does. This is for files the user named one by one (`--report FILE`): it refuses
/// nothing, and it adds the names to `dir`'s manifest only when `dir` has one.
pub fn write_all_or_nothing(dir: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), Error> {
    write_batch(dir, files, Manifest::IfPresent)
}

/// What a batch does with the directory's manifest.
#[derive(Clone, Copy)]
enum Manifest {
    /// Refuse foreign entries (unless `force`), then write the manifest.
    Write { force: bool },
    /// Update the manifest if there is one.
    IfPresent,
}

fn write_batch(dir: &Path, files: &[(&str, Vec<u8>)], manifest: Manifest) -> Result<(), Error> {
    if files.iter().any(|(n, _)| *n == MANIFEST) {
        return Err(Error::Usage {
            message: format!(
                "{} is the name of impactsim's list of the files it wrote; choose another name",
                dir.join(MANIFEST).display()
            ),
        });
    }
    create_dir(dir)?;
    let mut batch = Batch { staged: Vec::new() };
    for (name, bytes) in files {
        batch.stage(dir, dir.join(name), bytes)?;
    }
    // Checking, reading and replacing the manifest happen under the directory's lock, so
    // that writers running side by side (shards into one directory) keep each other's names.
    let _lock = lock_dir(dir);
    let key = canonical(dir);
    if let Manifest::Write { force: false } = manifest {
        let foreign = foreign_entries(dir)?;
        if !foreign.is_empty() {
            return Err(refusal(dir, &foreign));
        }
    }
    let manifest_path = dir.join(MANIFEST);
    if matches!(manifest, Manifest::Write { .. }) || manifest_path.exists() {
        let mut names = read_manifest(dir)?;
        names.extend(written_in(&key));
        names.retain(|n| dir.join(n).symlink_metadata().is_ok());
        names.extend(
            files
                .iter()
                .map(|(n, _)| n.to_string())
                .filter(|n| listable(n)),
        );
        let mut text = format!("{MANIFEST_HEADER}\n");
        for n in &names {
            text.push_str(n);
            text.push('\n');
        }
        batch.stage(dir, manifest_path, text.as_bytes())?;
        // Renamed first: no file of the batch is seen before the manifest names it.
        batch.staged.rotate_right(1);
    }
    batch.commit(&key)
}

/// The temporary files of one batch, each with its target; any not renamed into place are
/// removed on drop (an error on the way).
struct Batch {
    staged: Vec<(PathBuf, PathBuf)>,
}

impl Batch {
    fn stage(&mut self, dir: &Path, target: PathBuf, bytes: &[u8]) -> Result<(), Error> {
        let (tmp, mut file) = temp_file_in(dir).map_err(|e| Error::io("writing", &target, e))?;
        self.staged.push((tmp, target));
        let target = &self.staged[self.staged.len() - 1].1;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io("writing", target, e))
    }

    /// Renames every file into place while holding the registry's lock (see the module
    /// documentation), and records them as written.
    fn commit(mut self, key: &Path) -> Result<(), Error> {
        let mut registry = registry();
        let staged = std::mem::take(&mut self.staged);
        for (i, (tmp, target)) in staged.iter().enumerate() {
            if let Err(e) = fs::rename(tmp, target) {
                for (t, _) in &staged[i..] {
                    let _ = fs::remove_file(t);
                }
                registry
                    .temps
                    .retain(|t| !staged.iter().any(|(s, _)| s == t));
                return Err(Error::io("writing", target, e));
            }
        }
        registry
            .temps
            .retain(|t| !staged.iter().any(|(s, _)| s == t));
        for (_, target) in &staged {
            if let Some(name) = target.file_name().and_then(|n| n.to_str())
                && name != MANIFEST
            {
                registry
                    .written
                    .insert((key.to_path_buf(), name.to_string()));
            }
        }
        Ok(())
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        if self.staged.is_empty() {
            return;
        }
        let mut registry = registry();
        for (tmp, _) in self.staged.drain(..) {
            let _ = fs::remove_file(&tmp);
            registry.temps.retain(|t| *t != tmp);
        }
    }
}

/// A new hidden file in `dir` with a unique name, registered as in flight before anyone can
/// see it, so an interrupt never leaves it behind.
fn temp_file_in(dir: &Path) -> std::io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut registry = registry();
    for i in 0..1000u32 {
        let path = dir.join(format!(".impactsim-{pid}-{i}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => {
                registry.temps.push(path.clone());
                return Ok((path, f));
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

/// Creates `dir` and its missing parents, recording each one created so that an interrupt
/// can remove it again.
fn create_dir(dir: &Path) -> Result<(), Error> {
    let mut missing = Vec::new();
    let mut p = dir;
    while !p.as_os_str().is_empty() && fs::metadata(p).is_err() {
        missing.push(p);
        match p.parent() {
            Some(parent) => p = parent,
            None => break,
        }
    }
    let mut registry = registry();
    for d in missing.into_iter().rev() {
        match fs::create_dir(d) {
            Ok(()) => registry.created.push(d.to_path_buf()),
            // Made by someone else meanwhile: not ours to remove.
            Err(e) if e.kind() == ErrorKind::AlreadyExists && d.is_dir() => {}
            Err(e) => return Err(Error::io("creating", d, e)),
        }
    }
    Ok(())
}

/// The entries of `dir` impactsim did not write, sorted; a directory's name ends in `/`.
fn foreign_entries(dir: &Path) -> Result<Vec<String>, Error> {
    // The listing first, then the manifest: a writer renames its manifest before its files,
    // so every file of a writer running alongside that the listing shows, the manifest read
    // after it names.
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io("reading", dir, e))? {
        let entry = entry.map_err(|e| Error::io("reading", dir, e))?;
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        entries.push((entry.file_name(), is_dir));
    }
    let mut ours = read_manifest(dir)?;
    ours.extend(written_in(&canonical(dir)));
    let mut foreign: Vec<String> = entries
        .into_iter()
        .filter(|(name, _)| {
            !name
                .to_str()
                .is_some_and(|n| ours.contains(n) || is_impactsim_own(n))
        })
        .map(|(name, is_dir)| {
            let mut shown = name.to_string_lossy().into_owned();
            if is_dir {
                shown.push('/');
            }
            shown
        })
        .collect();
    foreign.sort();
    Ok(foreign)
}

/// The manifest and the temporary files (an interrupted or crashed write may leave one).
fn is_impactsim_own(name: &str) -> bool {
    name == MANIFEST || (name.starts_with(".impactsim-") && name.ends_with(".tmp"))
}

/// A name the manifest can hold: one line, a file in the directory itself.
fn listable(name: &str) -> bool {
    !name.is_empty()
        && name != MANIFEST
        && name != "."
        && name != ".."
        && !name.contains(['\n', '\r', '/', '\\'])
}

/// The names `dir`'s manifest lists (none when it has no manifest).
fn read_manifest(dir: &Path) -> Result<BTreeSet<String>, Error> {
    let path = dir.join(MANIFEST);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(e) => return Err(Error::io("reading", path, e)),
    };
    Ok(String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.starts_with('#') && listable(l))
        .map(str::to_string)
        .collect())
}

/// The names this process wrote into the directory whose canonical path is `key`.
fn written_in(key: &Path) -> Vec<String> {
    registry()
        .written
        .iter()
        .filter(|(d, _)| d == key)
        .map(|(_, n)| n.clone())
        .collect()
}

fn canonical(dir: &Path) -> PathBuf {
    fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

fn refusal(dir: &Path, foreign: &[String]) -> Error {
    let shown = foreign[..foreign.len().min(NAMED)].join(", ");
    let more = match foreign.len().saturating_sub(NAMED) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Error::Usage {
        message: format!(
            "{} holds files impactsim did not write: {shown}{more}; pass --force to write into it anyway, or choose a new directory",
            dir.display()
        ),
    }
}

/// An advisory lock on `dir` for the time a batch reads and replaces its manifest. Best
/// effort: where a directory cannot be locked (not Unix, some network file systems) the
/// batch goes on without.
#[cfg(unix)]
fn lock_dir(dir: &Path) -> Option<File> {
    let f = File::open(dir).ok()?;
    f.lock().ok()?;
    Some(f)
}

#[cfg(not(unix))]
fn lock_dir(_: &Path) -> Option<File> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_names(dir: &Path) -> Vec<String> {
        read_manifest(dir).unwrap().into_iter().collect()
    }

    fn usage_message(e: Error) -> String {
        match e {
            Error::Usage { message } => message,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn manifest_is_the_union_of_what_is_still_there() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        write_out_files(&dir, &[("a.csv", b"a".to_vec())], false).unwrap();
        let text = fs::read_to_string(dir.join(MANIFEST)).unwrap();
        assert_eq!(text, format!("{MANIFEST_HEADER}\na.csv\n"));
        write_out_files(&dir, &[("b.csv", b"b".to_vec())], false).unwrap();
        assert_eq!(manifest_names(&dir), ["a.csv", "b.csv"]);
        fs::remove_file(dir.join("a.csv")).unwrap();
        write_out_files(&dir, &[("c.csv", b"c".to_vec())], false).unwrap();
        assert_eq!(manifest_names(&dir), ["b.csv", "c.csv"]);
        assert_eq!(fs::read(dir.join("c.csv")).unwrap(), b"c");
    }

    #[test]
    fn foreign_entries_are_refused_and_named() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for n in ["g", "f", "e", "d", "c", "b"] {
            fs::write(dir.join(n), n).unwrap();
        }
        fs::create_dir(dir.join("a")).unwrap();
        let message = usage_message(check_out_dir(dir, false).unwrap_err());
        assert!(
            message.contains(": a/, b, c, d, e and 2 more; pass --force"),
            "{message}"
        );
        let message =
            usage_message(write_out_files(dir, &[("x.csv", b"x".to_vec())], false).unwrap_err());
        assert!(message.contains("choose a new directory"), "{message}");
        assert!(!dir.join("x.csv").exists() && !dir.join(MANIFEST).exists());
        assert_eq!(
            fs::read_dir(dir).unwrap().count(),
            7,
            "no temporary file is left"
        );
        write_out_files(dir, &[("x.csv", b"x".to_vec())], true).unwrap();
        assert_eq!(manifest_names(dir), ["x.csv"]);
        assert_eq!(fs::read(dir.join("g")).unwrap(), b"g");
    }

    #[test]
    fn a_name_taken_out_of_the_manifest_is_foreign() {
        // Written by hand: what this process writes counts as its own whatever the manifest says.
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        fs::write(dir.join("summary.json"), "{}").unwrap();
        fs::write(dir.join(".impactsim-7-0.tmp"), "left by a crash").unwrap();
        fs::write(
            dir.join(MANIFEST),
            format!("{MANIFEST_HEADER}\nsummary.json\n"),
        )
        .unwrap();
        check_out_dir(dir, false).unwrap();
        fs::write(dir.join(MANIFEST), format!("{MANIFEST_HEADER}\n")).unwrap();
        let message = usage_message(check_out_dir(dir, false).unwrap_err());
        assert!(
            message.contains("did not write: summary.json;"),
            "{message}"
        );
    }

    #[test]
    fn a_file_is_not_a_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        fs::write(&file, "").unwrap();
        let message = usage_message(check_out_dir(&file, true).unwrap_err());
        assert!(message.contains("is a file, not a directory"), "{message}");
    }

    #[test]
    fn single_files_update_only_an_existing_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write_all_or_nothing(dir, &[("report.html", b"<html>".to_vec())]).unwrap();
        assert!(!dir.join(MANIFEST).exists());
        let out = dir.join("out");
        write_out_files(&out, &[("a.csv", b"a".to_vec())], false).unwrap();
        write_all_or_nothing(&out, &[("report.html", b"<html>".to_vec())]).unwrap();
        assert_eq!(manifest_names(&out), ["a.csv", "report.html"]);
    }

    #[test]
    fn clean_up_removes_temporary_files_and_empty_created_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let (kept, made, inner) = (
            tmp.path().join("kept"),
            tmp.path().join("made"),
            tmp.path().join("made/inner"),
        );
        fs::create_dir_all(&inner).unwrap();
        fs::create_dir(&kept).unwrap();
        fs::write(kept.join("a.csv"), "a").unwrap();
        let t = inner.join(".impactsim-1-0.tmp");
        fs::write(&t, "partial").unwrap();
        let mut registry = Registry {
            temps: vec![t.clone()],
            created: vec![kept.clone(), made.clone(), inner.clone()],
            written: BTreeSet::new(),
        };
        assert_eq!(registry.clean_up(), 0);
        assert!(!t.exists() && !inner.exists() && !made.exists());
        assert!(
            kept.join("a.csv").exists(),
            "a directory holding files stays"
        );
    }
}
