//! The checks of MODELS.md for seed 002 (fixed vs random effects), on the
//! data simulated by `examples/confounded_generative.hbm` with the
//! document's `do` (a0 = -2, bzy = 1, bxy = 0): the naive logit's bxy is
//! clearly above 0 (the confounding bias); fixed effects and the Mundlak
//! model cover bxy = 0; the Mundlak model covers bzy = 1 with a narrower
//! interval than fixed effects. Release mode: about 10 s.

mod common;
use common::Fit;

fn fit(model: &str) -> Fit {
    common::fit(model, &["examples/data/confounded.json"], &[], 2002)
}

fn interval(f: &Fit, column: &str) -> (f64, f64) {
    let row = f.row(column);
    (row.q5, row.q95)
}

#[test]
fn confounding_bias_and_its_fixes() {
    let naive = fit("naive_logit");
    let (lo, _) = interval(&naive, "bxy");
    assert!(lo > 0.2, "naive logit: bxy should be clearly above 0 (the bias), 5% quantile {lo}");

    let fixed = fit("fixed_effects_logit");
    let (lo, hi) = interval(&fixed, "bxy");
    assert!(lo < 0.0 && 0.0 < hi, "fixed effects: bxy should cover 0, 90% interval [{lo}, {hi}]");
    let (fz_lo, fz_hi) = interval(&fixed, "bzy");

    let mundlak = fit("mundlak_logit");
    let (lo, hi) = interval(&mundlak, "bxy");
    assert!(lo < 0.0 && 0.0 < hi, "Mundlak: bxy should cover 0, 90% interval [{lo}, {hi}]");
    let (mz_lo, mz_hi) = interval(&mundlak, "bzy");
    assert!(mz_lo < 1.0 && 1.0 < mz_hi, "Mundlak: bzy should cover 1, 90% interval [{mz_lo}, {mz_hi}]");
    assert!(
        mz_hi - mz_lo < fz_hi - fz_lo,
        "Mundlak's bzy interval [{mz_lo}, {mz_hi}] should be narrower than fixed effects' [{fz_lo}, {fz_hi}]"
    );
}
