//! The binary among other processes: two writers on one vault at once, and a reader that closes
//! the pipe early (`selfmodel belief list | head -1`).
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};

use crate::common::{PASS, TestVault};

const ADDS_PER_WRITER: usize = 10;

#[test]
fn two_processes_adding_at_once_all_succeed_or_report_busy() {
    let v = TestVault::init();
    let run = |args: &[String]| -> Output {
        v.std_cmd_with(Some(PASS))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let (writers, reads) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..2)
            .map(|w| {
                s.spawn(move || {
                    (0..ADDS_PER_WRITER)
                        .map(|i| {
                            let args: Vec<String> = [
                                "belief",
                                "add",
                                "--statement",
                                &format!("Writer {w} belief {i}"),
                                "--category",
                                "interests",
                                "--confidence",
                                "0.5",
                                "--evidence",
                                "concurrency test",
                            ]
                            .iter()
                            .map(ToString::to_string)
                            .collect();
                            (format!("Writer {w} belief {i}"), run(&args))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let reader = s.spawn(|| {
            (0..4)
                .map(|_| run(&["belief".into(), "list".into(), "--json".into()]))
                .collect::<Vec<_>>()
        });
        (
            writers
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect::<Vec<_>>(),
            reader.join().unwrap(),
        )
    });

    let mut added = Vec::new();
    for (statement, out) in &writers {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        if out.status.success() {
            assert!(stderr.is_empty(), "{stderr}");
            common::assert_uuid(String::from_utf8_lossy(&out.stdout).trim());
            added.push(statement.clone());
        } else {
            let line = common::one_error_line(out);
            assert!(
                line.contains("busy"),
                "only 'busy' is an acceptable failure: {line}"
            );
        }
    }
    for out in &reads {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() {
            let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(list.is_array());
        } else {
            assert!(stderr.contains("busy"), "{stderr}");
        }
    }
    eprintln!(
        "{} of {} concurrent adds succeeded",
        added.len(),
        writers.len()
    );
    assert!(!added.is_empty(), "at least some adds succeed");

    let mut stored: Vec<String> = v
        .list(&[])
        .iter()
        .map(|b| b["statement"].as_str().unwrap().to_owned())
        .collect();
    stored.sort();
    added.sort();
    assert_eq!(stored, added, "exactly the successful adds are stored");
    assert_eq!(v.verified_events(), 1 + added.len() as u64);
}

/// Runs the binary with stdout a pipe whose read end is closed at once (or after one line).
fn with_closed_stdout(v: &TestVault, args: &[&str], read_one_line: bool) -> Output {
    let mut child = v
        .std_cmd_with(Some(PASS))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    if read_one_line {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert!(!line.is_empty());
    } else {
        drop(stdout);
    }
    child.wait_with_output().unwrap()
}

#[test]
fn closed_stdout_does_not_panic() {
    let v = TestVault::demo();
    for args in [
        &["belief", "list"][..],
        &["belief", "list", "--json"],
        &["audit", "log", "--json"],
        &["audit", "log"],
        &["access-log"],
        &["access-log", "--json"],
        &["types"],
        &["purposes", "--json"],
    ] {
        for read_one_line in [false, true] {
            let out = with_closed_stdout(&v, args, read_one_line);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?} ends quietly like `| head` expects: {stderr}"
            );
            assert!(stderr.is_empty(), "{args:?}: {stderr}");
        }
    }
    // The vault is none the worse.
    assert!(v.count() >= 35);
    assert!(v.verified_events() >= 36);
}
