//! Focused tests of checker rules that the snapshot corpus (`tests/good`,
//! `tests/bad`) shows only through rendered output.

use crate::diagnostics::Diagnostic;

/// Every diagnostic of the whole front end (parser and checker) for `src`.
fn diagnostics(src: &str) -> Vec<Diagnostic> {
    crate::front_end(src).diagnostics
}

/// The codes of every diagnostic, in source order.
fn codes(src: &str) -> Vec<&'static str> {
    diagnostics(src).iter().map(|d| d.code).collect()
}

#[test]
fn a_density_without_parameters_takes_no_bar() {
    let src = "parameters { real mu; } model { target += std_normal_lpdf(mu); target += std_normal_lupdf(mu); }";
    assert_eq!(codes(src), Vec::<&str>::new());
}

#[test]
fn a_bad_declaration_is_reported_once() {
    // The bound uses a name declared later; `alpha` is not then reported as
    // undeclared at each use.
    let src = "parameters { vector<multiplier=s>[3] alpha; real<lower=0> s; } \
               model { alpha ~ normal(0, s); alpha ~ normal(0, 1); }";
    let diags = diagnostics(src);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0].message.contains("used before it is declared"));
}

#[test]
fn a_bad_initial_value_still_declares_the_variable() {
    let src = "transformed data { int n = 2.5; int m = n + 1; }";
    assert_eq!(codes(src), vec!["E1004"]);
}

#[test]
fn a_local_out_of_scope_is_named_as_such() {
    let src = "parameters { real mu; } model { real m2 = mu; mu ~ normal(0, 1); } \
               generated quantities { real m3 = m2; }";
    let diags = diagnostics(src);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].message, "`m2` is not visible here");
    assert_eq!(diags[0].labels.len(), 2);
}

#[test]
fn an_unknown_size_name_suggests_the_dim() {
    let src = "dims { grade; } parameters { vector[grades] mu; }";
    let diags = diagnostics(src);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, "E2004");
    assert_eq!(diags[0].help, vec!["did you mean the dim `grade`?".to_string()]);
}

#[test]
fn a_wrong_argument_is_labelled_where_it_is() {
    let src = "data { int k; real n; } parameters { real<lower=0, upper=1> p; } model { k ~ binomial(n, p); }";
    let diags = diagnostics(src);
    assert_eq!(diags.len(), 1);
    let label = &diags[0].labels[0];
    assert_eq!(&src[label.span.range()], "n");
    assert!(label.message.contains("`N` must be an int"));
}

#[test]
fn shapes_without_dims_give_a_type_error_not_a_dim_error() {
    let src = "data { vector[3] a; row_vector[3] b; } transformed data { vector[3] c = a + b; }";
    assert_eq!(codes(src), vec!["E1001"]);
    let src = "dims { g; } data { vector[g] a; row_vector[g] b; } transformed data { vector[g] c = a + b; }";
    assert_eq!(codes(src), vec!["E2002"]);
}

#[test]
fn a_scalar_cannot_be_indexed() {
    let src = "data { real x; } transformed data { real y = x[1]; }";
    let diags = diagnostics(src);
    assert_eq!(diags[0].message, "`real` cannot be indexed");
}

#[test]
fn members_of_one_dim_do_not_stand_for_another() {
    let src = "dims { obs; grade; pair; } data { array[obs] pair p; } transformed data { array[obs] grade g = p; }";
    let diags = diagnostics(src);
    assert_eq!(diags[0].help, vec!["members of `pair` cannot stand for members of `grade`".to_string()]);
}

#[test]
fn a_literal_too_large_to_read_is_reported_once() {
    let src = "transformed data { real x = 100000000000000000000000000000000000000000; }";
    assert_eq!(codes(src), vec!["E0004"]);
}

#[test]
fn single_letter_names_get_no_typo_suggestion() {
    let src = "data { int a; } transformed data { real s = z; }";
    let diags = diagnostics(src);
    assert!(!diags[0].help.iter().any(|h| h.contains("did you mean")), "{:?}", diags[0].help);
}

#[test]
fn a_recursive_function_on_vectors_checks() {
    // Expanded at each call to a depth (`syntax/functions/unrolled.rs`).
    let src = "functions { real f(vector x, int n) { return n == 0 ? sum(x) : f(x, n - 1); } }
               parameters { vector[2] mu; } model { target += f(mu, 3); }";
    assert_eq!(codes(src), Vec::<&str>::new());
}

