//! The scalar functions of Stan's wider library (issue 13): values and
//! partials against mpmath through the C-ABI table, as generated code calls
//! them. (Every partial is also checked against finite differences in
//! tests/api/derivatives.rs.)
#![allow(clippy::excessive_precision)] // reference values keep their mpmath digits
use crate::common;
use common::*;
use hbmc_stdlib::{symbols, CType, Symbol};

/// Calls `hbm_f(x)` or `hbm_f(a, b)` and its derivative symbols.
fn value_and_partials(syms: &[Symbol], name: &str, args: &[f64]) -> (f64, Vec<f64>) {
    let find = |n: &str| syms.iter().find(|s| s.name == n).unwrap_or_else(|| panic!("no symbol {n}"));
    let f = find(name);
    assert!(f.args.iter().all(|t| *t == CType::F64) && f.args.len() == args.len(), "{name}");
    // SAFETY: the table records these as `extern "C" fn(f64) -> f64` or
    // `fn(f64, f64) -> f64` (checked just above), as are their `_d<k>`.
    unsafe {
        match args {
            [x] => {
                let v = std::mem::transmute::<*const u8, extern "C" fn(f64) -> f64>(f.ptr)(*x);
                let d = std::mem::transmute::<*const u8, extern "C" fn(f64) -> f64>(find(&format!("{name}_d1")).ptr)(*x);
                (v, vec![d])
            }
            [a, b] => {
                let call = |s: &Symbol| std::mem::transmute::<*const u8, extern "C" fn(f64, f64) -> f64>(s.ptr)(*a, *b);
                (call(f), vec![call(find(&format!("{name}_d1"))), call(find(&format!("{name}_d2")))])
            }
            _ => panic!("{name}: unexpected arity"),
        }
    }
}

