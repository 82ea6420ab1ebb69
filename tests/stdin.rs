//! `plangate changes -`: standard input as a pipe, as a regular file (read as
//! a path is, mapped when big) and as a file already partly read.

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::process::{Command, Stdio};

const REPLACE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/terraform/replace-by-triggers/plan.json"
);

fn plangate() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_plangate"));
    cmd.args(["changes", "--format", "json", "-"])
        .env_remove("GITLAB_CI")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("COLUMNS");
    cmd
}

/// The changes document for a path, for comparison (its plan path aside).
fn by_path(path: &std::path::Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_plangate"))
        .args(["changes", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["plans"][0]["path"] = "<stdin>".into();
    doc
}

fn read(stdin: Stdio) -> (i32, String, String) {
    let out = plangate().stdin(stdin).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_big_plan_on_standard_input_reads_as_the_same_file_by_path_does() {
    // Over the 1 MB at which a file is mapped: JSON allows the whitespace.
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    let mut text = fs::read(REPLACE).unwrap();
    text.extend(std::iter::repeat_n(b' ', 3 << 20));
    text.push(b'\n');
    fs::write(&big, &text).unwrap();
    let expected = by_path(&big);

    let (code, out, err) = read(Stdio::from(fs::File::open(&big).unwrap()));
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc, expected);

    // The same bytes through a pipe.
    let mut child = plangate()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || pipe.write_all(&text));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc, expected);
}

#[test]
fn a_file_partly_read_before_plangate_is_read_from_where_it_stands() {
    // `{ read -r header; plangate changes -; } < file`: the header is not
    // plangate's, and a map of the whole file would hand it over.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("with-header.json");
    let mut text = b"# saved by the pipeline\n".to_vec();
    text.extend(fs::read(REPLACE).unwrap());
    text.extend(std::iter::repeat_n(b' ', 2 << 20));
    fs::write(&path, &text).unwrap();
    let mut file = fs::File::open(&path).unwrap();
    let mut header = [0u8; 24];
    file.read_exact(&mut header).unwrap();
    assert_eq!(file.stream_position().unwrap(), 24);
    let (code, out, err) = read(Stdio::from(file));
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        doc["plans"][0]["changes"][0]["address"],
        "terraform_data.app"
    );

    // And from the start it is the header that is refused.
    let mut file = fs::File::open(&path).unwrap();
    file.seek(SeekFrom::Start(0)).unwrap();
    let (code, _, err) = read(Stdio::from(file));
    assert_eq!(code, 2, "{err}");
}
