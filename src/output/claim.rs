//! Claiming an output folder: the rule that truce replaces only what it wrote (docs/outputs.md).
//!
//! Before a command writes anything it claims its target. The claim checks that the target is
//! absent, an empty folder, or a folder truce wrote (recognised by its manifest) that holds only
//! files truce writes; anything else is refused and left as it is. The claim then takes an
//! advisory lock (`.NAME.lock` beside the target), so two truce processes never write the same
//! folder at once, and tidies what a killed process left: its temporary folders
//! (`.NAME.tmp-PID`) are removed, and a previous run it had moved aside (`.NAME.old-PID`) is put
//! back. Temporary folders are registered so that SIGINT, SIGTERM and SIGHUP remove them.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::files::EnvError;

/// A target that truce will not replace, with what to do instead. Bad usage: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("output folder `{}`: {what}\n  help: {help}", path.display())]
pub struct Refused {
    pub path: PathBuf,
    pub what: String,
    pub help: String,
}

/// Another truce process holds the target's lock.
#[derive(Debug, thiserror::Error)]
#[error(
    "output folder `{}` is being written by another truce process (it holds `{}`)\n  help: wait for that run to finish, or write elsewhere with --out",
    path.display(),
    lock.display()
)]
pub struct Busy {
    pub path: PathBuf,
    pub lock: PathBuf,
}

/// Top-level names that truce writes into its folders.
const OWN_FILES: &[&str] = &[
    "runs.csv",
    "timeseries.csv",
    "summary.json",
    "summary.csv",
    "manifest.json",
    "scenario.resolved.toml",
    "backtest.csv",
    "backtest.json",
    "rolling.csv",
    "rolling.json",
    "compare.csv",
    "compare.json",
    "design_results.csv",
    "tornado.csv",
    "sensitivity.csv",
    "sweep.csv",
    "sweep.json",
    "report.html",
    "shard.json",
];
/// Files whose `truce_version` (top level or under `identity`) marks a folder as truce's.
const MARKERS: &[&str] = &["manifest.json", "compare.json", "sweep.json", "rolling.json"];

/// A claimed output folder: the lock is held until the claim is dropped.
#[derive(Debug)]
pub struct Claim {
    pub target: PathBuf,
    parent: PathBuf,
    name: String,
    lock_path: PathBuf,
    _lock: File,
}

impl Claim {
    /// Claims `target` for writing: it must be absent, empty, or truce's own (see the module).
    pub fn take(target: &Path) -> crate::error::Result<Claim> {
        Claim::open(target, true)
    }

    /// Locks an existing run folder to change part of it (`truce plot` replaces its charts).
    pub fn lock(target: &Path) -> crate::error::Result<Claim> {
        Claim::open(target, false)
    }

