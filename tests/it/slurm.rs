//! A run split into 4 shards, and a sweep into 3, on a real (one-node) Slurm cluster and merged
//! by a dependent job equal the single machine's folders: `scripts/slurm-test.sh` starts munged, slurmctld and slurmd, submits
//! through `deploy/slurm/submit.sh`, waits, compares and stops the daemons. Where the cluster
//! cannot start (not root, no packages), the script says why and this test fails.

use std::process::Command;

use crate::common::root;

#[test]
fn shards_on_slurm_merge_to_the_single_run() {
    let out = Command::new("bash")
        .arg(root().join("scripts/slurm-test.sh"))
        .env("TRUCE", env!("CARGO_BIN_EXE_truce"))
        .current_dir(root())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "scripts/slurm-test.sh failed:\n{stdout}\n{stderr}");
    for count in [4, 3] {
        let line = format!("the merged folder of {count} Slurm shards equals the single machine's");
        assert!(stdout.contains(&line), "{stdout}");
    }
}
