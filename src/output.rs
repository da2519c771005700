//! Output directories: the manifest, the refusal to mix with someone else's files, and
//! interrupts (Ctrl-C, SIGTERM, SIGHUP).
//!
//! A directory impactsim writes output files into (`--out DIR` and `--plot DIR` of every
//! command; `generate --out DIR` too, though it keeps its own rule about what it refuses)
//! holds a manifest, [`MANIFEST`]: a comment line, then the name of every file impactsim
//! wrote there, one a line. Anything else in the directory is someone else's, and
//! [`check_out_dir`] refuses to write there unless forced, so that a mistyped `--out` cannot
//! scatter impactsim's files among a user's or replace a `summary.json` of theirs. Forced,
//! impactsim still replaces only the files it writes, and never anything but a file: a
//! directory (or other non-file) where a file is to go stops the whole batch.
//!
//! Files are written in batches, whole or not at all: the manifest first, then each file,
//! goes to a temporary name (`.impactsim-PID-N.tmp`) in the target directory, and only when
//! every file of the batch is complete are they renamed into place, the manifest first, so
//! no file appears before the manifest names it. Writers running side by side keep each
//! other's names: a batch reads and replaces the manifest under an advisory lock on
//! [`LOCK`]. A process-wide registry knows the temporary files in flight, the directories
//! the writes created and the files already written; the binary's signal
//! handler removes the first two on an interrupt ([`clean_up_after_interrupt`]). A batch is
//! renamed while the registry's lock is held, and the handler takes the same lock, so an
//! interrupt lands either before the renames of a batch or after all of them. Temporary
//! files a killed process left behind are removed by a later write into the directory once
//! they are a day old.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use crate::error::{Error, OutputError};

/// The manifest's file name, in every output directory.
pub const MANIFEST: &str = ".impactsim-outputs";

/// The file a batch locks while it reads and replaces the manifest, beside it. It stays in
/// the directory (removing a lock file others may be waiting on would break the lock) and,
/// like the manifest, is never taken for someone else's file.
pub const LOCK: &str = ".impactsim-outputs.lock";

/// The manifest's first line.
const MANIFEST_HEADER: &str =
    "# files written by impactsim; remove a name to make impactsim treat that file as yours";

/// How many of the foreign entries a refusal names.
const NAMED: usize = 5;

/// How old a temporary file must be before a write into its directory removes it as left
/// behind. No write takes a day; a younger one may belong to a process still writing,
/// possibly on another host sharing the directory.
const STALE_TEMP: Duration = Duration::from_secs(24 * 60 * 60);