    fn open(target: &Path, replace: bool) -> crate::error::Result<Claim> {
        let name = match target.file_name() {
            Some(n) if target.components().next_back().is_some_and(|c| matches!(c, std::path::Component::Normal(_))) => {
                n.to_string_lossy().into_owned()
            }
            _ => {
                return Err(Refused {
                    path: target.to_path_buf(),
                    what: "is not a name of a new folder (it ends in `.`, `..` or `/`)".into(),
                    help: "give the folder to write, e.g. --out output/my_run".into(),
                }
                .into());
            }
        };
        if replace {
            check_replaceable(target)?;
        }
        let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| EnvError::write("create the folder", &parent, e))?;
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = lock_file(&lock_path, target)?;
        register(&lock_path);
        let claim = Claim { target: target.to_path_buf(), parent, name, lock_path, _lock: lock };
        claim.tidy()?;
        if replace {
            // Tidying may have put a previous run back: check again what is there now.
            check_replaceable(target)?;
        }
        Ok(claim)
    }

    /// A fresh temporary folder beside the target, registered for removal on a signal.
    pub fn temp_dir(&self) -> Result<PathBuf, EnvError> {
        let tmp = self.parent.join(format!(".{}.tmp-{}", self.name, std::process::id()));
        if fs::symlink_metadata(&tmp).is_ok() {
            fs::remove_dir_all(&tmp).map_err(|e| EnvError::write("remove the stale temporary folder", &tmp, e))?;
        }
        register(&tmp);
        fs::create_dir(&tmp).map_err(|e| EnvError::write("create the temporary folder", &tmp, e))?;
        Ok(tmp)
    }

    /// Moves `tmp` into place as the target, replacing what was there (checked by `take`).
    pub fn install(&self, tmp: &Path) -> Result<(), EnvError> {
        let old = self.parent.join(format!(".{}.old-{}", self.name, std::process::id()));
        let had_old = fs::symlink_metadata(&self.target).is_ok();
        if had_old {
            fs::rename(&self.target, &old).map_err(|e| EnvError::write("move the previous run aside", &self.target, e))?;
        }
        if let Err(e) = fs::rename(tmp, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(EnvError::write("move the finished run into", &self.target, e));
        }
        unregister(tmp);
        if had_old {
            // The new run is in place; the old one is only garbage now. If it cannot be removed
            // the next run into this place removes it.
            let _ = fs::remove_dir_all(&old);
        }
        Ok(())
    }

    /// Removes what a killed truce process left beside the target (it cannot be running: the
    /// lock is ours) and puts back a previous run that it had moved aside but not replaced.
    fn tidy(&self) -> Result<(), EnvError> {
        let entries = match fs::read_dir(&self.parent) {
            Ok(e) => e,
            Err(e) => return Err(EnvError::read(&self.parent, e)),
        };
        let tmp_prefix = format!(".{}.tmp-", self.name);
        let old_prefix = format!(".{}.old-", self.name);
        let mut olds = Vec::new();
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let is_pid = |rest: &str| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit());
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if !is_dir {
                continue;
            }
            if let Some(rest) = file_name.strip_prefix(&tmp_prefix)
                && is_pid(rest)
            {
                let path = entry.path();
                fs::remove_dir_all(&path).map_err(|e| EnvError::write("remove the stale temporary folder", &path, e))?;
            } else if let Some(rest) = file_name.strip_prefix(&old_prefix)
                && is_pid(rest)
            {
                olds.push(entry.path());
            }
        }
        for old in olds {
            if fs::symlink_metadata(&self.target).is_err() && is_truce_folder(&old) {
                fs::rename(&old, &self.target).map_err(|e| EnvError::write("restore the previous run from", &old, e))?;
            } else {
                fs::remove_dir_all(&old).map_err(|e| EnvError::write("remove the stale folder", &old, e))?;
            }
        }
        Ok(())
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        // Unlinking while the lock is held is safe: a process that opened the old file re-checks
        // after locking that the path still names what it locked (`lock_file`).
        let _ = fs::remove_file(&self.lock_path);
        unregister(&self.lock_path);
    }
}

/// Opens and locks `.NAME.lock`; refuses if another process holds it.
fn lock_file(path: &Path, target: &Path) -> crate::error::Result<File> {
    for _ in 0..10 {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| EnvError::write("create the lock file", path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(Busy { path: target.to_path_buf(), lock: path.to_path_buf() }.into()),
            Err(fs::TryLockError::Error(e)) => return Err(EnvError::write("lock", path, e).into()),
        }
        // The holder may have removed the file between our open and our lock: then we hold a
        // lock on a file nobody else will see. Only a lock on the file the path names counts.
        let same = match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        };
        if same {
            return Ok(file);
        }
    }
    Err(Busy { path: target.to_path_buf(), lock: path.to_path_buf() }.into())
}

/// Refuses a target that is not absent, empty, or a folder of truce's own files.
pub fn check_replaceable(target: &Path) -> crate::error::Result<()> {
    let refuse =
        |what: String, help: &str| -> crate::error::Error { Refused { path: target.to_path_buf(), what, help: help.into() }.into() };
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(EnvError::read(target, e).into()),
    };
    let other = "choose a new folder with --out, e.g. --out output/my_run";
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err(refuse("is a symbolic link; truce replaces only folders it wrote itself".into(), other));
    }
    if ft.is_file() {
        return Err(refuse("is a file, not a run folder; truce does not replace it".into(), other));
    }
    if !ft.is_dir() {
        return Err(refuse("is a device, a pipe or a socket, not a run folder; truce does not touch it".into(), other));
    }
    let mut entries = fs::read_dir(target).map_err(|e| EnvError::read(target, e))?.peekable();
    if entries.peek().is_none() {
        return Ok(());
    }
    if !is_truce_folder(target) {
        return Err(refuse(
            "is a folder that truce did not write (it has no truce manifest); truce does not replace it".into(),
            "choose a new folder with --out, e.g. --out output/my_run, or empty this one",
        ));
    }
    if let Some(foreign) = foreign_entry(target) {
        return Err(refuse(
            format!("holds `{}`, which truce did not write; truce replaces a run folder only whole", foreign.display()),
            "move that file out of the folder, or choose a new folder with --out",
        ));
    }
    Ok(())
}

