//! Stan syntax and library names that Stan itself removed in 2.33 (hbmc
//! follows modern Stan), each with the modern spelling, so that a program
//! written for an older Stan gets "removed; write X" rather than an
//! "unknown function" guess. (Removed syntax, `<-` and old array
//! declarations, is reported by the parser.)

/// The modern replacement of a function call that Stan 2.33 removed, as
/// help text; `None` when `name` is not such a function.
pub fn removed_function(name: &str) -> Option<String> {
    if crate::check::signatures::function_names().any(|f| f == name) {
        // hbmc keeps some old names (`multiply_log`) as aliases.
        return None;
    }
    if name == "binomial_coefficient_log" {
        // Old Stan's name of `lchoose` (posteriordb's older models use it).
        return Some("`binomial_coefficient_log` is old Stan's name of `lchoose`: write `lchoose(n, k)`".to_string());
    }
    let fixed = match name {
        "increment_log_prob" => "write `target += expr;`",
        "get_lp" => "write `target()`",
        "if_else" => "write the conditional operator `cond ? a : b`",
        // `integrate_ode_rk45/_bdf/_adams` are only deprecated in Stan (and
        // used by posteriordb's models); hbmc has them (check/ode.rs).
        "integrate_ode" => "write `ode_rk45(f, y0, t0, ts, ...)` (or `integrate_ode_rk45`)",
        _ => return removed_density_suffix(name),
    };
    Some(format!("`{name}` was removed in Stan 2.33: {fixed}"))
}

/// `normal_log(y, mu, sigma)`, `normal_cdf_log(...)`, `normal_ccdf_log`:
/// the old density suffixes, with the modern call.
fn removed_density_suffix(name: &str) -> Option<String> {
    if crate::check::signatures::distribution(name).is_some() {
        // `poisson_log`, `binomial_logit`, ...: distributions of their own.
        return None;
    }
    let (dist, modern) = if let Some(d) = name.strip_suffix("_ccdf_log") {
        (d, "_lccdf")
    } else if let Some(d) = name.strip_suffix("_cdf_log") {
        (d, "_lcdf")
    } else if let Some(d) = name.strip_suffix("_log") {
        (d, if crate::check::signatures::distribution(d).is_some_and(|d| d.discrete) { "_lpmf" } else { "_lpdf" })
    } else {
        return None;
    };
    crate::check::signatures::distribution(dist)?;
    Some(format!(
        "the `_log` density suffixes were removed in Stan 2.33: write `{dist}{modern}(y | ...)` (the first argument before `|`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_density_suffixes_name_the_modern_call() {
        let h = removed_function("normal_log").expect("normal_log is removed");
        assert!(h.contains("normal_lpdf(y | ...)"), "{h}");
        let h = removed_function("poisson_log").map(|_| ());
        // `poisson_log` is a distribution of its own (log rate), not removed.
        assert_eq!(h, None);
        assert!(removed_function("normal_cdf_log").is_some_and(|h| h.contains("normal_lcdf")));
        assert!(removed_function("increment_log_prob").is_some_and(|h| h.contains("target +=")));
        assert_eq!(removed_function("log"), None);
        assert_eq!(removed_function("not_a_distribution_log"), None);
        assert!(removed_function("binomial_coefficient_log").is_some_and(|h| h.contains("lchoose(n, k)")));
    }
}
