//! Complex values in transformed data and generated quantities: the JIT's
//! draws equal the interpreter's bit for bit, every value equals its closed
//! form (complex arithmetic written out here), and a VAR(2) program run
//! end to end writes its companion eigenvalues under CmdStan's column names
//! (`lambdas.1.real`, `lambdas.1.imag`, ...), each draw's spectrum
//! consistent with that draw's companion matrix (trace and determinant).

use crate::common;
use hbmc::model::{Engine, Model};

type C = (f64, f64);

fn mul(a: C, b: C) -> C {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

fn div(a: C, b: C) -> C {
    let d = b.0 * b.0 + b.1 * b.1;
    ((a.0 * b.0 + a.1 * b.1) / d, (a.1 * b.0 - a.0 * b.1) / d)
}

fn close(a: C, b: C, tol: f64) -> bool {
    (a.0 - b.0).abs() <= tol * (1.0 + b.0.abs()) && (a.1 - b.1).abs() <= tol * (1.0 + b.1.abs())
}

const PROGRAM: &str = r#"
transformed data {
  matrix[2, 2] rotation = [[cos(0.7), -sin(0.7)], [sin(0.7), cos(0.7)]];
  complex_vector[2] spin = eigenvalues(rotation);
  matrix[3, 3] upper = [[2, 1, 4], [0, -3, 5], [0, 0, 0.5]];
  complex_vector[3] tri = eigenvalues(upper);
}
parameters {
  real a;
  real b;
}
model {
  a ~ normal(0, 1);
  b ~ normal(0, 1);
}
generated quantities {
  complex z = to_complex(a, b);
  complex w = to_complex(b - 1, 0.5);
  complex s = z + w;
  complex d = z - w;
  complex p = z * w;
  complex q = z / w;
  complex r = 2 * z - 1.5;
  complex c = conj(z);
  complex neg = -z;
  real re = get_real(p);
  real im = get_imag(q);
  real m = abs(z);
  real ang = arg(z);
  real n2 = norm(z);
  array[2] complex zs = {z, w};
  complex second = zs[2];
  complex_vector[2] spin_gq = spin;
  vector[2] spin_moduli = abs(spin);
  vector[2] spin_imag = get_imag(spin);
  complex_matrix[2, 2] vecs = eigenvectors(rotation);
  complex v21 = vecs[2, 1];
  complex_vector[3] tri_gq = tri;
  complex_vector[3] cv;
  for (k in 1:3) cv[k] = to_complex(k, -k);
  complex acc = 0;
  for (k in 1:3) acc = acc + cv[k] * cv[k];
  acc += 1;
  zs[1] = acc;
  complex lit = 1.5i * z - .5i + 1e1i;
  array[2] complex_vector[2] av = {spin, spin};
  av[2, 1] = z;
  complex_row_vector[2] spin_t = spin';
  complex_matrix[2, 2] vecs_t = vecs';
  complex_vector[2] combo = 2 * spin - spin .* spin ./ z + [1, 2]';
}
"#;

/// Every value of `PROGRAM` at 12 points: both engines give the same bits,
/// and each value is its closed form.
#[test]
fn complex_values_match_closed_forms_in_both_engines() {
    let model = Model::compile("complex_values", PROGRAM).expect("compiles");
    let jit_model = model.bind(&[], Engine::Jit).expect("binds (JIT)");
    let interp_model = model.bind(&[], Engine::Interpreter).expect("binds (interpreter)");
    let names = jit_model.output_names().to_vec();
    let col = |name: &str| names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no column {name} in {names:?}"));
    // CmdStan's names: each element's real then imaginary part.
    let at = col("zs.1.real");
    assert_eq!(names[at..at + 4], ["zs.1.real", "zs.1.imag", "zs.2.real", "zs.2.imag"]);
    let at = col("vecs.1.1.real");
    assert_eq!(names[at..at + 4], ["vecs.1.1.real", "vecs.1.1.imag", "vecs.2.1.real", "vecs.2.1.imag"]);
    assert_eq!(names[col("spin_moduli.1")..col("spin_moduli.1") + 2], ["spin_moduli.1", "spin_moduli.2"]);
    let at = col("av.1.1.real");
    assert_eq!(names[at..at + 8], ["av.1.1.real", "av.1.1.imag", "av.2.1.real", "av.2.1.imag", "av.1.2.real", "av.1.2.imag", "av.2.2.real", "av.2.2.imag"]);
    let (mut jit, mut interp) = (jit_model.evaluator(), interp_model.evaluator());
    let mut g = hbmc_stdlib::ChainRng::new(21, 0);
    for point in 0..12 {
        let theta: Vec<f64> = (0..2).map(|_| 4.0 * g.uniform() - 2.0).collect();
        let (mut x, mut y) = (Vec::new(), Vec::new());
        jit.write_draw(&theta, &mut hbmc_stdlib::ChainRng::new(point, 1), &mut x).expect("JIT draw");
        interp.write_draw(&theta, &mut hbmc_stdlib::ChainRng::new(point, 1), &mut y).expect("interpreter draw");
        assert_eq!(x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), "point {point}");
        let get = |name: &str| -> C { (x[col(&format!("{name}.real"))], x[col(&format!("{name}.imag"))]) };
        let real = |name: &str| x[col(name)];
        let (a, b) = (theta[0], theta[1]);
        let z = (a, b);
        let w = (b - 1.0, 0.5);
        let tol = 1e-15;
        assert_eq!(get("z"), z);
        assert!(close(get("s"), (z.0 + w.0, z.1 + w.1), tol));
        assert!(close(get("d"), (z.0 - w.0, z.1 - w.1), tol));
        assert!(close(get("p"), mul(z, w), tol));
        assert!(close(get("q"), div(z, w), 1e-14), "{:?} vs {:?}", get("q"), div(z, w));
        assert!(close(get("r"), (2.0 * a - 1.5, 2.0 * b), tol));
        assert_eq!(get("c"), (a, -b));
        assert_eq!(get("neg"), (-a, -b));
        assert_eq!(real("re"), get("p").0);
        assert_eq!(real("im"), get("q").1);
        assert!((real("m") - a.hypot(b)).abs() < 1e-15);
        assert!((real("ang") - b.atan2(a)).abs() < 1e-15);
        assert!((real("n2") - (a * a + b * b)).abs() < 1e-14);
        assert_eq!(get("second"), w);
        // zs[1] was overwritten by acc = 1 + sum_k (k - k i)^2 = 1 - 28 i.
        assert_eq!(get("acc"), (1.0, -28.0));
        assert_eq!(get("zs.1"), (1.0, -28.0));
        assert_eq!(get("zs.2"), w);
        for k in 1..=3 {
            assert_eq!(get(&format!("cv.{k}")), (k as f64, -(k as f64)));
        }
        // An array of complex vectors, one element overwritten.
        for (k, i) in [(1, 1), (1, 2), (2, 2)] {
            assert_eq!(get(&format!("av.{k}.{i}")), get(&format!("spin_gq.{i}")), "av[{k}, {i}]");
        }
        assert_eq!(get("av.2.1"), z);
        // Elementwise arithmetic on complex vectors, with real promotion.
        for k in 1..=2 {
            let l = get(&format!("spin_gq.{k}"));
            let sq = div(mul(l, l), z);
            let want = (2.0 * l.0 - sq.0 + k as f64, 2.0 * l.1 - sq.1);
            assert!(close(get(&format!("combo.{k}")), want, 1e-14), "combo[{k}]");
        }
        // Transposes, without conjugation (Stan's `'`).
        assert_eq!((get("spin_t.1"), get("spin_t.2")), (get("spin_gq.1"), get("spin_gq.2")));
        assert_eq!((get("vecs_t.1.2"), get("vecs_t.2.1")), (get("vecs.2.1"), get("vecs.1.2")));
        // Imaginary literals: 1.5i z + 9.5i.
        let lit = mul((0.0, 1.5), z);
        assert!(close(get("lit"), (lit.0, lit.1 + 9.5), tol), "{:?}", get("lit"));
        // The rotation by 0.7: e^{±0.7 i}, the positive imaginary part first.
        let (cs, sn) = (0.7f64.cos(), 0.7f64.sin());
        assert!(close(get("spin_gq.1"), (cs, sn), 1e-14) && close(get("spin_gq.2"), (cs, -sn), 1e-14), "{:?}", get("spin_gq.1"));
        assert!((real("spin_moduli.1") - 1.0).abs() < 1e-14 && (real("spin_moduli.2") - 1.0).abs() < 1e-14);
        assert_eq!((real("spin_imag.1"), real("spin_imag.2")), (get("spin_gq.1").1, get("spin_gq.2").1));
        // Its eigenvectors: R v = λ v, |v| = 1.
        let rot = [[cs, -sn], [sn, cs]];
        for k in 1..=2 {
            let lambda = get(&format!("spin_gq.{k}"));
            let v = [get(&format!("vecs.1.{k}")), get(&format!("vecs.2.{k}"))];
            let norm = (v[0].0 * v[0].0 + v[0].1 * v[0].1 + v[1].0 * v[1].0 + v[1].1 * v[1].1).sqrt();
            assert!((norm - 1.0).abs() < 1e-14);
            for i in 0..2 {
                let rv = (rot[i][0] * v[0].0 + rot[i][1] * v[1].0, rot[i][0] * v[0].1 + rot[i][1] * v[1].1);
                assert!(close(rv, mul(lambda, v[i]), 1e-13), "R v = λ v, column {k}, row {i}");
            }
        }
        assert_eq!(get("v21"), get("vecs.2.1"));
        // A triangular matrix's eigenvalues are its diagonal.
        let mut tri: Vec<C> = (1..=3).map(|k| get(&format!("tri_gq.{k}"))).collect();
        tri.sort_by(|p, q| p.0.total_cmp(&q.0));
        for (got, want) in tri.iter().zip([-3.0, 0.5, 2.0]) {
            assert!(close(*got, (want, 0.0), 1e-13), "{tri:?}");
        }
    }
}