/// A folder truce wrote: one of its marker files carries a `truce_version`.
pub fn is_truce_folder(dir: &Path) -> bool {
    MARKERS.iter().any(|m| {
        let Ok(text) = crate::files::read_text(&dir.join(m), crate::files::DATA_LIMIT) else { return false };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else { return false };
        v.get("truce_version").or_else(|| v.get("identity").and_then(|i| i.get("truce_version"))).is_some_and(|t| t.is_string())
    })
}

/// The first entry of a truce folder that truce does not write, if any (relative to `dir`).
fn foreign_entry(dir: &Path) -> Option<PathBuf> {
    let entries = fs::read_dir(dir).ok()?;
    let mut names: Vec<_> = entries.flatten().collect();
    names.sort_by_key(|e| e.file_name());
    for entry in names {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(ft) = entry.file_type() else { return Some(PathBuf::from(name)) };
        let path = entry.path();
        let own = if ft.is_file() {
            OWN_FILES.contains(&name.as_str()) || is_own_temp(&name)
        } else if ft.is_dir() && name == "charts" {
            match charts_foreign(&path) {
                Some(f) => return Some(PathBuf::from(name).join(f)),
                None => true,
            }
        } else if ft.is_dir() && is_own_temp(&name) {
            true
        } else if ft.is_dir() && is_truce_folder(&path) {
            // A comparison holds one run folder per scenario.
            match foreign_entry(&path) {
                Some(f) => return Some(PathBuf::from(name).join(f)),
                None => true,
            }
        } else {
            false
        };
        if !own {
            return Some(PathBuf::from(name));
        }
    }
    None
}

/// The first entry of a charts folder that is not a chart truce draws.
pub fn charts_foreign(dir: &Path) -> Option<PathBuf> {
    let mut entries: Vec<_> = fs::read_dir(dir).ok()?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    entries
        .into_iter()
        .find(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_file = e.file_type().map(|t| t.is_file()).unwrap_or(false);
            !((is_file && (name.ends_with(".png") || name.ends_with(".svg")) && !name.starts_with('.')) || is_own_temp(&name))
        })
        .map(|e| PathBuf::from(e.file_name()))
}

/// Temporary names truce uses inside its folders: `NAME.tmp-PID`, `.NAME.tmp-PID`, `.NAME.old-PID`.
fn is_own_temp(name: &str) -> bool {
    [".tmp-", ".old-"]
        .iter()
        .any(|sep| name.rsplit_once(sep).is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())))
}

/// Temporary folders and lock files of this process, removed if a signal ends it.
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

pub fn register(path: &Path) {
    install_signal_handler();
    TEMPS.lock().unwrap_or_else(|e| e.into_inner()).push(path.to_path_buf());
}

pub fn unregister(path: &Path) {
    TEMPS.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| p != path);
}

/// Removes every registered temporary folder (after a signal, or from a test).
pub fn remove_registered() {
    let temps = TEMPS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for t in temps {
        if fs::symlink_metadata(&t).is_ok_and(|m| m.is_file()) {
            let _ = fs::remove_file(&t);
            continue;
        }
        // The main thread may still be writing into the folder: try until it is gone.
        for _ in 0..50 {
            match fs::remove_dir_all(&t) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => std::thread::sleep(std::time::Duration::from_millis(10)),
                _ => break,
            }
        }
    }
}

/// What to tell the user after an interrupt has removed the unfinished output: set by the
/// command line (the library prints nothing).
static ON_INTERRUPT: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets what the interrupt handler calls once the unfinished output is removed, before the
/// process exits with 130.
pub fn on_interrupt(note: fn()) {
    let _ = ON_INTERRUPT.set(note);
}

fn install_signal_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SIGINT, SIGTERM and SIGHUP (ctrlc's `termination` feature). The handler runs on its own
        // thread, so removing folders there is safe. 130 is the shell's code for an interrupt.
        let _ = ctrlc::set_handler(|| {
            remove_registered();
            if let Some(note) = ON_INTERRUPT.get() {
                note();
            }
            std::process::exit(130);
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_temp_names() {
        assert!(is_own_temp(".endgame.tmp-123"));
        assert!(is_own_temp("sweep.tmp-9"));
        assert!(!is_own_temp("notes.tmp-"));
        assert!(!is_own_temp("notes.tmp-12a"));
        assert!(!is_own_temp("notes.txt"));
    }
}
