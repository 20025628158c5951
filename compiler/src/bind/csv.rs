//! A small RFC 4180 CSV reader: comma-separated fields, optionally quoted
//! with `"` (a quote inside a quoted field is doubled, and a quoted field may
//! span lines), `\n` or `\r\n` line ends, a header row first.
//!
//! Leniencies, each because common writers produce it: a UTF-8 byte-order
//! mark is skipped, blank lines are skipped, and the last line need not end
//! with a newline. Everything else malformed is an error with its line.

/// A CSV file: the header's column names and the rows' fields.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CsvTable {
    /// Column names, as written (quotes removed).
    pub header: Vec<String>,
    /// Every data row, as many fields as the header.
    pub rows: Vec<Vec<String>>,
    /// The 1-based line on which each row starts, for messages.
    pub row_lines: Vec<usize>,
}

/// A malformed CSV file: what is wrong and on which (1-based) line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CsvError {
    pub line: usize,
    pub message: String,
}

/// Reads a CSV text into a header and rows of the header's width.
pub(crate) fn parse(text: &str) -> Result<CsvTable, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records = records(text)?;
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Err(CsvError {
            line: 1,
            message: "the file is empty; a header row of column names is expected".into(),
        });
    };
    let mut table = CsvTable {
        header,
        rows: Vec::new(),
        row_lines: Vec::new(),
    };
    for (line, fields) in records {
        if fields.len() != table.header.len() {
            return Err(CsvError {
                line,
                message: format!(
                    "row {} has {} fields but the header has {} columns",
                    table.rows.len() + 1,
                    fields.len(),
                    table.header.len()
                ),
            });
        }
        table.rows.push(fields);
        table.row_lines.push(line);
    }
    Ok(table)
}

/// Splits the text into records of fields, each with its starting line.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, CsvError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    loop {
        // Skip blank lines between records.
        while let Some(&c) = chars.peek() {
            if c == '\n' || c == '\r' {
                if c == '\n' {
                    line += 1;
                }
                chars.next();
                if c == '\r' && chars.peek() != Some(&'\n') {
                    line += 1;
                }
            } else {
                break;
            }
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let start = line;
        let mut fields = Vec::new();
        let mut field = String::new();
        loop {
            // One field.
            if chars.peek() == Some(&'"') {
                chars.next();
                let open_line = line;
                loop {
                    match chars.next() {
                        None => {
                            return Err(CsvError {
                                line: open_line,
                                message: "a quoted field is never closed".into(),
                            })
                        }
                        Some('"') => {
                            if chars.peek() == Some(&'"') {
                                chars.next();
                                field.push('"');
                            } else {
                                break;
                            }
                        }
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            field.push(c);
                        }
                    }
                }
                match chars.peek() {
                    None | Some(',') | Some('\n') | Some('\r') => {}
                    Some(c) => {
                        return Err(CsvError {
                            line,
                            message: format!(
                                "`{c}` after the closing quote of a field; a quoted field must end at a comma or the end of the line"
                            ),
                        })
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' || c == '\n' || c == '\r' {
                        break;
                    }
                    if c == '"' {
                        return Err(CsvError {
                            line,
                            message: "a quote inside an unquoted field; quote the whole field and double the quote (`\"\"`)".into(),
                        });
                    }
                    field.push(c);
                    chars.next();
                }
            }
            fields.push(std::mem::take(&mut field));
            match chars.next() {
                Some(',') => continue,
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    break;
                }
                Some('\n') => {
                    line += 1;
                    break;
                }
                // End of text; any other character was consumed by the field.
                _ => break,
            }
        }
        out.push((start, fields));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_fields_and_line_numbers() {
        let t = parse(
            "\"\",\"a\",\"b\"\r\n\"1\",1.5,\"x,y\"\n\n\"2\",2,\"he said \"\"hi\"\"\nthere\"\n",
        )
        .unwrap();
        assert_eq!(t.header, vec!["", "a", "b"]);
        assert_eq!(t.rows[0], vec!["1", "1.5", "x,y"]);
        assert_eq!(t.rows[1], vec!["2", "2", "he said \"hi\"\nthere"]);
        assert_eq!(t.row_lines, vec![2, 4]);
    }

    #[test]
    fn reports_malformed_rows() {
        assert_eq!(parse("a,b\n1\n").unwrap_err().line, 2);
        assert_eq!(parse("a,b\n1,\"2\n").unwrap_err().line, 2);
        assert!(parse("a\n1\"x\n").is_err());
        assert!(parse("a\n\"1\"x\n").is_err());
        assert!(parse("").is_err());
        // No trailing newline, empty last field.
        assert_eq!(
            parse("a,b\n1,").unwrap().rows,
            vec![vec!["1".to_string(), String::new()]]
        );
    }
}
