//! `hbmc build`: the library it writes is the generic library it was given
//! with the model appended, models with errors are refused before any
//! library is looked for, and a missing generic library is a clear usage
//! error. (Loading the libraries is tested in `capi/tests/`.)

use crate::common;

use common::{hbmc, root, scratch};
use hbmc::model_library::{read_model, EmbeddedModel};

#[test]
fn build_appends_the_model_to_the_generic_library() {
    let dir = scratch("build-ok");
    let generic = dir.join("libgeneric.so");
    std::fs::write(&generic, b"\x7fELF stand-in for the generic library").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&generic, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let model = root().join("examples/electric_intercept.hbm");
    let data = root().join("examples/data/electric.csv");
    let out = hbmc(
        &dir,
        &["build", model.to_str().unwrap(), "-o", "libelectric.so", "--generic", generic.to_str().unwrap(), "--data", data.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let built = std::fs::read(dir.join("libelectric.so")).unwrap();
    assert!(built.starts_with(b"\x7fELF stand-in for the generic library"));
    let source = std::fs::read_to_string(&model).unwrap();
    assert_eq!(read_model(&built).unwrap(), Some(EmbeddedModel { name: "electric_intercept".into(), source }));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("libelectric.so")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755, "the library keeps the generic library's mode");
    }

    // Without -o: lib<stem>.so in the current folder.
    let out = hbmc(&dir, &["build", model.to_str().unwrap(), "--generic", generic.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join(format!("libelectric_intercept{}", std::env::consts::DLL_SUFFIX)).is_file());

    // A built library is not a generic one.
    let out = hbmc(&dir, &["build", model.to_str().unwrap(), "-o", "again.so", "--generic", "libelectric.so"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already carries a model"));
}

#[test]
fn build_refuses_a_model_with_errors_and_a_missing_generic_library() {
    let dir = scratch("build-bad");
    std::fs::write(dir.join("bad.hbm"), "parameters { real mu; }\nmodel { mu ~ normal(0, undefined_sigma); }\n").unwrap();
    let out = hbmc(&dir, &["build", "bad.hbm", "--generic", "/no/such/lib.so"]);
    assert_eq!(out.status.code(), Some(1), "model errors come first");
    assert!(String::from_utf8_lossy(&out.stderr).contains("undefined_sigma"));
    assert!(!dir.join("libbad.so").exists());

    let model = root().join("examples/electric_intercept.hbm");
    let out = hbmc(&dir, &["build", model.to_str().unwrap(), "--generic", "/no/such/lib.so"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/no/such/lib.so") && stderr.contains("does not exist"), "{stderr}");

    // The data given to check are bound now, and their errors shown.
    std::fs::write(dir.join("bad.json"), r#"{"nothing": 1}"#).unwrap();
    std::fs::write(dir.join("m.hbm"), "data { int N; }\nparameters { real mu; }\nmodel { mu ~ normal(0, N); }\n").unwrap();
    let out = hbmc(&dir, &["build", "m.hbm", "--data", "bad.json", "--generic", "/no/such/lib.so"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains('N'));
}