/// The determinant of a small dense matrix (rows of `m`), by elimination.
fn det(mut m: Vec<Vec<f64>>) -> f64 {
    let n = m.len();
    let mut d = 1.0;
    for k in 0..n {
        let p = (k..n).max_by(|&i, &j| m[i][k].abs().total_cmp(&m[j][k].abs())).expect("a row");
        if p != k {
            m.swap(p, k);
            d = -d;
        }
        d *= m[k][k];
        for i in k + 1..n {
            let f = m[i][k] / m[k][k];
            for j in k..n {
                m[i][j] -= f * m[k][j];
            }
        }
    }
    d
}

/// `hbmc run` of a VAR(2) (`tests/stan_corpus/var2_companion.stan`): its
/// companion matrix, filled by slices `[(p - 1) * K + 1 : p * K]` whose
/// bounds move with `p`, is `[Phi[1], Phi[2]; I, 0]`; the CSV has
/// CmdStan's columns for the complex eigenvalues, and every draw's
/// eigenvalues sum to the trace of its companion matrix and multiply to
/// its determinant, come in conjugate pairs, and have the moduli and the
/// maximum the CSV reports.
#[test]
fn a_var2_program_writes_its_companion_eigenvalues_as_cmdstan_does() {
    let dir = common::scratch("complex-var2");
    let root = common::root().join("tests/stan_corpus");
    let (model, data) = (root.join("var2_companion.stan"), root.join("var2_companion.json"));
    let out = common::hbmc(
        &dir,
        &[
            "run",
            &model.display().to_string(),
            "--data",
            &data.display().to_string(),
            "--chains",
            "1",
            "--warmup",
            "150",
            "--draws",
            "60",
            "--seed",
            "3",
            "--quiet",
            "--output",
            "fit",
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = hbmc_runtime::read_cmdstan_csv(dir.join("fit_1.csv")).expect("read back");
    let names = &csv.column_names;
    let first = names.iter().position(|n| n == "lambdas.1.real").expect("lambdas.1.real");
    let want: Vec<String> = (1..=4).flat_map(|k| [format!("lambdas.{k}.real"), format!("lambdas.{k}.imag")]).collect();
    assert_eq!(names[first..first + 8], want[..]);
    assert_eq!(names[first + 8..], ["lambda_moduli.1", "lambda_moduli.2", "lambda_moduli.3", "lambda_moduli.4", "max_lambda_modulus"]);
    let col = |name: &str| &csv.draws[csv.column_index(name).unwrap_or_else(|| panic!("no column {name}"))];
    let mut complex_draws = 0;
    for draw in 0..csv.num_draws() {
        let companion: Vec<Vec<f64>> = (1..=4).map(|i| (1..=4).map(|j| col(&format!("companion.{i}.{j}"))[draw]).collect()).collect();
        // Filled by slices of width K whose bounds move with `p`:
        // [Phi[1], Phi[2]; I, 0].
        for i in 1..=4 {
            for j in 1..=4 {
                let want = match (i, j) {
                    (1..=2, _) => col(&format!("Phi.{}.{i}.{}", (j - 1) / 2 + 1, (j - 1) % 2 + 1))[draw],
                    _ => f64::from(u8::from(i - 2 == j)),
                };
                assert_eq!(companion[i - 1][j - 1], want, "draw {draw}: companion[{i}, {j}]");
            }
        }
        let lambdas: Vec<C> = (1..=4).map(|k| (col(&format!("lambdas.{k}.real"))[draw], col(&format!("lambdas.{k}.imag"))[draw])).collect();
        let trace: f64 = (0..4).map(|i| companion[i][i]).sum();
        let sum = lambdas.iter().fold((0.0, 0.0), |s, l| (s.0 + l.0, s.1 + l.1));
        assert!(close(sum, (trace, 0.0), 1e-12), "draw {draw}: sum {sum:?} vs trace {trace}");
        let prod = lambdas.iter().fold((1.0, 0.0), |p, l| mul(p, *l));
        let d = det(companion.clone());
        assert!(close(prod, (d, 0.0), 1e-10), "draw {draw}: product {prod:?} vs determinant {d}");
        let mut k = 0;
        while k < 4 {
            if lambdas[k].1 != 0.0 {
                complex_draws += 1;
                assert!(lambdas[k].1 > 0.0 && lambdas[k + 1] == (lambdas[k].0, -lambdas[k].1), "draw {draw}: {lambdas:?}");
                k += 2;
            } else {
                k += 1;
            }
        }
        let moduli: Vec<f64> = (1..=4).map(|k| col(&format!("lambda_moduli.{k}"))[draw]).collect();
        for (m, l) in moduli.iter().zip(&lambdas) {
            assert!((m - l.0.hypot(l.1)).abs() < 1e-15);
        }
        assert_eq!(col("max_lambda_modulus")[draw], moduli.iter().copied().fold(f64::MIN, f64::max));
    }
    // The simulated process has complex roots: some draws must too.
    assert!(complex_draws > 0, "no draw had a complex eigenvalue");
}

/// Complex data as CmdStan reads them (`[re, im]` per element), in every
/// kind of container, read back unchanged through generated quantities by
/// both engines; a wrong shape is E4020 with the `[re, im]` help.
#[test]
fn complex_data_are_read_as_re_im_pairs() {
    use hbmc::model::ModelError;
    let program = r#"
data {
  complex c;
  array[2] complex ac;
  complex_vector[3] cv;
  complex_matrix[2, 2] cm;
}
parameters { real x; }
model { x ~ std_normal(); }
generated quantities {
  complex c2 = c;
  array[2] complex ac2 = ac;
  complex_vector[3] cv2 = cv;
  complex_matrix[2, 2] cm2 = cm;
  real r = get_imag(cm[1, 2]);
}
"#;
    let dir = common::scratch("complex-data");
    let data = dir.join("data.json");
    std::fs::write(
        &data,
        r#"{"c": [1, 2], "ac": [[3, 4], [5, 6]], "cv": [[7, 8], [9, 10], [11, 12]], "cm": [[[13, 14], [15, 16]], [[17, 18], [19, 20]]]}"#,
    )
    .expect("scratch data");
    let model = Model::compile("complex_data", program).expect("compiles");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let bound = model.bind_files(std::slice::from_ref(&data), engine).expect("binds");
        let names = bound.output_names().to_vec();
        let mut out = Vec::new();
        bound.evaluator().write_draw(&[0.3], &mut hbmc_stdlib::ChainRng::new(1, 0), &mut out).expect("draw");
        let got = |name: &str| out[names.iter().position(|n| n == name).unwrap_or_else(|| panic!("no column {name}"))];
        let want = [
            ("c2.real", 1.0), ("c2.imag", 2.0), ("ac2.1.real", 3.0), ("ac2.2.imag", 6.0), ("cv2.1.real", 7.0),
            ("cv2.2.imag", 10.0), ("cv2.3.real", 11.0), ("cm2.1.1.real", 13.0), ("cm2.1.2.imag", 16.0),
            ("cm2.2.1.real", 17.0), ("cm2.2.2.imag", 20.0), ("r", 16.0),
        ];
        for (name, v) in want {
            assert_eq!(got(name), v, "{engine:?}: {name}");
        }
    }
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"c": [1, 2, 3], "ac": [[3, 4], [5, 6]], "cv": [[7, 8], [9, 10], [11, 12]], "cm": [[[13, 14], [15, 16]], [[17, 18], [19, 20]]]}"#)
        .expect("scratch data");
    match model.bind_files(std::slice::from_ref(&bad), Engine::Interpreter) {
        Err(ModelError::Diagnostics(d)) => {
            assert!(d.iter().any(|d| d.code == "E4020" && d.help.iter().any(|h| h.contains("[re, im]"))), "{d:#?}");
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("three numbers were read as a complex"),
    }
}

/// `print`/`reject` show a complex scalar as Stan does, `(re,im)`, in both
/// engines.
#[test]
fn a_complex_scalar_prints_as_re_im() {
    use hbmc::model::ModelError;
    let program = "transformed data { complex z = to_complex(1, -2.5); reject(\"z = \", z); } parameters { real x; } model { x ~ std_normal(); }";
    let model = Model::compile("complex_print", program).expect("compiles");
    for engine in [Engine::Jit, Engine::Interpreter] {
        let message = match model.bind(&[], engine) {
            Err(ModelError::Diagnostics(d)) => d.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; "),
            Err(e) => e.to_string(),
            Ok(_) => panic!("{engine:?}: the reject did not stop binding"),
        };
        assert!(message.contains("z = (1,-2.5)"), "{engine:?}: {message}");
    }
}
