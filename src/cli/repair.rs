//! `credwiz repair`: the named repairs credwiz makes to files the AWS SDKs cannot read.

use clap::{Args, ValueEnum};

use super::{Context, Failure, Outcome};
use crate::profiles::{FileKind, store};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WhichFile {
    Config,
    Credentials,
    Both,
}

#[derive(Args, Debug)]
pub struct RepairArgs {
    /// Remove a UTF-8 byte-order mark from the start of the file
    #[arg(long, required = true)]
    pub strip_bom: bool,
    /// Which file to repair
    #[arg(long, value_enum, default_value_t = WhichFile::Both)]
    pub file: WhichFile,
}

pub fn run(context: &Context, args: RepairArgs) -> Outcome {
    let files: &[FileKind] = match args.file {
        WhichFile::Config => &[FileKind::Config],
        WhichFile::Credentials => &[FileKind::Credentials],
        WhichFile::Both => &[FileKind::Config, FileKind::Credentials],
    };
    for file in files {
        let path = context.paths.path(*file);
        if !path.exists() {
            continue;
        }
        let (stripped, report) = store::strip_byte_order_mark(path)?;
        if stripped {
            context.report("removed the byte-order mark", &report);
        } else {
            eprintln!("{}: no byte-order mark", path.display());
        }
    }
    store::load_both(&context.paths)
        .map_err(|e| Failure::Error(format!("the files still do not parse: {e}")))?;
    Ok(())
}