#[test]
fn a_recursive_function_on_scalars_checks_and_types_its_calls() {
    let src = "functions { int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); } }
               data { int N; } transformed data { int f = fact(N); real r = fact(3); }";
    assert_eq!(codes(src), Vec::<&str>::new());
    // A real where the signature says int, and the wrong number of arguments.
    let bad = "functions { int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); } }
               transformed data { int f = fact(2.5); int g = fact(1, 2); }";
    assert_eq!(codes(bad), vec!["E1002", "E0013"]);
}

#[test]
fn a_recursive_function_on_parameters_is_expanded_where_it_is_differentiated() {
    // E0012 on 76b228b: such calls are now expanded at the call to a
    // depth (`syntax/functions/unrolled.rs`); the calls on data stay calls.
    let f = "functions { real pw(real x, int k) { return k == 0 ? 1 : x * pw(x, k - 1); } } parameters { real mu; }";
    let functions = |src: &str| crate::front_end(src).typed.map(|t| t.functions.len());
    assert_eq!(codes(&format!("{f} model {{ target += pw(mu, 2); }}")), Vec::<&str>::new());
    assert_eq!(codes(&format!("{f} transformed parameters {{ real m2 = pw(mu, 2); }}")), Vec::<&str>::new());
    let mixed = format!("{f} model {{ target += pw(2.0, 3) + pw(mu, 2); }} generated quantities {{ real m3 = pw(mu, 3); }}");
    assert_eq!(codes(&mixed), Vec::<&str>::new());
    assert_eq!(functions(&mixed), Some(1));
}

#[test]
fn wiener_takes_stans_four_five_and_seven_arguments() {
    let head = "data { int N; vector[N] rt; } parameters { real<lower=0.3> a; real<lower=0> sv; } ";
    for body in [
        "model { rt ~ wiener(a, 0.1, 0.5, 0.3); }",
        "model { rt ~ wiener(a, 0.1, 0.5, 0.3, sv); }",
        "model { rt ~ wiener(a, 0.1, 0.5, 0.3, sv, 0.1, 0.05); }",
        "model { target += wiener_lpdf(rt | a, 0.1, 0.5, 0.3, sv) + wiener_lupdf(rt | a, 0.1, 0.5, 0.3, sv, 0.1, 0.05); }",
    ] {
        assert_eq!(codes(&format!("{head}{body}")), Vec::<&str>::new(), "{body}");
    }
    // Another count lists the three forms.
    let diags = diagnostics(&format!("{head}model {{ rt ~ wiener(a, 0.1, 0.5, 0.3, sv, 0.1); }}"));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "E1002");
    assert!(diags[0].help[0].contains("(a, t0, w, v, sv, sw, st0)"), "{:?}", diags[0].help);
    // Constants outside Stan's domain, in Stan's words.
    for (body, words) in [
        ("model { rt ~ wiener(a, 0.1, 0.5, 0.3, -0.2); }", "`sv` of `wiener` is -0.2, but must be nonnegative"),
        ("model { rt ~ wiener(a, 0.1, 0.5, 0.3, sv, 1, 0.1); }", "`sw` of `wiener` is 1, but must be in the interval [0, 1)"),
        ("model { target += wiener_lpdf(rt | a, 0.1, 0.5, 0.3, sv, 0.1, -1); }", "`st0` of `wiener_lpdf` is -1"),
        ("model { rt ~ wiener(a, 0.1, 0.25, 0.3, sv, 0.75, 0.1); }", "w ± sw/2 = [-0.125, 0.625]"),
    ] {
        let diags = diagnostics(&format!("{head}{body}"));
        assert_eq!(diags.len(), 1, "{body}: {diags:?}");
        assert!(diags[0].code == "E1002" && diags[0].message.contains(words), "{body}: {}", diags[0].message);
    }
    // The same values from parameters are not constants: -inf at run time.
    assert_eq!(codes(&format!("{head}model {{ rt ~ wiener(a, 0.1, 0.5, 0.3, sv - 1); }}")), Vec::<&str>::new());
    // The internal names of the forms are not Stan's, so not the language's;
    // and no form has a draw.
    for body in [
        "model { rt ~ wiener_sv(a, 0.1, 0.5, 0.3, sv); }",
        "model { target += wiener_full_lpdf(rt | a, 0.1, 0.5, 0.3, sv, 0.1, 0.05); }",
        "generated quantities { real r = wiener_rng(a, 0.1, 0.5, 0.3, sv); }",
    ] {
        assert_eq!(codes(&format!("{head}{body}")), vec!["E1003"], "{body}");
    }
}
