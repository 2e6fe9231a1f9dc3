//! `credwiz check` against moto with IAM permissions enforced: identity, key age and last use,
//! the flags, graceful degradation without IAM rights, the key-age cache, and (ignored by
//! default) the timing of `check --all` over 200 profiles with the bounded pool and without.

mod common;

use std::fs;
use std::process::Output;
use std::time::{Duration, Instant};

use common::Moto;
use common::iam::Sandbox;
use credwiz::aws::{AwsClients, Endpoints, NewAccessKey};
use credwiz::key_health::{HealthCache, Target, Verdict, check_profiles};
use credwiz::profiles::store::load_both;
use serde_json::Value;

const READ_OWN_KEYS: &[&str] = &["iam:ListAccessKeys", "iam:GetAccessKeyLastUsed"];

async fn admin(moto: &Moto) -> AwsClients {
    common::iam::admin(moto, "iam-check").await
}

fn profile(name: &str, key: &NewAccessKey) -> String {
    format!(
        "[{name}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        key.access_key_id,
        key.secret_access_key.expose()
    )
}

impl Sandbox {
    fn new(credentials: &str, config: &str) -> Sandbox {
        let sandbox = Sandbox::with_files_in("");
        fs::write(sandbox.credentials(), credentials).unwrap();
        fs::write(sandbox.config(), config).unwrap();
        sandbox
    }
}

fn json_of(output: &Output) -> Vec<Value> {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn entry<'a>(results: &'a [Value], profile: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["profile"] == profile)
        .unwrap_or_else(|| panic!("no result for {profile}"))
}

#[tokio::test]
async fn check_reports_identity_key_age_and_last_use() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let key = common::iam::user_allowed(&admin, "check-ok", READ_OWN_KEYS).await;
    let sandbox = Sandbox::new(
        &format!("{}{}", profile("work", &key), profile("work-copy", &key)),
        "[profile work]\nregion = us-east-1\n",
    );
    let output = sandbox.cli(&moto, &["check", "work", "work-copy", "-o", "json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results = json_of(&output);
    assert_eq!(results.len(), 2);
    for name in ["work", "work-copy"] {
        let work = entry(&results, name);
        assert_eq!(work["verdict"], "ok");
        assert_eq!(work["kind"], "static");
        assert_eq!(work["account"], "123456789012");
        assert_eq!(
            work["arn"],
            format!("arn:aws:iam::123456789012:user/{}", key.user_name)
        );
        assert_eq!(work["access_key_id"], key.access_key_id.as_str());
        assert_eq!(work["key_status"], "Active");
        assert_eq!(work["key_age_days"], 0);
        assert!(work["key_created"].as_str().unwrap().ends_with('Z'));
        assert_eq!(work["flags"], serde_json::json!([]));
    }

    let output = sandbox.cli(&moto, &["check", "work"]);
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.starts_with("PROFILE"), "{table}");
    assert!(
        table.contains("✓ ok") && table.contains(&key.user_name),
        "{table}"
    );
    let shown = format!("{table}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!shown.contains(key.secret_access_key.expose()));
}

#[tokio::test]
async fn dead_keys_and_tokens_beside_long_term_keys_fail_the_check() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let good = common::iam::user_allowed(&admin, "check-good", READ_OWN_KEYS).await;
    let dead = common::iam::user_allowed(&admin, "check-dead", READ_OWN_KEYS).await;
    admin
        .delete_access_key(&dead.user_name, &dead.access_key_id)
        .await
        .unwrap();
    let credentials = format!(
        "{}{}{}aws_session_token = leftover-token\n",
        profile("good", &good),
        profile("dead", &dead),
        profile("tokened", &good),
    );
    let sandbox = Sandbox::new(&credentials, "[profile regional]\nregion = eu-west-1\n");
    let output = sandbox.cli(&moto, &["check", "--all", "-o", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("2 of 4 checks failed"));
    let results = json_of(&output);
    assert_eq!(entry(&results, "good")["verdict"], "ok");
    let dead = entry(&results, "dead");
    assert_eq!(dead["verdict"], "failed");
    assert_eq!(dead["flags"], serde_json::json!(["dead-key"]));
    assert!(
        dead["notes"][0]
            .as_str()
            .unwrap()
            .contains("InvalidClientTokenId")
    );
    let tokened = entry(&results, "tokened");
    assert_eq!(tokened["verdict"], "failed");
    assert!(
        tokened["flags"]
            .as_array()
            .unwrap()
            .contains(&Value::from("session-token-with-long-term-key"))
    );
    assert_eq!(entry(&results, "regional")["verdict"], "skipped");

    let table = sandbox.cli(&moto, &["check", "--all"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("✗ failed") && text.contains("dead key"),
        "{text}"
    );
    assert!(
        text.contains("session token beside long-term key"),
        "{text}"
    );
}

#[tokio::test]
async fn without_iam_rights_check_degrades_gracefully() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let key = common::iam::user_allowed(&admin, "check-norights", &[]).await;
    let sandbox = Sandbox::new(&profile("bare", &key), "");
    let output = sandbox.cli(&moto, &["check", "bare", "-o", "json"]);
    assert!(output.status.success(), "a warning is not a failure");
    let results = json_of(&output);
    let bare = entry(&results, "bare");
    assert_eq!(bare["verdict"], "warning");
    assert_eq!(bare["account"], "123456789012");
    assert_eq!(bare["key_age_days"], Value::Null);
    let notes = bare["notes"].to_string();
    assert!(notes.contains("iam:ListAccessKeys"), "{notes}");
    assert!(notes.contains("iam:GetAccessKeyLastUsed"), "{notes}");
}

#[tokio::test]
async fn results_are_cached_for_home() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let first = common::iam::user_allowed(&admin, "check-cache-a", READ_OWN_KEYS).await;
    let second = common::iam::user_allowed(&admin, "check-cache-b", READ_OWN_KEYS).await;
    let sandbox = Sandbox::new(
        &format!("{}{}", profile("a", &first), profile("b", &second)),
        "",
    );
    assert!(sandbox.cli(&moto, &["check", "a"]).status.success());
    assert!(sandbox.cli(&moto, &["check", "b"]).status.success());
    let cache = HealthCache::load(&sandbox.state());
    let now = time::OffsetDateTime::now_utc();
    assert_eq!(cache.key_age_days("a", &first.access_key_id, now), Some(0));
    assert_eq!(cache.key_age_days("b", &second.access_key_id, now), Some(0));
    assert_eq!(
        cache.key_age_days("a", &second.access_key_id, now),
        None,
        "another key than the one checked"
    );
    assert_eq!(cache.get("a").unwrap().verdict, Verdict::Ok);
    let text = fs::read_to_string(HealthCache::path(&sandbox.state())).unwrap();
    assert!(!text.contains(first.secret_access_key.expose()));
}