/// Rows printed by `python3 stdlib/tests/reference/math_ref.py` (mpmath
/// 1.3.0, 50 digits; partials by mpmath's `diff`, closed forms at kinks).
#[test]
fn values_and_partials_match_mpmath() {
    let rows: &[(&str, &[f64], f64, &[f64])] = &[
        ("hbm_inv_sqrt", &[2.5], 0.6324555320336758664, &[-0.12649110640673517328]),
        ("hbm_inv_sqrt", &[0.001], 31.622776601683792991, &[-15811.388300841896166]),
        ("hbm_inv_square", &[-1.7], 0.34602076124567475856, &[0.407083248524323256]),
        ("hbm_tgamma", &[4.5], 11.631728396567448929, &[16.154969393303070549]),
        ("hbm_tgamma", &[-2.5], -0.94530872048294188123, &[-1.0428235924606153547]),
        ("hbm_tgamma", &[0.1], 9.5135076986687312858, &[-99.166472874636996063]),
        ("hbm_trigamma", &[0.3], 12.245364546107731301, &[-75.272536588726038917]),
        ("hbm_trigamma", &[-1.5], 9.3792466449891237539, &[-0.236204051641727403]),
        ("hbm_trigamma", &[25.0], 0.040810663257225579187, &[-0.0016652793184224681654]),
        ("hbm_Phi_approx", &[0.7], 0.7581423949422551006, &[0.31195888195211531411]),
        ("hbm_Phi_approx", &[-3.0], 0.0012319552781176609608, &[0.0043098782652612507219]),
        ("hbm_log2", &[10.0], 3.3219280948873623479, &[0.14426950408889634074]),
        ("hbm_log10", &[1234.5], 3.0914910942679510818, &[0.00035179787922499135492]),
        ("hbm_log10", &[0.02], -1.6989700043360187957, &[21.714724095162590931]),
        ("hbm_exp2", &[-3.3], 0.10153154954452945283, &[0.07037630730467298958]),
        ("hbm_cbrt", &[-27.5], -3.0184053683988429453, &[0.036586731738167793276]),
        ("hbm_sin", &[1.2], 0.93203908596722633358, &[0.36235775447667361903]),
        ("hbm_cos", &[1.2], 0.36235775447667361903, &[-0.93203908596722633358]),
        ("hbm_tan", &[1.2], 2.5721516221263185972, &[7.6159639672070520533]),
        ("hbm_asin", &[0.3], 0.30469265401539749633, &[1.0482848367219182919]),
        ("hbm_acos", &[0.3], 1.2661036727794991229, &[-1.0482848367219182919]),
        ("hbm_atan", &[3.0], 1.2490457723982544258, &[0.1]),
        ("hbm_sinh", &[0.7], 0.75858370183953344772, &[1.2551690056309429845]),
        ("hbm_cosh", &[0.7], 1.2551690056309429845, &[0.75858370183953344772]),
        ("hbm_tanh", &[0.7], 0.60436777711716346812, &[0.63473958998245862144]),
        ("hbm_asinh", &[2.0], 1.4436354751788103425, &[0.44721359549995793928]),
        ("hbm_acosh", &[2.0], 1.3169578969248167086, &[0.57735026918962576451]),
        ("hbm_atanh", &[0.5], 0.5493061443340548457, &[1.3333333333333333333]),
        ("hbm_inv_cloglog", &[0.4], 0.77503820645008152882, &[0.33560355964344500594]),
        ("hbm_inv_cloglog", &[-20.0], 2.0611536203143807018e-9, &[2.0611536181902035771e-9]),
        ("hbm_fdim", &[3.5, 1.25], 2.25, &[1.0, -1.0]),
        ("hbm_fdim", &[1.0, 2.0], 0.0, &[0.0, 0.0]),
        ("hbm_fmod", &[7.5, 2.0], 1.5, &[1.0, -3.0]),
        ("hbm_fmod", &[-7.5, 2.0], -1.5, &[1.0, 3.0]),
        ("hbm_hypot", &[3.0, 4.0], 5.0, &[0.6, 0.8]),
        ("hbm_hypot", &[1e+200, 1e+200], 1.414213562373095006e+200, &[0.7071067811865475244, 0.7071067811865475244]),
        ("hbm_atan2", &[1.0, -2.0], 2.6779450445889871222, &[-0.4, -0.2]),
        ("hbm_log_inv_logit_diff", &[1.5, -0.5], -0.82090372003171814735, &[0.33894316655602199221, -0.53405831154781108718]),
        ("hbm_log_inv_logit_diff", &[30.0, 29.0], -29.458675145387429834, &[0.58197670686942000061, -1.5819767068690720578]),
        ("hbm_lmultiply", &[2.5, 0.3], -3.0099320108148400741, &[-1.2039728043259360296, 8.3333333333333336417]),
        ("hbm_multiply_log", &[2.5, 0.3], -3.0099320108148400741, &[-1.2039728043259360296, 8.3333333333333336417]),
        ("hbm_binary_log_loss", &[1.0, 0.8], 0.22314355131420970026, &[-1.3862943611198908964, -1.2499999999999999306]),
        ("hbm_binary_log_loss", &[0.0, 0.8], 1.6094379124341005966, &[-1.3862943611198908964, 5.0000000000000011102]),
        ("hbm_gamma_p", &[2.5, 1.5], 0.3000141641213724909, &[-0.25217540042362784994, 0.30836065960753855362]),
        ("hbm_gamma_p", &[30.0, 35.0], 0.82295454789994030328, &[-0.046407022028344249122, 0.042768852614691166072]),
        ("hbm_gamma_q", &[2.5, 1.5], 0.6999858358786275091, &[0.25217540042362784994, -0.30836065960753855362]),
        ("hbm_gamma_q", &[30.0, 35.0], 0.17704545210005969672, &[0.046407022028344249122, -0.042768852614691166072]),
        ("hbm_owens_t", &[0.5, 0.3], 0.040786707344250106025, &[-0.020989322345262915159, 0.12741513260353039222]),
        ("hbm_owens_t", &[-1.2, 0.9], 0.048784510426496553979, &[0.069893175090070192923, 0.02388740582917912812]),
        ("hbm_owens_t", &[2.0, 3.5], 0.011375065974087086222, &[-0.026995483256524927659, 3.7222066692479112925e-14]),
        ("hbm_owens_t", &[0.3, -7.0], -0.19069750414203752721, &[0.18388063539734136933, 0.00033549615174146836838]),
        ("hbm_owens_t", &[7.5, 0.6], 1.5954379215297958147e-14, &[-1.2171519954890528617e-13, 2.8609962625852838216e-18]),
        ("hbm_owens_t", &[4.0, 20.0], 0.000015835620916559960627, &[-0.000066915112882442675887, 0.0]),
        ("hbm_owens_t", &[0.0, 1.0], 0.125, &[0.0, 0.079577471545947667884]),
        ("hbm_log_rising_factorial", &[2.5, 3.0], 3.6731310971457971342, &[0.90793650793650793651, 1.6110931485817511237]),
        ("hbm_log_rising_factorial", &[0.7, 1.3], -0.26086724653166656857, &[1.64280788879640188, 0.42278433509846713939]),
        ("hbm_log_falling_factorial", &[5.5, 2.0], 3.208825489014699308, &[0.4040404040404040404, 1.3888709263595289015]),
        ("hbm_log_falling_factorial", &[4.2, 3.7], 3.6044223998851579285, &[1.5129441554032611956, 0.036489973978576520559]),
        ("hbm_rising_factorial", &[2.5, 3.0], 39.375, &[35.75, 0.0]),
        ("hbm_falling_factorial", &[5.5, 2.0], 24.75, &[10.0, 0.0]),
        ("hbm_bessel_first_kind", &[0.0, 1.5], 0.51182767173591812875, &[0.0, -0.55793650791009964199]),
        ("hbm_bessel_first_kind", &[1.0, 2.5], 0.49709410246427403801, &[0.0, -0.24722141745390761153]),
        ("hbm_bessel_first_kind", &[3.0, 7.0], -0.16755558799533423603, &[0.0, -0.22960768237365401912]),
        ("hbm_bessel_first_kind", &[10.0, 4.0], 0.0001950405546600345098, &[0.0, 0.00045100047456747778044]),
        ("hbm_bessel_first_kind", &[-3.0, 2.0], -0.1289432494744020511, &[0.0, -0.1594191544040346425]),
        ("hbm_bessel_second_kind", &[0.0, 0.5], -0.44451873350670655715, &[0.0, 1.4714723926702430692]),
        ("hbm_bessel_second_kind", &[1.0, 2.5], 0.14591813796678579888, &[0.0, 0.43970310442851756828]),
        ("hbm_bessel_second_kind", &[4.0, 3.0], -0.91668283872513950633, &[0.0, 0.68370216886182105711]),
        ("hbm_bessel_second_kind", &[2.0, 20.0], -0.079191758245635960748, &[0.0, -0.15759243853795769979]),
        ("hbm_modified_bessel_first_kind", &[0.0, 0.5], 1.0634833707413235193, &[0.0, 0.25789430539089631636]),
        ("hbm_modified_bessel_first_kind", &[1.0, 2.5], 2.5167162452886984415, &[0.0, 2.2831526459346436591]),
        ("hbm_modified_bessel_first_kind", &[3.0, 10.0], 1758.3807166108532381, &[0.0, 1754.0047527427475692]),
        ("hbm_modified_bessel_first_kind", &[5.0, 40.0], 10858318337624282.838, &[0.0, 10808396843343848.006]),
        ("hbm_modified_bessel_first_kind", &[2.0, 600.0], 6.125834799453288497e+258, &[0.0, 6.1207618957353809752e+258]),
        ("hbm_modified_bessel_first_kind", &[1.0, -2.0], -1.5906368546373290634, &[0.0, 1.4842668750174027357]),
        ("hbm_modified_bessel_second_kind", &[0.0, 0.01], 4.7212447301610949443, &[0.0, -99.973894118296245561]),
        ("hbm_modified_bessel_second_kind", &[0.0, 1.5], 0.21380556264752573672, &[0.0, -0.27738780045684381609]),
        ("hbm_modified_bessel_second_kind", &[1.0, 2.5], 0.073890816347747063649, &[0.0, -0.091903879739465011489]),
        ("hbm_modified_bessel_second_kind", &[3.0, 0.5], 62.057909529930256386, &[0.0, -379.89764073082240775]),
        ("hbm_modified_bessel_second_kind", &[20.0, 5.0], 482700052.06214846917, &[0.0, -1993195442.2676836947]),
        ("hbm_modified_bessel_second_kind", &[2.0, 50.0], 3.5479318388581977384e-23, &[0.0, -3.5860195002718835221e-23]),
        ("hbm_modified_bessel_second_kind", &[0.0, 700.0], 4.669776431685376881e-306, &[0.0, -4.6731107967079661091e-306]),
        ("hbm_modified_bessel_second_kind", &[7.0, 0.05], 58976256383979.978124, &[0.0, -8256921623039596.3123]),
        ("hbm_log_modified_bessel_first_kind", &[0.5, 1.5], 0.32725973179854348069, &[-0.53422213647515305968, 0.77145805964917857061]),
        ("hbm_log_modified_bessel_first_kind", &[2.7, 30.0], 27.261189906470130062, &[-0.091422915696021860338, 0.98737304398722500184]),
        ("hbm_log_modified_bessel_first_kind", &[0.0, 800.0], 795.73891195074501878, &[0.0, 0.99937480444288129405]),
        ("hbm_log_modified_bessel_first_kind", &[3.3, 600.0], 595.87372259323377293, &[-0.0055045637630567984009, 0.99918146902593231717]),
        ("hbm_log_modified_bessel_first_kind", &[10.5, 2.0], -16.20534384399307837, &[-2.4057248294673439266, 5.3363592827954233401]),
        ("hbm_log_modified_bessel_first_kind", &[25.0, 400.0], 395.30366879858795254, &[-0.062537412519503849491, 1.0007053217421138073]),
        ("hbm_log_modified_bessel_first_kind", &[0.0, 0.001], 2.4999998437500174652e-7, &[-7.0236870446405104176, 0.00049999993750001042707]),
        ("hbm_log_modified_bessel_first_kind", &[1.5, 2000.0], 1995.2801101119826038, &[-0.00075018753122651556046, 0.99975025012506253127]),
    ];
    let syms = symbols();
    for (name, args, value, partials) in rows {
        let (v, d) = value_and_partials(&syms, name, args);
        assert_close(v, *value, 1e-13, &format!("{name}{args:?}"));
        for (k, (got, want)) in d.iter().zip(partials.iter()).enumerate() {
            assert_close(*got, *want, 1e-11, &format!("{name}{args:?} partial {k}"));
        }
    }
}

