//! The model embedded in the file this library was loaded from.

use hbmc::model_library::{read_model_file, EmbeddedModel};
use std::ffi::CStr;
use std::sync::OnceLock;

/// The path of the loaded library: `dladdr` of one of its own functions
/// names the object that contains it.
fn own_path() -> Result<std::path::PathBuf, String> {
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    let address = own_path as *const libc::c_void;
    // SAFETY: `address` is a function of this library; dladdr only fills `info`.
    let found = unsafe { libc::dladdr(address, &mut info) };
    if found == 0 || info.dli_fname.is_null() {
        return Err("cannot find the file this model library was loaded from (dladdr failed)".into());
    }
    // SAFETY: dladdr succeeded, so dli_fname is a NUL-terminated path owned by the loader.
    let name = unsafe { CStr::from_ptr(info.dli_fname) };
    Ok(std::path::PathBuf::from(name.to_string_lossy().into_owned()))
}

/// The embedded model, read once per process.
pub fn embedded_model() -> Result<&'static EmbeddedModel, String> {
    static MODEL: OnceLock<Result<EmbeddedModel, String>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let path = own_path()?;
            read_model_file(&path)?.ok_or_else(|| {
                format!(
                    "`{}` is hbmc's generic model library and carries no model; make a model library with `hbmc build model.hbm -o libmodel.so`",
                    path.display()
                )
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}