#[test]
fn check_needs_names_or_all_and_known_profiles() {
    let sandbox = Sandbox::new(
        "[a]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n",
        "",
    );
    let run = |args: &[&str]| {
        common::credwiz_in_home(sandbox.dir.path())
            .env("CREDWIZ_STATE_DIR", sandbox.state())
            .arg("--config-file")
            .arg(sandbox.config())
            .arg("--credentials-file")
            .arg(sandbox.credentials())
            .args(args)
            .output()
            .unwrap()
    };
    let output = run(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--all"));
    let output = run(&["check", "nope"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nope"));
    assert_eq!(
        run(&["check", "--all", "-o", "yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["check", "a", "--all"]).status.code(), Some(2));
    assert_eq!(
        run(&["check", "--all", "--jobs", "0"]).status.code(),
        Some(2)
    );
}

/// A loopback TCP proxy to `target` (`host:port`) that holds each chunk a client sends for
/// `delay`, standing in for the round trip to AWS. Returns its endpoint URL.
async fn latency_proxy(target: String, delay: Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(&target).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let upstream = async {
                    let mut buffer = vec![0u8; 64 * 1024];
                    while let Ok(n @ 1..) = client_read.read(&mut buffer).await {
                        tokio::time::sleep(delay).await;
                        if server_write.write_all(&buffer[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = server_write.shutdown().await;
                };
                let downstream = tokio::io::copy(&mut server_read, &mut client_write);
                let _ = tokio::join!(upstream, downstream);
            });
        }
    });
    format!("http://{address}")
}

/// Not a test of behaviour: measures `check --all` over 200 profiles against moto with the
/// bounded pool and one at a time, directly and through a proxy adding 20 ms per request (as a
/// network would). Run with `cargo test --test iam_check -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore]
async fn check_all_over_200_profiles_with_the_pool_and_one_at_a_time() {
    let Some(moto) = common::moto() else { return };
    let admin = admin(&moto).await;
    let started = Instant::now();
    let users = futures::future::join_all(
        (0..100).map(|_| common::iam::user_allowed(&admin, "check-scale", READ_OWN_KEYS)),
    )
    .await;
    let mut keys = users;
    let second =
        futures::future::join_all(keys.iter().map(|k| admin.create_access_key(&k.user_name))).await;
    keys.extend(second.into_iter().map(|k| k.expect("second key")));
    let credentials: String = keys
        .iter()
        .enumerate()
        .map(|(i, key)| profile(&format!("p{i:03}"), key))
        .collect();
    let sandbox = Sandbox::new(&credentials, "");
    eprintln!("set-up of 200 keys: {:?}", started.elapsed());

    let loaded = load_both(&sandbox.paths()).unwrap();
    let set = loaded.reading();
    let targets = Target::from_profiles(&set, &[]);
    assert_eq!(targets.len(), 200);
    let moto_address = moto.endpoint.trim_start_matches("http://").to_string();
    let slow = latency_proxy(moto_address, Duration::from_millis(20)).await;
    for (route, endpoint) in [("direct", moto.endpoint.clone()), ("+20 ms", slow)] {
        let endpoints = Endpoints::resolve(Some(&endpoint), |_| None);
        for jobs in [1, 8, 32] {
            let started = Instant::now();
            let results = check_profiles(&sandbox.paths(), &endpoints, &targets, jobs).await;
            let elapsed = started.elapsed();
            assert_eq!(results.len(), 200);
            assert!(
                results.iter().all(|r| r.verdict == Verdict::Ok),
                "{results:?}"
            );
            eprintln!(
                "check --all, 200 profiles x 3 calls, {route}, {jobs:>2} at a time: {elapsed:.2?}"
            );
        }
    }
}