/// beta_binomial: an mpmath value (`log(binomial(10, 3) * beta(5.5, 8.5) /
/// beta(2.5, 1.5))`), and the mass over 0..=N sums to one.
#[test]
fn beta_binomial_matches_mpmath_and_normalises() {
    use hbmc_stdlib::dist::beta_binomial_lpmf;
    assert_close(beta_binomial_lpmf(3, 10, 2.5, 1.5), -2.62973204903128182218, 1e-13, "beta_binomial(3 | 10, 2.5, 1.5)");
    for (n, a, b) in [(12, 0.7, 3.0), (40, 5.0, 5.0)] {
        let total: f64 = (0..=n).map(|k| beta_binomial_lpmf(k, n, a, b).exp()).sum();
        assert_close(total, 1.0, 1e-13, &format!("sum of beta_binomial(. | {n}, {a}, {b})"));
    }
    assert_eq!(beta_binomial_lpmf(11, 10, 1.0, 1.0), f64::NEG_INFINITY);
}

/// `hbm_tanh_grad` (the gradient's forward sweep keeps its partial for the
/// reverse) is registered as `tanh`'s `_grad` form and gives `hbm_tanh`'s
/// value and `hbm_tanh_d1`'s derivative to the bit, so the log density
/// and gradient do not move; the derivative against 1 / cosh² x where
/// that is accurate, and at the edges: signed zeros, subnormals, huge
/// arguments (derivative 0), infinities and NaN.
#[test]
fn tanh_grad_is_tanh_and_its_derivative_to_the_bit() {
    use hbmc_stdlib::scalar::{hbm_tanh, hbm_tanh_d1, hbm_tanh_grad};
    use hbmc_stdlib::SymbolKind;
    let syms = symbols();
    let entry = syms.iter().find(|s| s.name == "hbm_tanh_grad").expect("hbm_tanh_grad in the table");
    assert!(matches!(entry.kind, SymbolKind::Grad { of: "hbm_tanh" }), "{:?}", entry.kind);
    let points = [
        0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-8, 1e-8, 0.3, -0.5, 1.0, -2.5, 3.0, 10.0, -19.0, 20.0, 40.0, -400.0, 1e300,
        -1e300, f64::INFINITY, f64::NEG_INFINITY, f64::NAN,
    ];
    for x in points {
        let mut d = f64::NAN;
        // SAFETY: `d` is room for the one partial.
        let v = unsafe { hbm_tanh_grad(x, &mut d) };
        assert_eq!(v.to_bits(), hbm_tanh(x).to_bits(), "value at {x}");
        assert_eq!(d.to_bits(), hbm_tanh_d1(x).to_bits(), "derivative at {x}");
        if x.is_nan() {
            assert!(v.is_nan() && d.is_nan(), "NaN at {x}: {v}, {d}");
            continue;
        }
        assert!((0.0..=1.0).contains(&d), "derivative {d} at {x}");
        if x.abs() <= 20.0 {
            // 1 - t² loses digits as t nears 1: the error is a few units
            // in the last place of 1, absolute (as `hbm_tanh_d1`'s).
            let reference = 1.0 / (x.cosh() * x.cosh());
            assert!((d - reference).abs() <= 1e-12 * reference + 4.5e-16, "at {x}: {d} against {reference}");
        }
        if x.abs() > 40.0 {
            assert_eq!(d, 0.0, "at {x}");
        }
    }
    // A null partials pointer is allowed (the value alone).
    // SAFETY: null means no partials are written.
    assert_eq!(unsafe { hbm_tanh_grad(0.7, std::ptr::null_mut()) }, 0.7f64.tanh());
}
