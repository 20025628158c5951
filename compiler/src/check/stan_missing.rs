//! Names of Stan's library that hbmc does not have yet. A program that
//! uses one is refused (E1003) with a message saying the feature is
//! missing, instead of a "did you mean" guess at a typo. The table "Stan
//! features hbmc does not have yet" of docs/language.md lists them too.

/// Stan distributions hbmc lacks (with every suffix: `~`, `_lpdf`,
/// `_lpmf`, `_lcdf`, `_rng`, ...).
pub const DISTRIBUTIONS: &[&str] = &["matrix_normal_prec"];

/// Stan functions hbmc lacks.
pub const FUNCTIONS: &[&str] = &[
    "fft", "inv_fft", "fft2", "inv_fft2",
];

/// The density suffixes a missing distribution may be called with.
const SUFFIXES: &[&str] = &["_lpdf", "_lupdf", "_lpmf", "_lupmf", "_lcdf", "_lccdf", "_cdf", "_rng"];

/// Whether `name` is a Stan distribution hbmc lacks.
pub fn is_missing_distribution(name: &str) -> bool {
    DISTRIBUTIONS.contains(&name)
}

/// If `name` is a Stan function hbmc lacks (a function of [`FUNCTIONS`] or
/// a missing distribution with a density suffix), what it is, for the
/// message: "function" or "distribution".
pub fn missing_function(name: &str) -> Option<&'static str> {
    if FUNCTIONS.contains(&name) {
        return Some("function");
    }
    SUFFIXES
        .iter()
        .filter_map(|s| name.strip_suffix(s))
        .any(is_missing_distribution)
        .then_some("distribution")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name listed as missing must not be one hbmc has: the two lists
    /// would contradict each other, and the message would be wrong.
    #[test]
    fn no_missing_name_is_in_the_library() {
        for name in DISTRIBUTIONS {
            assert!(crate::check::signatures::distribution(name).is_none(), "{name} is a distribution hbmc has");
        }
        for name in FUNCTIONS {
            assert!(!crate::check::signatures::function_names().any(|f| f == *name), "{name} is a function hbmc has");
        }
    }

    /// Every listed name appears in docs/language.md's table of missing
    /// features (or is covered by a family named there).
    #[test]
    fn the_docs_table_names_every_missing_distribution() {
        let docs = include_str!("../../../docs/language.md");
        let table = docs.split("## Stan features hbmc does not have yet").nth(1).expect("the docs section");
        for name in DISTRIBUTIONS {
            assert!(table.contains(&format!("`{name}`")), "docs/language.md does not list `{name}`");
        }
    }

    #[test]
    fn suffixed_missing_distributions_are_missing_functions() {
        for name in DISTRIBUTIONS {
            for suffix in SUFFIXES {
                assert_eq!(missing_function(&format!("{name}{suffix}")), Some("distribution"));
            }
        }
        // gaussian_dlm_obs is in hbmc now (`syntax::dlm`).
        assert_eq!(missing_function("gaussian_dlm_obs_lpdf"), None);
        assert_eq!(missing_function("wishart_rng"), None);
        assert_eq!(missing_function("fft"), Some("function"));
        assert_eq!(missing_function("integrate_1d"), None);
        assert_eq!(missing_function("normal_lpdf"), None);
        assert_eq!(missing_function("sum"), None);
    }
}
