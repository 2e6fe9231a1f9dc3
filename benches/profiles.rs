//! Library benchmarks on a large, realistic pair of AWS files: 10,000 profiles in each.
//!
//! The fixture is generated here, in memory, and never committed. `scripts/bench.sh` generates
//! the byte-identical files (its Python generator follows `fixture` below step for step) to time
//! the `credwiz` binary against the AWS CLI; set `CREDWIZ_BENCH_WRITE_FIXTURE=DIR` to have this
//! bench write its copy to `DIR/config` and `DIR/credentials` so the two can be compared.
//!
//! Run with `cargo bench --bench profiles`. Sample counts and times are kept small so a run
//! takes well under a minute on two cores.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

use credwiz::profiles::{Document, Edit, ProfileSet};

/// Profiles in each file.
const PROFILES: usize = 10_000;
/// The profile edited by the `set` benchmark: one in the middle of both files.
const MIDDLE: &str = "p5000";

const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];
const OUTPUTS: &[&str] = &["json", "text", "table"];
/// Characters of the 16 characters after `AKIA` in an access key id.
const KEY_ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Characters of a secret access key.
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// SplitMix64: a tiny deterministic generator, easy to reproduce exactly in Python.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn string(&mut self, alphabet: &[u8], length: usize) -> String {
        (0..length)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize] as char)
            .collect()
    }
}

/// The `(config, credentials)` texts: `profiles` profiles in each, with comments, `s3 =`
/// sub-property blocks, some SSO profiles, an `sso-session` and a `services` section.
fn fixture(profiles: usize) -> (String, String) {
    let mut config = String::with_capacity(profiles * 80);
    config.push_str("# ~/.aws/config: credwiz benchmark fixture (generated)\n");
    config.push_str("[default]\nregion = us-east-1\noutput = json\n\n");
    config.push_str("[sso-session corp]\n");
    config.push_str("sso_start_url = https://corp.awsapps.com/start\n");
    config.push_str("sso_region = us-east-1\n");
    config.push_str("sso_registration_scopes = sso:account:access\n\n");
    config.push_str("[services local-endpoints]\n");
    config.push_str("s3 =\n  endpoint_url = http://127.0.0.1:9000\n");
    config.push_str("sts =\n  endpoint_url = http://127.0.0.1:9001\n\n");

    let mut credentials = String::with_capacity(profiles * 120);
    credentials.push_str("# ~/.aws/credentials: credwiz benchmark fixture (generated)\n");

    for i in 0..profiles {
        if i % 5 == 0 {
            config.push_str(&format!("# team {}: profiles p{i} to p{}\n", i / 5, i + 4));
        }
        config.push_str(&format!("[profile p{i}]\n"));
        config.push_str(&format!("region = {}\n", REGIONS[i % REGIONS.len()]));
        config.push_str(&format!("output = {}\n", OUTPUTS[i % OUTPUTS.len()]));
        if i % 10 == 3 {
            config.push_str("s3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n");
        }
        if i % 50 == 7 {
            config.push_str("sso_session = corp\n");
            config.push_str(&format!("sso_account_id = {:012}\n", 100_000_000_000 + i));
            config.push_str("sso_role_name = ReadOnly\n");
        }
        if i % 25 == 11 {
            config.push_str("services = local-endpoints\n");
        }
        config.push('\n');

        let mut random = SplitMix(i as u64);
        if i % 7 == 0 {
            credentials.push_str(&format!("; rotated {:02} days ago\n", i % 90));
        }
        credentials.push_str(&format!("[p{i}]\n"));
        credentials.push_str(&format!(
            "aws_access_key_id = AKIA{}\n",
            random.string(KEY_ID_ALPHABET, 16)
        ));
        credentials.push_str(&format!(
            "aws_secret_access_key = {}\n",
            random.string(SECRET_ALPHABET, 40)
        ));
        credentials.push('\n');
    }
    (config, credentials)
}

fn write_fixture_if_asked(config: &str, credentials: &str) {
    let Some(dir) = std::env::var_os("CREDWIZ_BENCH_WRITE_FIXTURE") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create the fixture folder");
    std::fs::write(dir.join("config"), config).expect("write the config fixture");
    std::fs::write(dir.join("credentials"), credentials).expect("write the credentials fixture");
}

fn profiles(c: &mut Criterion) {
    let (config_text, credentials_text) = fixture(PROFILES);
    write_fixture_if_asked(&config_text, &credentials_text);
    let config = Document::parse(&config_text).expect("the config fixture parses");
    let credentials = Document::parse(&credentials_text).expect("the credentials fixture parses");
    let set = ProfileSet::read(&config, &credentials);
    assert_eq!(set.profiles.len(), PROFILES + 1, "p0..p9999 and default");

    let mut group = c.benchmark_group("profiles");
    // Flat sampling: the same iteration count in every sample, so the millisecond-long
    // benchmarks fit their 20 samples in the measurement time.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    group.throughput(Throughput::Bytes(config_text.len() as u64));
    group.bench_function("parse/config", |b| {
        b.iter(|| Document::parse(black_box(&config_text)).unwrap())
    });
    group.throughput(Throughput::Bytes(credentials_text.len() as u64));
    group.bench_function("parse/credentials", |b| {
        b.iter(|| Document::parse(black_box(&credentials_text)).unwrap())
    });

    group.throughput(Throughput::Elements(PROFILES as u64));
    group.bench_function("read/both", |b| {
        b.iter(|| ProfileSet::read(black_box(&config), black_box(&credentials)))
    });

    let edit = Edit::Set {
        profile: MIDDLE.to_string(),
        key: "region".to_string(),
        value: "eu-north-1".to_string(),
    };
    let changes = edit.apply(&config, &credentials).expect("the edit applies");
    assert!(changes.config.is_some() && changes.credentials.is_none());
    group.bench_function("set/middle", |b| {
        b.iter(|| {
            edit.apply(black_box(&config), black_box(&credentials))
                .unwrap()
        })
    });

    group.throughput(Throughput::Bytes(config_text.len() as u64));
    group.bench_function("render/config", |b| b.iter(|| black_box(&config).render()));
    group.throughput(Throughput::Bytes(credentials_text.len() as u64));
    group.bench_function("render/credentials", |b| {
        b.iter(|| black_box(&credentials).render())
    });

    // The whole in-memory path of `credwiz set`: parse both, apply, re-parse the result.
    group.throughput(Throughput::Elements(1));
    group.bench_function("set/parse-apply-reparse", |b| {
        b.iter(|| {
            let config = Document::parse(black_box(&config_text)).unwrap();
            let credentials = Document::parse(black_box(&credentials_text)).unwrap();
            let changes = edit.apply(&config, &credentials).unwrap();
            Document::parse(changes.config.as_deref().unwrap()).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, profiles);
criterion_main!(benches);
