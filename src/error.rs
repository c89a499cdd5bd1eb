//! The errors of truce, one enum whose variant says what kind of failure it is, and so the exit
//! code (docs/outputs.md): bad input or usage is 2, the environment (a file or folder the system
//! will not let truce read or write, an output folder in use) is 3, a bug in truce is 1, and a
//! closed output pipe (`truce run … | head`) ends quietly with 0. Each domain keeps its own
//! type where the failure arises — `scenario::ScenarioError` for a scenario file,
//! `files::EnvError` for the environment, `output::claim::{Refused, Busy}` for an output folder —
//! and converts into [`Error`] with `?`, so no caller has to look inside an error to classify it.

use std::io;

use crate::charts::ChartError;
use crate::files::EnvError;
use crate::output::claim::{Busy, Refused};
use crate::scenario::ScenarioError;

/// Bad input or usage, in a sentence with its fix: an unknown parameter path for `--vary`, a
/// metric that is not an outcome, a runs.csv that cannot fit on the disk.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Any failure of a truce command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario or overrides file, or a `--set`, that truce cannot use (its message names the
    /// file, line and column or the key).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Other bad input or usage.
    #[error(transparent)]
    Input(#[from] InputError),
    /// An output folder truce will not replace.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// An output folder another truce process is writing.
    #[error(transparent)]
    Busy(#[from] Busy),
    /// A named file or folder the environment will not let truce read or write.
    #[error(transparent)]
    Env(#[from] EnvError),
    /// An I/O failure with no path to name: writing to standard output, mostly.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// A state truce's own checks should have made impossible.
    #[error("{0}")]
    Bug(String),
}

/// Returns early with an [`Error::Bug`] made like `format!`.
macro_rules! bug {
    ($($arg:tt)*) => {
        return Err($crate::error::Error::Bug(format!($($arg)*)))
    };
}
pub(crate) use bug;

/// What kind of failure an [`Error`] is, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Input,
    Environment,
    ClosedPipe,
    Bug,
}

impl Kind {
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::ClosedPipe => 0,
            Kind::Bug => 1,
            Kind::Input => 2,
            Kind::Environment => 3,
        }
    }
}

impl Error {
    /// A bug in truce, said in a sentence.
    pub fn bug(message: impl std::fmt::Display) -> Error {
        Error::Bug(message.to_string())
    }

    pub fn kind(&self) -> Kind {
        match self {
            Error::Scenario(_) | Error::Input(_) | Error::Refused(_) => Kind::Input,
            Error::Busy(_) | Error::Env(_) => Kind::Environment,
            Error::Io(e) if e.kind() == io::ErrorKind::BrokenPipe => Kind::ClosedPipe,
            Error::Io(_) => Kind::Environment,
            Error::Bug(_) => Kind::Bug,
        }
    }

    /// The text for standard error: the message with its help line, and for a bug the request to
    /// report it. Empty for a closed pipe.
    pub fn report(&self) -> String {
        match self {
            // A scenario error's message starts with its own `error:` line and source excerpt.
            Error::Scenario(e) => e.to_string(),
            Error::Io(e) if e.kind() == io::ErrorKind::BrokenPipe => String::new(),
            Error::Io(e) => format!(
                "error: {}\n  help: check the files and folders named above, or write elsewhere with --out",
                crate::files::reason(e)
            ),
            Error::Bug(m) => format!("error: {m}\n  (this is a bug in truce: please report it with the command line and scenario)"),
            other => format!("error: {other}"),
        }
    }
}

/// A chart error as the error the user should see: the environment's when a file could not be
/// read or written, bad input for options or a folder truce cannot draw from, a bug otherwise.
impl From<ChartError> for Error {
    fn from(e: ChartError) -> Error {
        use ChartError as C;
        match e {
            C::Read { path, source } => EnvError::read(&path, source).into(),
            C::CreateDir { path, source } => EnvError::write("create the folder", &path, source).into(),
            C::Write { path, source } => EnvError::write("write", &path, source).into(),
            C::Options(m) => InputError(format!("{m}\n  help: e.g. --size 1600x1000 (the default) or --size 800x500")).into(),
            other @ C::Font { .. } => InputError(format!(
                "{other}\n  help: give --font a TrueType/OpenType file (.ttf, .otf or .ttc), e.g. /usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
            ))
            .into(),
            other @ (C::Json { .. } | C::Csv { .. } | C::Invalid { .. }) => {
                InputError(format!("{other}\n  help: the run folder is damaged; run `truce run` again to rewrite it")).into()
            }
            other @ C::Draw { .. } => Error::bug(other),
        }
    }
}

/// A CSV error: the environment's when writing failed, a bug otherwise (truce writes the records
/// it makes; it never reads CSV through this path).
impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Error {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::Io(io),
            other => Error::bug(format!("internal error: a CSV record could not be written: {other:?}")),
        }
    }
}

/// JSON truce serialises from its own values cannot fail but by a bug.
impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Error {
        Error::bug(format!("internal error: JSON could not be written: {e}"))
    }
}

/// The text of CSV written into memory.
pub fn csv_text(w: csv::Writer<Vec<u8>>) -> Result<String> {
    let bytes = w.into_inner().map_err(|e| Error::bug(format!("internal error: CSV in memory: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::bug(format!("internal error: CSV in memory is not UTF-8: {e}")))
}

/// The result of a truce command or of a library step that can fail in more than one way.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_exit_code() {
        let input = Error::from(InputError("no such metric".into()));
        let pipe = Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        let disk = Error::from(io::Error::from(io::ErrorKind::PermissionDenied));
        let env = Error::from(EnvError::read(std::path::Path::new("x.csv"), io::Error::from(io::ErrorKind::NotFound)));
        let bug = Error::bug("a non-finite number");
        let codes: Vec<i32> = [&input, &pipe, &disk, &env, &bug].iter().map(|e| e.kind().exit_code()).collect();
        assert_eq!(codes, [2, 0, 3, 3, 1]);
        assert_eq!(pipe.report(), "");
        assert!(input.report().starts_with("error: no such metric"));
        assert!(bug.report().contains("this is a bug in truce"));
        assert!(env.report().contains("`x.csv`"));
    }
}
