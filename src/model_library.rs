//! The model library that `hbmc build` writes: hbmc's generic C-ABI library
//! (the `hbmc-capi` crate, BridgeStan's interface) with one model's source
//! appended after the ELF/Mach-O image. The loader ignores bytes past the
//! image, so the library loads as the generic one does; at
//! `bs_model_construct` it reads its own file back and compiles the source
//! it finds here (see docs/design.md, "Model libraries").
//!
//! Layout of the trailer, after the generic library's bytes:
//! `source` (UTF-8), `name` (UTF-8), `source` length and `name` length as
//! little-endian u64, then [`MAGIC`].

use std::path::Path;

/// The last bytes of a model library: marks the trailer and its version.
pub const MAGIC: &[u8; 8] = b"HBMCMOD1";

/// Size of the fixed part at the end: two lengths and the magic.
const FOOTER: usize = 8 + 8 + MAGIC.len();

/// The model a library carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedModel {
    /// The model's name (`bs_name`), the source file's stem.
    pub name: String,
    /// The model's source text, compiled at construction.
    pub source: String,
}

/// The bytes of a model library: the generic library's bytes with the
/// model appended. A generic library that already carries a model is
/// refused, so trailers never nest.
pub fn append_model(generic: &[u8], model: &EmbeddedModel) -> Result<Vec<u8>, String> {
    if generic.ends_with(MAGIC) {
        return Err("the generic library already carries a model; give hbmc's own `libhbmc_capi` library, not a built model".into());
    }
    let mut out = Vec::with_capacity(generic.len() + model.source.len() + model.name.len() + FOOTER);
    out.extend_from_slice(generic);
    out.extend_from_slice(model.source.as_bytes());
    out.extend_from_slice(model.name.as_bytes());
    out.extend_from_slice(&(model.source.len() as u64).to_le_bytes());
    out.extend_from_slice(&(model.name.len() as u64).to_le_bytes());
    out.extend_from_slice(MAGIC);
    Ok(out)
}

/// The model carried by a library's bytes: `Ok(None)` for a library
/// without a trailer (the generic library itself), `Err` for a trailer
/// that is damaged.
pub fn read_model(bytes: &[u8]) -> Result<Option<EmbeddedModel>, String> {
    if bytes.len() < FOOTER || !bytes.ends_with(MAGIC) {
        return Ok(None);
    }
    let end = bytes.len() - FOOTER;
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let (source_len, name_len) = (word(end), word(end + 8));
    let damaged = || "the model library's embedded model is damaged (its lengths do not fit the file); build it again with `hbmc build`".to_string();
    let name_start = usize::try_from(name_len).ok().and_then(|n| end.checked_sub(n)).ok_or_else(damaged)?;
    let source_start = usize::try_from(source_len).ok().and_then(|n| name_start.checked_sub(n)).ok_or_else(damaged)?;
    let text = |range: std::ops::Range<usize>| String::from_utf8(bytes[range].to_vec()).map_err(|_| damaged());
    Ok(Some(EmbeddedModel { name: text(name_start..end)?, source: text(source_start..name_start)? }))
}

/// The model carried by the library file at `path`, reading only its
/// trailer (a library is tens of megabytes; its model a few kilobytes).
pub fn read_model_file(path: &Path) -> Result<Option<EmbeddedModel>, String> {
    use std::io::{Read, Seek, SeekFrom};
    let cannot = |e: std::io::Error| format!("cannot read the model library `{}` to find its model: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let len = file.metadata().map_err(cannot)?.len();
    if len < FOOTER as u64 {
        return Ok(None);
    }
    let mut footer = [0u8; FOOTER];
    file.seek(SeekFrom::End(-(FOOTER as i64))).map_err(cannot)?;
    file.read_exact(&mut footer).map_err(cannot)?;
    if !footer.ends_with(MAGIC) {
        return Ok(None);
    }
    let word = |at: usize| u64::from_le_bytes(footer[at..at + 8].try_into().unwrap_or([0xff; 8]));
    let payload = word(0).checked_add(word(8)).filter(|&n| n <= len - FOOTER as u64).ok_or_else(|| {
        "the model library's embedded model is damaged (its lengths do not fit the file); build it again with `hbmc build`".to_string()
    })?;
    // `payload` fits in the file, so in memory's address range too.
    let mut tail = vec![0u8; payload as usize + FOOTER];
    file.seek(SeekFrom::End(-(tail.len() as i64))).map_err(cannot)?;
    file.read_exact(&mut tail).map_err(cannot)?;
    read_model(&tail)
}

/// Writes a model library for `model` from the generic library at
/// `generic` to `out`.
pub fn write_model_library(generic: &Path, model: &EmbeddedModel, out: &Path) -> Result<(), String> {
    let bytes = std::fs::read(generic)
        .map_err(|e| format!("cannot read the generic model library `{}`: {e}", generic.display()))?;
    let library = append_model(&bytes, model)?;
    std::fs::write(out, library).map_err(|e| format!("cannot write `{}`: {e}", out.display()))?;
    // The generic library's mode (executable, as linkers make shared
    // objects); cosmetic, since loading needs no execute bit, so a failure
    // here leaves a usable library.
    if let Ok(meta) = std::fs::metadata(generic) {
        let _ = std::fs::set_permissions(out, meta.permissions());
    }
    Ok(())
}

/// The file name of the generic library on this platform, as cargo names
/// the `hbmc-capi` crate's cdylib.
pub fn generic_library_file_name() -> String {
    format!("{}hbmc_capi{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> EmbeddedModel {
        EmbeddedModel { name: "eight_schools".into(), source: "parameters { real mu; }\nmodel { mu ~ normal(0, 1); }\n".into() }
    }

    #[test]
    fn a_trailer_round_trips_and_keeps_the_library_bytes() {
        let generic = b"\x7fELF generic image bytes".to_vec();
        let built = append_model(&generic, &model()).unwrap();
        assert!(built.starts_with(&generic));
        assert_eq!(read_model(&built).unwrap(), Some(model()));
    }

    #[test]
    fn a_library_without_a_trailer_carries_no_model() {
        assert_eq!(read_model(b"\x7fELF generic image bytes").unwrap(), None);
        assert_eq!(read_model(b"").unwrap(), None);
    }

    #[test]
    fn a_damaged_trailer_is_an_error_not_a_guess() {
        let mut built = append_model(b"lib", &model()).unwrap();
        // Claim a source longer than the file.
        let at = built.len() - FOOTER;
        built[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(read_model(&built).unwrap_err().contains("damaged"));
    }

    #[test]
    fn a_library_file_is_read_from_its_tail() {
        let dir = std::env::temp_dir().join(format!("hbmc-model-library-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("libm.so");
        std::fs::write(&path, append_model(&vec![7u8; 10_000], &model()).unwrap()).unwrap();
        assert_eq!(read_model_file(&path).unwrap(), Some(model()));
        std::fs::write(&path, vec![7u8; 10]).unwrap();
        assert_eq!(read_model_file(&path).unwrap(), None);
        let mut damaged = append_model(b"lib", &model()).unwrap();
        let at = damaged.len() - FOOTER;
        damaged[at..at + 8].copy_from_slice(&1_000_000u64.to_le_bytes());
        std::fs::write(&path, damaged).unwrap();
        assert!(read_model_file(&path).unwrap_err().contains("damaged"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_built_library_is_not_a_generic_one() {
        let built = append_model(b"lib", &model()).unwrap();
        assert!(append_model(&built, &model()).unwrap_err().contains("already carries a model"));
    }
}
