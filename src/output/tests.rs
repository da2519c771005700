//! The output directory rules, by hand-made directories.

use super::*;

fn manifest_names(dir: &Path) -> Vec<String> {
    read_manifest(dir).unwrap().into_iter().collect()
}

/// The message of a refusal, which exits with code 2 like any request that cannot be done,
/// with the remedy named as the command line names it.
fn refusal_message(e: Error) -> String {
    assert_eq!(e.exit_code(), 2, "{e:?}");
    let e = e.name_remedies(|r| match r {
        crate::error::Remedy::Force => "pass --force to write into it anyway",
        other => other.concept(),
    });
    match e {
        Error::Output(e) => e.to_string(),
        other => panic!("expected an output error, got {other:?}"),
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
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
    assert_eq!(names_in(&dir), [MANIFEST, LOCK, "b.csv", "c.csv"]);
}

#[test]
fn foreign_entries_are_refused_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for n in ["g", "f", "e", "d", "c", "b"] {
        fs::write(dir.join(n), n).unwrap();
    }
    fs::create_dir(dir.join("a")).unwrap();
    let message = refusal_message(check_out_dir(dir, false).unwrap_err());
    assert!(
        message.contains(": a/, b, c, d, e and 2 more; pass --force"),
        "{message}"
    );
    let message =
        refusal_message(write_out_files(dir, &[("x.csv", b"x".to_vec())], false).unwrap_err());
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
    fs::write(dir.join(LOCK), "").unwrap();
    fs::write(
        dir.join(MANIFEST),
        format!("{MANIFEST_HEADER}\nsummary.json\n"),
    )
    .unwrap();
    check_out_dir(dir, false).unwrap();
    fs::write(dir.join(MANIFEST), format!("{MANIFEST_HEADER}\n")).unwrap();
    let message = refusal_message(check_out_dir(dir, false).unwrap_err());
    assert!(
        message.contains("did not write: summary.json;"),
        "{message}"
    );
}

#[test]
fn a_directory_is_foreign_even_when_the_manifest_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::create_dir(dir.join("photos")).unwrap();
    fs::write(dir.join(MANIFEST), format!("{MANIFEST_HEADER}\nphotos\n")).unwrap();
    let message = refusal_message(check_out_dir(dir, false).unwrap_err());
    assert!(message.contains("did not write: photos/;"), "{message}");
}

#[test]
fn a_file_is_not_a_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("f");
    fs::write(&file, "").unwrap();
    let message = refusal_message(check_out_dir(&file, true).unwrap_err());
    assert!(message.contains("is a file, not a directory"), "{message}");
}

#[test]
fn single_files_update_only_an_existing_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_all_or_nothing(dir, &[("report.html", b"<html>".to_vec())]).unwrap();
    assert!(!dir.join(MANIFEST).exists());
    assert!(!dir.join(LOCK).exists(), "no lock without a manifest");
    let out = dir.join("out");
    write_out_files(&out, &[("a.csv", b"a".to_vec())], false).unwrap();
    write_all_or_nothing(&out, &[("report.html", b"<html>".to_vec())]).unwrap();
    assert_eq!(manifest_names(&out), ["a.csv", "report.html"]);
}

#[test]
fn a_directory_in_the_way_stops_the_batch_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::create_dir(dir.join("b.csv")).unwrap();
    let files = [("a.csv", b"a".to_vec()), ("b.csv", b"b".to_vec())];
    let message = refusal_message(write_out_files(dir, &files, true).unwrap_err());
    assert!(message.contains("b.csv is a directory"), "{message}");
    assert_eq!(names_in(dir), ["b.csv"]);
    let message = refusal_message(write_all_or_nothing(dir, &files).unwrap_err());
    assert!(message.contains("b.csv is a directory"), "{message}");
    assert_eq!(names_in(dir), ["b.csv"]);
}

#[cfg(unix)]
#[test]
fn a_link_to_a_file_may_be_replaced_a_link_to_a_directory_not() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("real.csv"), "old").unwrap();
    fs::create_dir(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink("real.csv", dir.join("a.csv")).unwrap();
    std::os::unix::fs::symlink("sub", dir.join("b.csv")).unwrap();
    check_target(&dir.join("a.csv")).unwrap();
    let message = refusal_message(check_target(&dir.join("b.csv")).unwrap_err());
    assert!(
        message.contains("b.csv is a link to a directory"),
        "{message}"
    );
}

#[test]
fn a_rename_failing_midway_takes_its_names_out_of_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_out_files(dir, &[("old.csv", b"old".to_vec())], false).unwrap();
    let key = canonical(dir);
    let before: BTreeSet<String> = ["old.csv".to_string()].into();
    let mut names = before.clone();
    names.extend(["a.csv", "old.csv", "b.csv"].map(String::from));
    let mut batch = Batch { staged: Vec::new() };
    batch
        .stage(dir, dir.join(MANIFEST), manifest_text(&names).as_bytes())
        .unwrap();
    batch.stage(dir, dir.join("a.csv"), b"a").unwrap();
    // The target's directory is missing: the check passes, the rename fails.
    batch.stage(dir, dir.join("gone/old.csv"), b"x").unwrap();
    batch.stage(dir, dir.join("b.csv"), b"b").unwrap();
    assert!(matches!(batch.commit(&key, &before), Err(Error::Io { .. })));
    assert_eq!(manifest_names(dir), ["a.csv", "old.csv"]);
    assert_eq!(
        names_in(dir),
        [MANIFEST, LOCK, "a.csv", "old.csv"],
        "no temporary file is left"
    );
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
    fs::write(kept.join(LOCK), "").unwrap();
    fs::write(inner.join(LOCK), "").unwrap();
    let t = inner.join(".impactsim-1-0.tmp");
    fs::write(&t, "partial").unwrap();
    let mut registry = Registry {
        temps: vec![t.clone()],
        created: vec![kept.clone(), made.clone(), inner.clone()],
        written: BTreeSet::new(),
    };
    assert_eq!(registry.clean_up(), 0);
    assert!(!t.exists() && !inner.exists() && !made.exists());
    assert_eq!(
        names_in(&kept),
        [LOCK, "a.csv"],
        "a directory holding files stays, and its lock file"
    );
}

#[test]
fn the_interrupt_message_counts_files() {
    assert_eq!(
        interrupted_message(0),
        "interrupted; no output file was written"
    );
    assert!(interrupted_message(1).ends_with("the 1 file written before was kept"));
    assert!(interrupted_message(4).ends_with("the 4 files written before were kept"));
}
