//! Output formats shared by the commands: aligned plain tables, JSON and YAML.

use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;

use super::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Yaml,
}

/// Prints a value as pretty JSON or YAML, streamed to stdout.
pub fn print_structured(value: &impl Serialize, format: ListFormat) -> Result<(), Failure> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        ListFormat::Yaml => serde_yaml_ng::to_writer(&mut out, value)?,
        _ => {
            serde_json::to_writer_pretty(&mut out, value)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Renders rows as left-aligned columns separated by two spaces; the first row is the header.
pub fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_the_widest_cell() {
        let rows = vec![
            vec!["NAME".to_string(), "KIND".to_string()],
            vec!["a-long-name".to_string(), "static".to_string()],
        ];
        assert_eq!(table(&rows), "NAME         KIND\na-long-name  static\n");
    }
}