/// The exit code after an interrupt on Windows, where there is no signal to end by: 130,
/// what Unix shells report for a process Ctrl-C ended. On Unix impactsim ends by the signal
/// itself, and uses 128 + the signal's number only should that fail.
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
    /// Removes the temporary files and the created directories that are empty (but for the
    /// lock file); returns how many files were written whole before.
    fn clean_up(&mut self) -> usize {
        for t in self.temps.drain(..) {
            let _ = fs::remove_file(t);
        }
        for d in self.created.drain(..).rev() {
            remove_lone_lock(&d);
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

/// Removes the lock file from `dir`, a directory this process created, when it is all the
/// directory holds. Another writer holding the lock would have its own files there.
fn remove_lone_lock(dir: &Path) {
    let Ok(listing) = fs::read_dir(dir) else {
        return;
    };
    let names: Vec<_> = listing.flatten().take(2).map(|e| e.file_name()).collect();
    if names.len() == 1 && names[0] == LOCK {
        let _ = fs::remove_file(dir.join(LOCK));
    }
}

/// What [`clean_up_after_interrupt`] leaves: the message to show, and the registry's lock,
/// which keeps every batch from starting its renames for as long as it is held (the caller
/// holds it until the process ends).
pub struct Interrupted {
    /// What to tell the user: that no partial file was left, and how many were kept.
    pub message: String,
    _held: MutexGuard<'static, Registry>,
}

/// After an interrupt: removes the temporary files of the writes in flight and the
/// directories they created (when empty). A batch is renamed while the same lock is held,
/// so the interrupt lands either before the renames of a batch or after all of them. The
/// binary calls this from its signal handler, then ends the process.
pub fn clean_up_after_interrupt() -> Interrupted {
    let mut registry = registry();
    let kept = registry.clean_up();
    Interrupted {
        message: interrupted_message(kept),
        _held: registry,
    }
}

/// What an interrupt says, `kept` files having been written whole before it.
fn interrupted_message(kept: usize) -> String {
    match kept {
        0 => "interrupted; no output file was written".to_string(),
        1 => {
            "interrupted; no partial file was left; the 1 file written before was kept".to_string()
        }
        n => {
            format!("interrupted; no partial file was left; the {n} files written before were kept")
        }
    }
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
            return Err(OutputError::Target {
                message: format!(
                    "{} is a file, not a directory; choose a directory to write into",
                    dir.display()
                ),
            }
            .into());
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
/// nothing but replacing something that is not a file, and it adds the names to `dir`'s
/// manifest only when `dir` has one.
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
    if let Some((name, _)) = files.iter().find(|(n, _)| *n == MANIFEST || *n == LOCK) {
        return Err(OutputError::Target {
            message: format!(
                "{} is the name of a file impactsim keeps to list the files it wrote; choose another name",
                dir.join(name).display()
            ),
        }.into());
    }
    create_dir(dir)?;
    remove_stale_temps(dir);
    let manifest_path = dir.join(MANIFEST);
    // Refused before anything is written; checked again before the renames.
    for target in files.iter().map(|(n, _)| dir.join(n)) {
        check_target(&target)?;
    }
    let with_manifest = match manifest {
        Manifest::Write { .. } => true,
        Manifest::IfPresent => manifest_path.exists(),
    };
    if with_manifest {
        check_target(&manifest_path)?;
    }
    // Checking, reading and replacing the manifest happen under the directory's lock, so
    // that writers running side by side (shards into one directory) keep each other's names.
    let _lock = with_manifest.then(|| lock_dir(dir));
    let key = canonical(dir);
    if let Manifest::Write { force: false } = manifest {
        let foreign = foreign_entries(dir)?;
        if !foreign.is_empty() {
            return Err(refusal(dir, &foreign));
        }
    }
    let mut batch = Batch { staged: Vec::new() };
    // The names impactsim wrote before that are still its files.
    let mut before = BTreeSet::new();
    if with_manifest {
        before = read_manifest(dir)?;
        before.extend(written_in(&key));
        before.retain(|n| is_file(&dir.join(n)));
        let mut names = before.clone();
        names.extend(
            files
                .iter()
                .map(|(n, _)| n.to_string())
                .filter(|n| listable(n)),
        );
        // Staged first, so renamed first: no file of the batch is seen before the manifest
        // names it.
        batch.stage(dir, manifest_path, manifest_text(&names).as_bytes())?;
    }
    for (name, bytes) in files {
        batch.stage(dir, dir.join(name), bytes)?;
    }
    batch.commit(&key, &before)
}

/// The temporary files of one batch, each with its target, the manifest first when the
/// batch writes one; any not renamed into place are removed on drop (an error on the way).
struct Batch {
    staged: Vec<(PathBuf, PathBuf)>,
}

impl Batch {
    fn stage(&mut self, dir: &Path, target: PathBuf, bytes: &[u8]) -> Result<(), Error> {
        let (tmp, mut file) = temp_file_in(dir).map_err(|e| Error::io("writing", &target, e))?;
        self.staged.push((tmp, target));
        let (_, target) = self.staged.last().expect("just staged");
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io("writing", target, e))
    }

    /// Renames every file into place while holding the registry's lock (see the module
    /// documentation), and records them as written. Before any rename, every target is
    /// checked again; one that is not a file stops the batch whole. Should a rename fail
    /// midway all the same, the manifest, already in place, is written again without the
    /// names the batch did not put in place (`before`: the names it listed before, which
    /// stay).
    fn commit(mut self, key: &Path, before: &BTreeSet<String>) -> Result<(), Error> {
        let mut registry = registry();
        let staged = std::mem::take(&mut self.staged);
        let mut renamed = 0;
        let mut result = staged.iter().try_for_each(|(_, t)| check_target(t));
        if result.is_ok() {
            for (tmp, target) in &staged {
                if let Err(e) = fs::rename(tmp, target) {
                    result = Err(Error::io("writing", target, e));
                    break;
                }
                renamed += 1;
            }
        }
        for (tmp, _) in &staged[renamed..] {
            let _ = fs::remove_file(tmp);
        }
        registry
            .temps
            .retain(|t| !staged.iter().any(|(s, _)| s == t));
        let mut in_place = before.clone();
        for (_, target) in &staged[..renamed] {
            if let Some(name) = target.file_name().and_then(|n| n.to_str())
                && name != MANIFEST
            {
                registry
                    .written
                    .insert((key.to_path_buf(), name.to_string()));
                in_place.insert(name.to_string());
            }
        }
        if result.is_err()
            && renamed > 0
            && let Some((_, manifest)) = staged.first()
            && manifest.file_name().is_some_and(|n| n == MANIFEST)
        {
            // Best effort: the error to report is the rename's.
            let _ = replace_manifest(manifest, &in_place);
        }
        result
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

/// The manifest's text for `names`.
fn manifest_text(names: &BTreeSet<String>) -> String {
    let mut text = format!("{MANIFEST_HEADER}\n");
    for n in names {
        text.push_str(n);
        text.push('\n');
    }
    text
}

/// Writes the manifest `path` anew, listing `names`, through a temporary file. Called with
/// the registry's lock held, so the temporary file needs no registering: an interrupt waits.
fn replace_manifest(path: &Path, names: &BTreeSet<String>) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let (tmp, mut file) = create_temp(dir)?;
    let result = file
        .write_all(manifest_text(names).as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Whether `target` may be replaced by a file: it does not exist, or is a file (or a link
/// to one). Anything else, a directory above all, is someone else's and a usage error.
fn check_target(target: &Path) -> Result<(), Error> {
    match fs::symlink_metadata(target) {
        // Missing, or not to be known here: the rename tells.
        Err(_) => Ok(()),
        Ok(_) if is_file(target) => Ok(()),
        Ok(m) => {
            let what = if fs::metadata(target).is_ok_and(|m| m.is_dir()) {
                if m.is_symlink() {
                    "a link to a directory"
                } else {
                    "a directory"
                }
            } else {
                "not a regular file"
            };
            Err(OutputError::Target {
                message: format!(
                    "{} is {what}; impactsim replaces only files, so nothing was written: move it away or write elsewhere",
                    target.display()
                ),
            }.into())
        }
    }
}

/// Whether `path` is a regular file, or a link to one.
fn is_file(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// A new hidden file in `dir` with a unique name, registered as in flight before anyone can
/// see it, so an interrupt never leaves it behind.
fn temp_file_in(dir: &Path) -> std::io::Result<(PathBuf, File)> {
    let mut registry = registry();
    let (path, file) = create_temp(dir)?;
    registry.temps.push(path.clone());
    Ok((path, file))
}

/// A new hidden file in `dir` with a unique name.
fn create_temp(dir: &Path) -> std::io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    for i in 0..1000u32 {
        let path = dir.join(format!(".impactsim-{pid}-{i}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

/// Whether `name` is the name of a temporary file of impactsim's.
fn is_temp_name(name: &str) -> bool {
    name.starts_with(".impactsim-") && name.ends_with(".tmp")
}

/// Removes the temporary files in `dir` older than [`STALE_TEMP`]: left by a process that
/// was killed (SIGKILL) or crashed. Best effort.
fn remove_stale_temps(dir: &Path) {
    let Ok(listing) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in listing.flatten() {
        if !entry.file_name().to_str().is_some_and(is_temp_name) {
            continue;
        }
        // Not followed: a link is not impactsim's temporary file.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok());
        if meta.is_file() && age.is_some_and(|a| a > STALE_TEMP) {
            let _ = fs::remove_file(entry.path());
        }
    }
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

/// The entries of `dir` impactsim did not write, sorted; a directory's name ends in `/`. A
/// directory is never impactsim's, whatever the manifest says.
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
        .filter(|(name, is_dir)| {
            !name
                .to_str()
                .is_some_and(|n| is_impactsim_own(n) || (!is_dir && ours.contains(n)))
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

/// The manifest, the lock file and the temporary files (an interrupted or crashed write may
/// leave one).
fn is_impactsim_own(name: &str) -> bool {
    name == MANIFEST || name == LOCK || is_temp_name(name)
}

/// A name the manifest can hold: one line, a file in the directory itself.
fn listable(name: &str) -> bool {
    !name.is_empty()
        && name != MANIFEST
        && name != LOCK
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
    OutputError::ForeignFiles {
        remedy: crate::error::Remedy::Force.concept(),
        dir: dir.to_path_buf(),
        entries: foreign[..foreign.len().min(NAMED)].to_vec(),
        more: foreign.len().saturating_sub(NAMED),
    }
    .into()
}

/// Whether the warning about a lock that could not be taken was given.
static LOCK_WARNED: AtomicBool = AtomicBool::new(false);

/// An advisory lock on [`LOCK`] in `dir` for the time a batch reads and replaces the
/// manifest. The file is opened for writing: on NFS a lock is emulated by a byte-range lock,
/// and an exclusive one needs that. Best effort: where the lock cannot be had, the batch goes
/// on without, after a warning (once a process).
fn lock_dir(dir: &Path) -> Option<File> {
    let path = dir.join(LOCK);
    let locked = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .and_then(|f| f.lock().map(|()| f));
    match locked {
        Ok(f) => Some(f),
        Err(e) => {
            if !LOCK_WARNED.swap(true, Ordering::Relaxed) {
                let _ = writeln!(
                    std::io::stderr(),
                    "warning: cannot lock {} ({e}); impactsim processes writing into this directory at the same time may lose each other's entries in its manifest",
                    path.display()
                );
            }
            None
        }
    }
}

/// Writes one file whole or not at all (a temporary file next to it, then a rename).
/// `what` names where the path came from (an option, a setting), for the error message.
pub fn write_file(file: &Path, bytes: Vec<u8>, what: &str) -> Result<(), Error> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| OutputError::Target {
            message: format!("{what} {} names no file", file.display()),
        })?;
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    write_all_or_nothing(dir, &[(name, bytes)])
}

#[cfg(test)]
mod tests;
