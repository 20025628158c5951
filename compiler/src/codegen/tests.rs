//! The backend against the interpreter: hand-built modules covering every
//! statement, expression and operation, then random programs.

use super::*;
use std::collections::HashMap;
use crate::interp::testutil::{buf, check_both, check_both_compiled, module, same_f64, v, B};
use crate::ir::{
    Arena, BinaryOp, BufferId, CallArg, CmpOp, Function, MessagePart, ScalarType, Stmt, UnaryOp,
    Value,
};

fn arenas_for(m: &Module) -> Arenas {
    Arenas::new(&m.arena_sizes)
}

#[test]
fn loop_sums_a_data_buffer() {
    let mut m = module();
    let y = buf(&mut m, "y", Arena::Data, 5);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, n) = (b.i(0), b.i(5));
    b.for_(z, n, |b, i| {
        let x = b.load(y, i);
        b.add_target(x);
    });
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.data = vec![1.0, 2.5, -0.25, 1e-3, 7.0];
    let out = check_both(&m, FunctionKind::LogDensity, &a, None);
    assert_eq!(out.result, Ok(1.0 + 2.5 - 0.25 + 1e-3 + 7.0));
}

#[test]
fn nested_loops_with_index_arithmetic() {
    // work[i] = sum_j x[i*4 + j] * w[j] ; target = sum_i work[i] * idx[i]
    let mut m = module();
    let x = buf(&mut m, "x", Arena::Data, 12);
    let w = buf(&mut m, "w", Arena::Params, 4);
    let idx = buf(&mut m, "idx", Arena::IntData, 3);
    let out = buf(&mut m, "row", Arena::Work, 3);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, three, four) = (b.i(0), b.i(3), b.i(4));
    b.for_(z, three, |b, i| {
        b.for_(z, four, |b, j| {
            let base = b.bin(BinaryOp::Mul, i, four);
            let k = b.bin(BinaryOp::Add, base, j);
            let xv = b.load(x, k);
            let wv = b.load(w, j);
            let p = b.bin(BinaryOp::Mul, xv, wv);
            b.acc(out, i, p);
        });
        let r = b.load(out, i);
        let n = b.load(idx, i);
        let nf = b.un(UnaryOp::ToF64, n);
        let t = b.bin(BinaryOp::Mul, r, nf);
        b.add_target(t);
    });
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.data = (0..12).map(|k| k as f64 * 0.5 - 2.0).collect();
    a.params = vec![0.1, -0.2, 0.3, 1.5];
    a.int_data = vec![2, -1, 5];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    assert!(o.result.is_ok());
    assert_ne!(o.arenas.work, vec![0.0; 3]);
}

#[test]
fn if_while_break_continue() {
    // count = 0; while count < 100 { count += 1; if count % 3 == 0 { continue }
    //   target += count; if count >= 10 { break } }
    // for i in 0..20 { if i == 15 { break } if i % 2 { continue } target += i * 0.5 }
    let mut m = module();
    let count = buf(&mut m, "count", Arena::IntWork, 1);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, one, two, three, ten, hundred) = (b.i(0), b.i(1), b.i(2), b.i(3), b.i(10), b.i(100));
    b.store(count, z, z);
    b.while_(
        |b| {
            let c = b.load(count, z);
            b.cmp(CmpOp::Lt, c, hundred)
        },
        |b| {
            b.acc(count, z, one);
            let c = b.load(count, z);
            let r = b.bin(BinaryOp::Rem, c, three);
            let is0 = b.cmp(CmpOp::Eq, r, z);
            b.if_(is0, |b| b.push(Stmt::Continue), |_| {});
            let cf = b.un(UnaryOp::ToF64, c);
            b.add_target(cf);
            let done = b.cmp(CmpOp::Ge, c, ten);
            b.if_(done, |b| b.push(Stmt::Break), |_| {});
        },
    );
    let twenty = b.i(20);
    let fifteen = b.i(15);
    let half = b.f(0.5);
    b.for_(z, twenty, |b, i| {
        let stop = b.cmp(CmpOp::Eq, i, fifteen);
        b.if_(stop, |b| b.push(Stmt::Break), |_| {});
        let odd = b.bin(BinaryOp::Rem, i, two);
        b.if_(odd, |b| b.push(Stmt::Continue), |_| {});
        let fi = b.un(UnaryOp::ToF64, i);
        let t = b.bin(BinaryOp::Mul, fi, half);
        b.add_target(t);
    });
    // An if/else whose both arms leave the loop, and dead code after break.
    b.for_(z, three, |b, i| {
        let c = b.cmp(CmpOp::Gt, i, one);
        b.if_(c, |b| b.push(Stmt::Break), |b| b.push(Stmt::Continue));
    });
    m.functions.push(b.finish());
    let o = check_both(&m, FunctionKind::LogDensity, &arenas_for(&m), None);
    // while: 1+2+4+5+7+8+10 = 37 ; for: 0.5*(0+2+...+14) = 28
    assert_eq!(o.result, Ok(37.0 + 28.0));
}

#[test]
fn target_carried_through_call_free_loops_between_calls() {
    // The target lives across library calls; call-free loops in between
    // add to it and read it (their running sum is a value of the loop's
    // own in the JIT), one of them with a nested loop that breaks, and a
    // loop that leaves it alone (parked). Every partial sum is also stored
    // to work, so a wrong value at any point shows.
    let mut m = module();
    let y = buf(&mut m, "y", Arena::Data, 6);
    let seen = buf(&mut m, "seen", Arena::Work, 40);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, one, two, three, six, twelve) = (b.i(0), b.i(1), b.i(2), b.i(3), b.i(6), b.i(12));
    let y0 = b.load(y, z);
    let e = b.call1("hbm_exp", vec![v(y0)]);
    b.add_target(e);
    b.for_(z, six, |b, i| {
        let yi = b.load(y, i);
        b.add_target(yi);
        let t = b.target();
        b.store(seen, i, t);
        b.for_(z, three, |b, j| {
            let stop = b.cmp(CmpOp::Gt, j, i);
            b.if_(stop, |b| b.push(Stmt::Break), |_| {});
            let jf = b.un(UnaryOp::ToF64, j);
            let w = b.bin(BinaryOp::Mul, jf, yi);
            b.add_target(w);
        });
    });
    // Leaves the target alone.
    b.for_(z, six, |b, i| {
        let yi = b.load(y, i);
        let k = b.bin(BinaryOp::Add, i, six);
        b.store(seen, k, yi);
    });
    let t = b.target();
    let l = b.call1("hbm_log1p", vec![v(t)]);
    b.add_target(l);
    b.for_(z, six, |b, i| {
        let t = b.target();
        let k = b.bin(BinaryOp::Add, i, twelve);
        b.store(seen, k, t);
        let yi = b.load(y, i);
        let sq = b.bin(BinaryOp::Mul, yi, yi);
        b.add_target(sq);
        let odd = b.bin(BinaryOp::Rem, i, two);
        let k1 = b.bin(BinaryOp::Add, k, one);
        b.if_(odd, |b| b.push(Stmt::Continue), |_| {});
        let t = b.target();
        b.store(seen, k1, t);
    });
    let t = b.target();
    let l = b.call1("hbm_log1p", vec![v(t)]);
    b.add_target(l);
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.data = vec![0.25, -1.5, 2.0, 0.125, 3.5, -0.75];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    // The same sum by hand, in the same order.
    let mut t = 0.25f64.exp();
    let mut seen = vec![0.0; 40];
    for i in 0..6 {
        t += a.data[i];
        seen[i] = t;
        for j in 0..3 {
            if j > i {
                break;
            }
            t += j as f64 * a.data[i];
        }
    }
    t += t.ln_1p();
    for i in 0..6 {
        seen[12 + i] = t;
        t += a.data[i] * a.data[i];
        if i % 2 == 0 {
            seen[13 + i] = t;
        }
    }
    t += t.ln_1p();
    assert_eq!(o.result, Ok(t));
    for i in 0..6 {
        assert_eq!(o.arenas.work[i], seen[i], "seen[{i}]");
        assert_eq!(o.arenas.work[6 + i], a.data[i]);
    }
    assert_eq!(o.arenas.work[12..19], seen[12..19]);
}

#[test]
fn indices_plus_constants_address_the_same_elements() {
    // Loads, stores and accumulations at k - 1, k + 2, 3 + k, (k + 5) - 4
    // and k - (-2) of buffers at non-zero offsets (the JIT folds the
    // constants into the displacement), and a pointer argument at k - 1.
    let mut m = module();
    let _pad = buf(&mut m, "pad", Arena::Data, 3);
    let x = buf(&mut m, "x", Arena::Data, 12);
    let g = buf(&mut m, "g", Arena::IntData, 8);
    let w = buf(&mut m, "w", Arena::Work, 16);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, one, two, three, four, five, minus_two, eight) = (b.i(0), b.i(1), b.i(2), b.i(3), b.i(4), b.i(5), b.i(-2), b.i(8));
    b.for_(z, eight, |b, i| {
        let gi = b.load(g, i);
        let k = b.bin(BinaryOp::Sub, gi, one);
        let xk = b.load(x, k);
        let k2 = b.bin(BinaryOp::Add, gi, two);
        let xk2 = b.load(x, k2);
        let k3 = b.bin(BinaryOp::Add, three, gi);
        let s = b.bin(BinaryOp::Mul, xk, xk2);
        b.store(w, k3, s);
        let k5 = b.bin(BinaryOp::Add, gi, five);
        let k4 = b.bin(BinaryOp::Sub, k5, four);
        b.acc(w, k4, xk2);
        let kp = b.bin(BinaryOp::Sub, gi, minus_two);
        let xkp = b.load(x, kp);
        b.add_target(xkp);
        let ls = b.call1("hbm_log_sum_exp_vec", vec![CallArg::Buffer { buf: x, offset: k }, v(two)]);
        b.add_target(ls);
    });
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.data = (0..15).map(|j| 0.25 * j as f64 - 1.0).collect();
    a.int_data = vec![1, 4, 2, 8, 3, 1, 5, 7];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    // By hand: x[j] = data[3 + j].
    let xs = |j: i64| a.data[(3 + j) as usize];
    let mut w = vec![0.0; 16];
    let mut t = 0.0;
    for &gi in &a.int_data {
        w[(3 + gi) as usize] = xs(gi - 1) * xs(gi + 2);
        w[(gi + 1) as usize] += xs(gi + 2);
        t += xs(gi + 2);
        let (p, q) = (xs(gi - 1), xs(gi));
        t += p.max(q) + ((p - p.max(q)).exp() + (q - p.max(q)).exp()).ln();
    }
    assert!((o.result.clone().unwrap() - t).abs() < 1e-12, "{:?} against {t}", o.result);
    for j in 0..16 {
        assert!((o.arenas.work[j] - w[j]).abs() < 1e-12, "w[{j}] = {}, by hand {}", o.arenas.work[j], w[j]);
    }
}

#[test]
fn zeroing_loops_clear_exactly_their_range() {
    // `for i in s..e { buf[i] = 0.0 }` is written with vector stores when
    // the range is constant and long (`Translator::zero_fill`): every
    // length around the 16-element threshold and the 8-element chunk,
    // from several starts, in buffers between neighbours, and one inside
    // another loop. The neighbours and the elements outside the range
    // keep their values; the interpreter agrees.
    for len in [15_i64, 16, 17, 23, 24, 25, 31, 32, 33, 40, 47, 64, 100] {
        for start in [0_i64, 1, 3, 8] {
            let mut m = module();
            let _before = buf(&mut m, "before", Arena::Work, 5);
            let x = buf(&mut m, "x", Arena::Work, (start + len + 3) as usize);
            let _after = buf(&mut m, "after", Arena::Work, 4);
            let mut b = B::new(FunctionKind::LogDensity, &m);
            let (s, e) = (b.i(start), b.i(start + len));
            b.for_(s, e, |b, i| {
                let z = b.f(0.0);
                b.store(x, i, z);
            });
            let (z0, two) = (b.i(0), b.i(2));
            b.for_(z0, two, |b, _| {
                let (s, e) = (b.i(start), b.i(start + len));
                b.for_(s, e, |b, i| {
                    let z = b.f(0.0);
                    b.store(x, i, z);
                });
            });
            m.functions.push(b.finish());
            let mut a = arenas_for(&m);
            a.work = (0..a.work.len()).map(|k| 1.0 + k as f64).collect();
            let o = check_both(&m, FunctionKind::LogDensity, &a, None);
            let xs = (5 + start) as usize..(5 + start + len) as usize;
            for (k, w) in o.arenas.work.iter().enumerate() {
                let want = if xs.contains(&k) { 0.0 } else { 1.0 + k as f64 };
                assert_eq!(*w, want, "length {len} from {start}: work[{k}]");
            }
        }
    }
}

#[test]
fn gradient_accumulates_into_grad() {
    // target = -0.5 * sum theta_k^2 ; grad += -theta_k
    let mut m = module();
    let theta = buf(&mut m, "theta", Arena::Params, 3);
    let g = m.add_grad_buffer(theta);
    let mut b = B::new(FunctionKind::Gradient, &m);
    let (z, n, mhalf) = (b.i(0), b.i(3), b.f(-0.5));
    b.for_(z, n, |b, k| {
        let t = b.load(theta, k);
        let sq = b.bin(BinaryOp::Mul, t, t);
        let term = b.bin(BinaryOp::Mul, mhalf, sq);
        b.add_target(term);
        let d = b.un(UnaryOp::Neg, t);
        b.acc(g, k, d);
    });
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.params = vec![0.5, -1.0, 2.0];
    a.grad = vec![1.0, 1.0, 1.0];
    let o = check_both(&m, FunctionKind::Gradient, &a, None);
    assert_eq!(o.result, Ok(-0.5 * (0.25 + 1.0 + 4.0)));
    assert_eq!(o.arenas.grad, vec![0.5, 2.0, -1.0]);
}

#[test]
fn call_with_partials_to_a_grad_function() {
    // y_i ~ normal(mu, sigma); grad[mu] += d/dmu, grad[log_sigma] += d/dsigma * sigma
    let mut m = module();
    let p = buf(&mut m, "p", Arena::Params, 2);
    let g = m.add_grad_buffer(p);
    let y = buf(&mut m, "y", Arena::Data, 4);
    let mut b = B::new(FunctionKind::Gradient, &m);
    let (z, one, n) = (b.i(0), b.i(1), b.i(4));
    let mu = b.load(p, z);
    let ls = b.load(p, one);
    let sigma = b.call1("hbm_exp", vec![v(ls)]);
    b.add_target(ls);
    b.for_(z, n, |b, i| {
        let yi = b.load(y, i);
        let (lp, d) = b.call("hbm_normal_lpdf_grad", vec![v(yi), v(mu), v(sigma)], true);
        b.add_target(lp.unwrap());
        b.acc(g, z, d[1]);
        let ds = b.bin(BinaryOp::Mul, d[2], sigma);
        b.acc(g, one, ds);
    });
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.params = vec![0.3, -0.2];
    a.data = vec![0.1, 1.2, -0.7, 0.4];
    let o = check_both(&m, FunctionKind::Gradient, &a, None);
    let sigma = (-0.2f64).exp();
    let expected: f64 = -0.2
        + a.data
            .iter()
            .map(|yi| hbmc_stdlib::dist::normal_lpdf(*yi, 0.3, sigma))
            .sum::<f64>();
    assert!(same_f64(o.result.unwrap(), expected));
    assert!(o.arenas.grad[0] != 0.0 && o.arenas.grad[1] != 0.0);
}

#[test]
fn pointer_arguments_and_integer_results() {
    // softmax of data into work, log_sum_exp of data, a status result (i32).
    let mut m = module();
    let x = buf(&mut m, "x", Arena::Data, 4);
    let s = buf(&mut m, "s", Arena::Work, 4);
    let st = buf(&mut m, "status", Arena::IntWork, 1);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, n) = (b.i(0), b.i(4));
    let lse = b.call1(
        "hbm_log_sum_exp_vec",
        vec![CallArg::Buffer { buf: x, offset: z }, v(n)],
    );
    b.add_target(lse);
    let status = b.call1(
        "hbm_softmax",
        vec![
            CallArg::Buffer { buf: x, offset: z },
            v(n),
            CallArg::Buffer { buf: s, offset: z },
        ],
    );
    b.store(st, z, status);
    let two = b.i(2);
    let s2 = b.load(s, two);
    b.add_target(s2);
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.data = vec![0.5, -1.0, 2.0, 0.0];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    assert_eq!(o.arenas.int_work, vec![0]);
    assert!((o.arenas.work.iter().sum::<f64>() - 1.0).abs() < 1e-15);
}

#[test]
fn generate_writes_out_with_the_rng() {
    let mut m = module();
    let mu = buf(&mut m, "mu", Arena::Params, 1);
    let draws = buf(&mut m, "draws", Arena::Out, 5);
    let counts = buf(&mut m, "counts", Arena::IntWork, 5);
    let mut b = B::new(FunctionKind::Generate, &m);
    let (z, n, sd) = (b.i(0), b.i(5), b.f(2.0));
    let m0 = b.load(mu, z);
    b.for_(z, n, |b, i| {
        let d = b.call1("hbm_normal_rng", vec![CallArg::Rng, v(m0), v(sd)]);
        b.store(draws, i, d);
        let lam = b.f(3.5);
        let c = b.call1("hbm_poisson_rng", vec![CallArg::Rng, v(lam)]);
        b.store(counts, i, c);
    });
    b.print(vec![
        MessagePart::Text("draws ".into()),
        MessagePart::Buffer(draws, Default::default()),
        MessagePart::Text(" mu=".into()),
        MessagePart::Value(m0),
    ]);
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.params = vec![10.0];
    let o = check_both(&m, FunctionKind::Generate, &a, Some(42));
    assert_eq!(o.result, Ok(0.0));
    assert!(o.arenas.out.iter().all(|x| *x != 0.0 && x.is_finite()));
    assert_eq!(o.prints.len(), 1);
    assert!(
        o.prints[0].starts_with("draws [") && o.prints[0].ends_with(" mu=10"),
        "{}",
        o.prints[0]
    );

    // Without an RNG both refuse to run.
    let compiled = compile(&m).unwrap();
    let mut a2 = arenas_for(&m);
    assert_eq!(
        compiled.call(FunctionKind::Generate, &mut a2, None),
        Err(RunError::MissingRng)
    );
    assert_eq!(
        crate::interp::run(&m, FunctionKind::Generate, &mut a2, None),
        Err(crate::interp::InterpError::MissingRng)
    );
}

#[test]
fn transformed_data_writes_data_and_int_data() {
    let mut m = module();
    let x = buf(&mut m, "x", Arena::Data, 3);
    let lx = buf(&mut m, "log_x", Arena::Data, 3);
    let k = buf(&mut m, "k", Arena::IntData, 3);
    let mut b = B::new(FunctionKind::TransformedData, &m);
    let (z, n) = (b.i(0), b.i(3));
    b.for_(z, n, |b, i| {
        let xi = b.load(x, i);
        let l = b.call1("hbm_log", vec![v(xi)]);
        b.store(lx, i, l);
        let sq = b.bin(BinaryOp::Mul, i, i);
        b.store(k, i, sq);
    });
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.data[..3].copy_from_slice(&[1.0, 2.0, 0.5]);
    let o = check_both(&m, FunctionKind::TransformedData, &a, Some(1));
    assert_eq!(o.arenas.int_data, vec![0, 1, 4]);
    assert_eq!(o.arenas.data[3..], [0.0, 2f64.ln(), 0.5f64.ln()]);
}

#[test]
fn reject_with_message_and_prints_before_it() {
    let mut m = module();
    let p = buf(&mut m, "p", Arena::Params, 2);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let z = b.i(0);
    let x = b.load(p, z);
    b.add_target(x);
    b.print(vec![
        MessagePart::Text("x is ".into()),
        MessagePart::Value(x),
    ]);
    let neg = b.f(0.0);
    let bad = b.cmp(CmpOp::Lt, x, neg);
    let seven = b.i(7);
    b.if_(
        bad,
        |b| {
            b.reject(vec![
                MessagePart::Text("x must be >= 0, got ".into()),
                MessagePart::Value(x),
                MessagePart::Text(" with n=".into()),
                MessagePart::Value(seven),
                MessagePart::Text(", p=".into()),
                MessagePart::Buffer(p, Default::default()),
            ])
        },
        |_| {},
    );
    let t = b.target();
    b.print(vec![
        MessagePart::Text("target ".into()),
        MessagePart::Value(t),
    ]);
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.params = vec![-1.5, 0.25];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    assert_eq!(
        o.result,
        Err("rejected: x must be >= 0, got -1.5 with n=7, p=[-1.5,0.25]".to_string())
    );
    assert_eq!(o.prints, vec!["x is -1.5".to_string()]);
    a.params = vec![2.0, 0.25];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    assert_eq!(o.result, Ok(2.0));
    assert_eq!(o.prints, vec!["x is 2".to_string(), "target 2".to_string()]);

    // The raw entry point without a message sink reports the status only.
    let compiled = compile(&m).unwrap();
    let entry = compiled.entry(FunctionKind::LogDensity).unwrap();
    let mut a = arenas_for(&m);
    a.params = vec![-1.0, 0.0];
    let mut ctx = RunContext {
        params: a.params.as_ptr(),
        grad: a.grad.as_mut_ptr(),
        data: a.data.as_mut_ptr(),
        int_data: a.int_data.as_mut_ptr(),
        work: a.work.as_mut_ptr(),
        int_work: a.int_work.as_mut_ptr(),
        out: a.out.as_mut_ptr(),
        rng: std::ptr::null_mut(),
        messages: std::ptr::null_mut(),
        status: STATUS_OK,
        reject: 99,
        pool: std::ptr::null(),
        chunk: 0,
        tapes: std::ptr::null_mut(),
    };
    // SAFETY: arenas of the module's sizes, no RNG needed, no sink, module alive.
    let r = unsafe { entry(&mut ctx) };
    assert!(r.is_nan());
    // Message indices count prints and rejects in statement order.
    assert_eq!((ctx.status, ctx.reject), (STATUS_REJECTED, 1));
}

#[test]
fn integer_division_by_zero_rejects() {
    for op in [BinaryOp::Div, BinaryOp::Rem] {
        let mut m = module();
        let d = buf(&mut m, "d", Arena::IntData, 1);
        let mut b = B::new(FunctionKind::LogDensity, &m);
        let z = b.i(0);
        let den = b.load(d, z);
        let num = b.i(7);
        let q = b.bin(op, num, den);
        let qf = b.un(UnaryOp::ToF64, q);
        b.add_target(qf);
        m.functions.push(b.finish());
        let mut a = arenas_for(&m);
        let o = check_both(&m, FunctionKind::LogDensity, &a, None);
        assert_eq!(
            o.result,
            Err(format!("rejected: {}", crate::interp::ops::DIV_BY_ZERO))
        );
        a.int_data = vec![-1];
        check_both(&m, FunctionKind::LogDensity, &a, None);
        a.int_data = vec![2];
        check_both(&m, FunctionKind::LogDensity, &a, None);
    }
}

#[test]
fn arena_sizes_are_checked() {
    let mut m = module();
    let y = buf(&mut m, "y", Arena::Data, 3);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let z = b.i(0);
    let x = b.load(y, z);
    b.add_target(x);
    m.functions.push(b.finish());
    let compiled = compile(&m).unwrap();
    let mut a = Arenas::default();
    assert!(matches!(
        compiled.call(FunctionKind::LogDensity, &mut a, None),
        Err(RunError::ArenaTooSmall(_))
    ));
    assert_eq!(
        compiled.call(FunctionKind::Gradient, &mut a, None),
        Err(RunError::NoFunction(FunctionKind::Gradient))
    );
}

#[test]
fn invalid_ir_is_not_compiled() {
    let mut m = module();
    let mut f = Function::new(FunctionKind::LogDensity);
    let x = f.new_value(ScalarType::F64);
    f.body.push(Stmt::AddTarget(x));
    m.functions.push(f);
    assert!(matches!(compile(&m), Err(CodegenError::Invalid(_))));
}

/// Special reals and integers every operation is tried on.
const REALS: [f64; 14] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    2.5,
    -2.5,
    0.49999999999999994,
    1e308,
    -3.7,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    4503599627370497.0,
    1e-310,
];
const INTS: [i64; 9] = [0, 1, -1, 2, -7, 7, i64::MAX, i64::MIN, 3];

#[test]
fn every_operation_matches_the_interpreter() {
    let mut m = module();
    let r = buf(&mut m, "r", Arena::Data, REALS.len());
    let n = buf(&mut m, "n", Arena::IntData, INTS.len());
    let (nr, ni) = (REALS.len(), INTS.len());
    let unary_f = [
        UnaryOp::Neg,
        UnaryOp::Abs,
        UnaryOp::Sqrt,
        UnaryOp::Floor,
        UnaryOp::Ceil,
        UnaryOp::Trunc,
        UnaryOp::Round,
    ];
    let unary_i = [UnaryOp::Neg, UnaryOp::Abs, UnaryOp::Not, UnaryOp::ToF64];
    let binary_f = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Min,
        BinaryOp::Max,
    ];
    let binary_i = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Min,
        BinaryOp::Max,
        BinaryOp::And,
        BinaryOp::Or,
    ];
    let cmps = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ];
    let out_f_len = nr * unary_f.len() + ni * 2 + nr * nr * (binary_f.len() + 1);
    let out_i_len = ni * 3 + ni * ni * binary_i.len() + (nr * nr + ni * ni) * cmps.len();
    let of = buf(&mut m, "of", Arena::Work, out_f_len);
    let oi = buf(&mut m, "oi", Arena::IntWork, out_i_len);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (mut kf, mut ki) = (0i64, 0i64);
    let idx_r: Vec<Value> = (0..nr).map(|i| b.i(i as i64)).collect();
    let idx_n: Vec<Value> = (0..ni).map(|i| b.i(i as i64)).collect();
    let xs: Vec<Value> = idx_r.iter().map(|i| b.load(r, *i)).collect();
    let ks: Vec<Value> = idx_n.iter().map(|i| b.load(n, *i)).collect();
    let mut put_f = |b: &mut B, x: Value| {
        let k = b.i(kf);
        b.store(of, k, x);
        kf += 1;
    };
    let mut put_i = |b: &mut B, x: Value| {
        let k = b.i(ki);
        b.store(oi, k, x);
        ki += 1;
    };
    for op in unary_f {
        for x in &xs {
            let y = b.un(op, *x);
            put_f(&mut b, y);
        }
    }
    for op in unary_i {
        for x in &ks {
            let y = b.un(op, *x);
            if op == UnaryOp::ToF64 {
                put_f(&mut b, y);
            } else {
                put_i(&mut b, y);
            }
        }
    }
    // ToF64 counted once above; fill the second reserved slot run with Neg∘ToF64.
    for x in &ks {
        let y = b.un(UnaryOp::ToF64, *x);
        let y = b.un(UnaryOp::Neg, y);
        put_f(&mut b, y);
    }
    for op in binary_f {
        for x in &xs {
            for y in &xs {
                let z = b.bin(op, *x, *y);
                put_f(&mut b, z);
            }
        }
    }
    for x in &xs {
        for y in &xs {
            let c = b.cmp(CmpOp::Lt, *x, *y);
            let z = b.select(c, *x, *y);
            put_f(&mut b, z);
        }
    }
    for op in binary_i {
        for x in &ks {
            for y in &ks {
                let z = b.bin(op, *x, *y);
                put_i(&mut b, z);
            }
        }
    }
    for op in cmps {
        for x in &xs {
            for y in &xs {
                let z = b.cmp(op, *x, *y);
                put_i(&mut b, z);
            }
        }
        for x in &ks {
            for y in &ks {
                let z = b.cmp(op, *x, *y);
                put_i(&mut b, z);
            }
        }
    }
    // Integer division and remainder on every non-zero divisor.
    let mut divs = Vec::new();
    for op in [BinaryOp::Div, BinaryOp::Rem] {
        for x in &ks {
            for (y, yv) in ks.iter().zip(INTS) {
                if yv != 0 {
                    divs.push(b.bin(op, *x, *y));
                }
            }
        }
    }
    let mut acc = b.i(0);
    for d in divs {
        // Fold with xor-like mixing through Add/Mul so every result matters.
        let three = b.i(3);
        let t = b.bin(BinaryOp::Mul, acc, three);
        acc = b.bin(BinaryOp::Add, t, d);
    }
    let accf = b.un(UnaryOp::ToF64, acc);
    b.add_target(accf);
    m.functions.push(b.finish());
    assert_eq!(kf as usize, out_f_len);
    assert_eq!(
        ki as usize,
        ni * 3 + ni * ni * binary_i.len() + (nr * nr + ni * ni) * cmps.len()
    );
    let mut a = arenas_for(&m);
    a.data = REALS.to_vec();
    a.int_data = INTS.to_vec();
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    // The comparison above tolerates 1e-14; operations here must be exact.
    let compiled = compile(&m).unwrap();
    let mut j = a.clone();
    compiled
        .call(FunctionKind::LogDensity, &mut j, None)
        .unwrap();
    for (x, y) in o.arenas.work.iter().zip(&j.work) {
        assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "{x} vs {y}"
        );
    }
}

// --- differential property test ---

/// SplitMix64: a tiny deterministic generator for the program generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
    fn real(&mut self) -> f64 {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
    }
}

/// The random program's buffers, all of length `LEN`.
struct Bufs {
    data: BufferId,
    params: BufferId,
    grad: BufferId,
    work: BufferId,
    ints: BufferId,
}

const LEN: usize = 6;

/// Generates random valid code into `b`: reals in `reals`, integers known to
/// lie in `0..LEN` in `idx`.
struct Gen<'a> {
    rng: &'a mut Rng,
    bufs: &'a Bufs,
    depth: usize,
    loops: usize,
}

impl Gen<'_> {
    fn pick(&mut self, vs: &[Value]) -> Value {
        vs[self.rng.below(vs.len())]
    }

    /// A new real from existing values.
    fn real(&mut self, b: &mut B, reals: &[Value], idx: &[Value]) -> Value {
        let x = self.pick(reals);
        let y = self.pick(reals);
        match self.rng.below(16) {
            0 => b.f(self.rng.real()),
            1 => {
                let i = self.pick(idx);
                b.load(self.bufs.data, i)
            }
            2 => {
                let i = self.pick(idx);
                b.load(self.bufs.params, i)
            }
            3 => {
                let i = self.pick(idx);
                b.load(self.bufs.work, i)
            }
            4 => b.bin(BinaryOp::Add, x, y),
            5 => b.bin(BinaryOp::Sub, x, y),
            6 => b.bin(BinaryOp::Mul, x, y),
            7 => b.bin(BinaryOp::Div, x, y),
            8 => b.bin([BinaryOp::Min, BinaryOp::Max][self.rng.below(2)], x, y),
            9 => {
                let ops = [
                    UnaryOp::Neg,
                    UnaryOp::Abs,
                    UnaryOp::Sqrt,
                    UnaryOp::Floor,
                    UnaryOp::Ceil,
                    UnaryOp::Trunc,
                    UnaryOp::Round,
                ];
                b.un(ops[self.rng.below(ops.len())], x)
            }
            10 => {
                let c = b.cmp([CmpOp::Lt, CmpOp::Ge, CmpOp::Ne][self.rng.below(3)], x, y);
                b.select(c, x, y)
            }
            11 => {
                let f = [
                    "hbm_exp",
                    "hbm_log1p_exp",
                    "hbm_inv_logit",
                    "hbm_lgamma",
                    "hbm_log",
                ][self.rng.below(5)];
                b.call1(f, vec![v(x)])
            }
            12 => {
                let s = b.un(UnaryOp::Abs, y);
                let one = b.f(1.0);
                let s = b.bin(BinaryOp::Add, s, one);
                let (lp, d) = b.call("hbm_normal_lpdf_grad", vec![v(x), v(y), v(s)], true);
                b.bin(BinaryOp::Add, lp.unwrap(), d[self.rng.below(3)])
            }
            13 => {
                let i = self.pick(idx);
                b.un(UnaryOp::ToF64, i)
            }
            14 => b.target(),
            _ => b.call1("hbm_log_sum_exp", vec![v(x), v(y)]),
        }
    }

    /// A new index in `0..LEN` from existing ones.
    fn index(&mut self, b: &mut B, idx: &[Value]) -> Value {
        let i = self.pick(idx);
        let j = self.pick(idx);
        let len = b.i(LEN as i64);
        match self.rng.below(5) {
            0 => b.i(self.rng.below(LEN) as i64),
            1 => {
                let s = b.bin(BinaryOp::Add, i, j);
                b.bin(BinaryOp::Rem, s, len)
            }
            2 => {
                let k = b.i(self.rng.below(4) as i64 + 1);
                let s = b.bin(BinaryOp::Mul, i, k);
                b.bin(BinaryOp::Rem, s, len)
            }
            3 => {
                let k = b.load(self.bufs.ints, i);
                b.bin(BinaryOp::Rem, k, len)
            }
            _ => {
                let c = b.cmp(CmpOp::Lt, i, j);
                b.select(c, i, j)
            }
        }
    }

    fn block(
        &mut self,
        b: &mut B,
        reals: &mut Vec<Value>,
        idx: &mut Vec<Value>,
        kind: FunctionKind,
    ) {
        let n = 2 + self.rng.below(6);
        for _ in 0..n {
            match self.rng.below(12) {
                0..=3 => {
                    let x = self.real(b, reals, idx);
                    reals.push(x);
                }
                4 => {
                    let i = self.index(b, idx);
                    idx.push(i);
                }
                5 => {
                    let x = self.pick(reals);
                    b.add_target(x);
                }
                6 => {
                    let (i, x) = (self.pick(idx), self.pick(reals));
                    if self.rng.chance(0.5) {
                        b.store(self.bufs.work, i, x)
                    } else {
                        b.acc(self.bufs.work, i, x)
                    }
                }
                7 if kind == FunctionKind::Gradient => {
                    let (i, x) = (self.pick(idx), self.pick(reals));
                    b.acc(self.bufs.grad, i, x);
                }
                8 | 9 if self.depth < 3 => {
                    let lo = b.i(self.rng.below(3) as i64);
                    let hi = b.i(self.rng.below(LEN + 1) as i64);
                    self.depth += 1;
                    self.loops += 1;
                    b.for_(lo, hi, |b, var| {
                        let (mut r2, mut i2) = (reals.clone(), idx.clone());
                        i2.push(var);
                        self.block(b, &mut r2, &mut i2, kind);
                    });
                    self.loops -= 1;
                    self.depth -= 1;
                }
                10 if self.depth < 3 => {
                    let (x, y) = (self.pick(reals), self.pick(reals));
                    let c = b.cmp([CmpOp::Lt, CmpOp::Gt, CmpOp::Eq][self.rng.below(3)], x, y);
                    self.depth += 1;
                    let mut arm = |b: &mut B| {
                        b.nested(|b| {
                            let (mut r2, mut i2) = (reals.clone(), idx.clone());
                            self.block(b, &mut r2, &mut i2, kind);
                        })
                    };
                    let then = arm(b);
                    let otherwise = arm(b);
                    b.push(Stmt::If {
                        cond: c,
                        then,
                        otherwise,
                    });
                    self.depth -= 1;
                }
                11 if self.loops > 0 && self.rng.chance(0.3) => {
                    let (x, y) = (self.pick(reals), self.pick(reals));
                    let c = b.cmp(CmpOp::Lt, x, y);
                    let s = if self.rng.chance(0.5) {
                        Stmt::Break
                    } else {
                        Stmt::Continue
                    };
                    b.if_(c, |b| b.push(s), |_| {});
                }
                _ => {
                    let x = self.real(b, reals, idx);
                    reals.push(x);
                }
            }
        }
    }
}

fn random_module(seed: u64) -> (Module, FunctionKind, Arenas) {
    let mut rng = Rng(seed);
    let mut m = module();
    let data = buf(&mut m, "data", Arena::Data, LEN);
    let params = buf(&mut m, "params", Arena::Params, LEN);
    let grad = m.add_grad_buffer(params);
    let work = buf(&mut m, "work", Arena::Work, LEN);
    let ints = buf(&mut m, "ints", Arena::IntData, LEN);
    let bufs = Bufs {
        data,
        params,
        grad,
        work,
        ints,
    };
    let kind = if rng.chance(0.5) {
        FunctionKind::Gradient
    } else {
        FunctionKind::LogDensity
    };
    let mut b = B::new(kind, &m);
    let mut reals = vec![b.f(0.5), b.f(-1.25)];
    let mut idx = vec![b.i(0), b.i(LEN as i64 - 1)];
    let mut g = Gen {
        rng: &mut rng,
        bufs: &bufs,
        depth: 0,
        loops: 0,
    };
    g.block(&mut b, &mut reals, &mut idx, kind);
    g.block(&mut b, &mut reals, &mut idx, kind);
    let last = *reals.last().unwrap();
    b.add_target(last);
    m.functions.push(b.finish());
    let mut a = Arenas::new(&m.arena_sizes);
    for k in 0..LEN {
        a.data[k] = rng.real();
        a.params[k] = rng.real();
        a.work[k] = rng.real();
        a.int_data[k] = rng.below(100) as i64;
    }
    (m, kind, a)
}

#[test]
fn random_programs_agree_with_the_interpreter() {
    let n = 300;
    let mut finite = 0;
    for seed in 0..n {
        let (m, kind, a) = random_module(seed);
        let compiled = compile(&m).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let o = check_both_compiled(&m, &compiled, kind, &a, None);
        if o.result.as_ref().is_ok_and(|x| x.is_finite()) {
            finite += 1;
        }
    }
    // The generator must mostly produce meaningful (finite) programs.
    assert!(finite > n / 3, "only {finite} of {n} programs were finite");
}

#[test]
fn every_stdlib_call_signature_compiles() {
    // Calls of several shapes in one module: f64 args, i64 args, rng, pointers.
    let mut m = module();
    let x = buf(&mut m, "x", Arena::Data, 3);
    let w = buf(&mut m, "w", Arena::Work, 12);
    let mut b = B::new(FunctionKind::Generate, &m);
    let (z, one, three) = (b.i(0), b.i(1), b.i(3));
    let p = b.f(0.3);
    let lp = b.call1("hbm_binomial_lpmf", vec![v(one), v(three), v(p)]);
    let (lp2, d) = b.call("hbm_bernoulli_logit_lpmf_grad", vec![v(one), v(p)], true);
    assert_eq!(d.len(), 1);
    let s = b.bin(BinaryOp::Add, lp, lp2.unwrap());
    let s = b.bin(BinaryOp::Add, s, d[0]);
    b.store(w, z, s);
    let k = b.call1("hbm_binomial_rng", vec![CallArg::Rng, v(three), v(p)]);
    let kf = b.un(UnaryOp::ToF64, k);
    b.store(w, one, kf);
    let st = b.call1(
        "hbm_multiply",
        vec![
            CallArg::Buffer { buf: x, offset: z },
            CallArg::Buffer { buf: x, offset: z },
            v(three),
            v(one),
            v(three),
            CallArg::Buffer {
                buf: w,
                offset: three,
            },
        ],
    );
    let stf = b.un(UnaryOp::ToF64, st);
    let two = b.i(2);
    b.store(w, two, stf);
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.data = vec![1.0, 2.0, 3.0];
    check_both(&m, FunctionKind::Generate, &a, Some(7));
}

#[test]
fn compiled_module_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<CompiledModule>();
}

// --- a lowered model end to end ---

/// The electric_intercept example, lowered and differentiated, agrees with
/// the interpreter on every function at a few points (the design's oracle).
#[test]
fn lowered_example_agrees_with_the_interpreter() {
    let source = include_str!("../../../examples/electric_intercept.hbm");
    let csv = include_str!("../../../examples/data/electric.csv");
    lowered_program_agrees_with_the_interpreter(source, "electric.csv", csv);
}

/// Multivariate draws in generated quantities (whole vectors, arrays of
/// them, LKJ factors, multivariate Student-t), sizes from transformed data and a non-square
/// Cholesky factor: the JIT computes what the interpreter does and makes
/// the same draws from the same generator state.
#[test]
fn multivariate_draws_and_transformed_data_sizes_agree_with_the_interpreter() {
    let source = r#"
data { int N; }
transformed data { int K = N - 1; }
parameters { vector[K] mu; cholesky_factor_corr[K] L; vector<lower=0>[K] tau; cholesky_factor_cov[K, 2] Lr; }
model { mu ~ normal(0, 1); L ~ lkj_corr_cholesky(2); tau ~ normal(0, 1); to_vector(Lr) ~ normal(0, 1); }
generated quantities {
  matrix[K, K] S = multiply_lower_tri_self_transpose(diag_pre_multiply(tau, L));
  vector[K] y = multi_normal_rng(mu, S);
  vector[K] z = multi_normal_cholesky_rng(mu, diag_pre_multiply(tau, L));
  array[2] vector[K] w = multi_normal_cholesky_rng({mu, 2 * mu}, L);
  matrix[K, K] R = lkj_corr_cholesky_rng(K, 1.5);
  vector[K] t = multi_student_t_rng(4.5, mu, S);
  array[2] vector[K] tc = multi_student_t_cholesky_rng(3, {mu, 2 * mu}, diag_pre_multiply(tau, L));
}
"#;
    lowered_program_agrees_with_the_interpreter(source, "d.json", r#"{"N": 4}"#);
}

/// Lowers and differentiates a program, compiles it, and checks every
/// function against the interpreter at a few random points.
fn lowered_program_agrees_with_the_interpreter(source: &str, data_name: &str, data: &str) {
    use crate::bind::{bind_data, read_source};
    let fe = crate::front_end(source);
    let program = fe.typed.unwrap_or_else(|| panic!("the program checks: {:?}", fe.diagnostics));
    let src = read_source(data_name, data).expect("data reads");
    let (bound, diags) = bind_data(&program, &[src]);
    let bound = bound.unwrap_or_else(|| panic!("data binds: {diags:?}"));
    let mut model = crate::lower::lower_model(&program, &bound).unwrap_or_else(|d| panic!("lowers: {d:?}"));
    crate::ad::differentiate(&mut model.module).expect("differentiates");
    let compiled = compile(&model.module).unwrap_or_else(|e| panic!("{e}"));
    let mut a = Arenas::new(&model.module.arena_sizes);
    a.data[..model.data_init.len()].copy_from_slice(&model.data_init);
    a.int_data[..model.int_data_init.len()].copy_from_slice(&model.int_data_init);
    let m = &model.module;
    if m.function(FunctionKind::TransformedData).is_some() {
        a = check_both_compiled(m, &compiled, FunctionKind::TransformedData, &a, Some(3)).arenas;
    }
    let mut g = Rng(11);
    for _ in 0..3 {
        for x in a.params.iter_mut() {
            *x = 3.0 * g.real() / 2.0;
        }
        for kind in [
            FunctionKind::LogDensity,
            FunctionKind::Gradient,
            FunctionKind::Generate,
        ] {
            if m.function(kind).is_some() {
                let o = check_both_compiled(m, &compiled, kind, &a, Some(5));
                assert!(o.result.is_ok(), "{kind:?}: {:?}", o.result);
            }
        }
    }
}

#[test]
fn elements_at_constant_indices_kept_in_variables_through_loops() {
    // Adjoint-cell shapes: `cell[0] += ...` on every iteration of a loop,
    // read back inside it, in a nested loop, in a loop that breaks, in a
    // loop that never runs, a read-only data element, and a buffer also
    // indexed by the loop variable (kept in memory). The JIT holds the
    // constant-index elements in variables between the loads before and
    // the stores after each loop; a missing or misplaced store shows as a
    // work arena or target different from the interpreter's.
    let mut m = module();
    let y = buf(&mut m, "y", Arena::Data, 5);
    let d = buf(&mut m, "d", Arena::Data, 2);
    let cell = buf(&mut m, "cell", Arena::Work, 2);
    let mixed = buf(&mut m, "mixed", Arena::Work, 4);
    let seen = buf(&mut m, "seen", Arena::Work, 1);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, one, two, three, five) = (b.i(0), b.i(1), b.i(2), b.i(3), b.i(5));
    b.for_(z, five, |b, i| {
        let yi = b.load(y, i);
        b.acc(cell, z, yi);
        b.for_(z, two, |b, j| {
            let yj = b.load(y, j);
            let p = b.bin(BinaryOp::Mul, yi, yj);
            b.acc(cell, one, p);
        });
        let c0 = b.load(cell, z);
        let d1 = b.load(d, one);
        let t = b.bin(BinaryOp::Mul, c0, d1);
        b.add_target(t);
        b.store(seen, z, c0);
    });
    b.for_(five, five, |b, _| {
        let big = b.f(100.0);
        b.store(cell, z, big);
    });
    b.for_(z, five, |b, i| {
        let h = b.f(0.5);
        b.acc(cell, one, h);
        let stop = b.cmp(CmpOp::Eq, i, two);
        b.if_(stop, |b| b.push(Stmt::Break), |_| {});
    });
    b.for_(z, three, |b, i| {
        let h = b.f(1.25);
        b.acc(mixed, one, h);
        b.acc(mixed, i, h);
    });
    let (c0, c1, m1) = (b.load(cell, z), b.load(cell, one), b.load(mixed, one));
    let s = b.bin(BinaryOp::Add, c0, c1);
    let s = b.bin(BinaryOp::Add, s, m1);
    b.add_target(s);
    m.functions.push(b.finish());

    let Some(Stmt::For { var, body, .. }) = m.functions[0].body.iter().find(|s| matches!(s, Stmt::For { .. })) else {
        panic!("the first loop")
    };
    let consts: HashMap<Value, i64> = [(z, 0), (one, 1), (two, 2), (three, 3), (five, 5)].into_iter().collect();
    let found = cells::loop_cells(*var, body, &consts, &HashMap::new());
    let found: Vec<_> = found.into_iter().map(|(b, base, ks)| (b, base, ks)).collect();
    assert_eq!(
        found,
        vec![(d, cells::IndexBase::Const, vec![(1, false)]), (cell, cells::IndexBase::Const, vec![(0, true), (1, true)]), (seen, cells::IndexBase::Const, vec![(0, true)])],
        "y is read at the loop variable, so it stays in memory"
    );

    let mut a = arenas_for(&m);
    a.data = vec![1.0, 2.0, -0.5, 0.25, 3.0, 7.0, 0.5];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    let (sum_y, y01) = (5.75, 3.0);
    let cell1 = sum_y * y01 + 3.0 * 0.5;
    assert_eq!(o.arenas.work[..2], [sum_y, cell1]);
    assert_eq!(o.arenas.work[2..6], [1.25, 5.0, 1.25, 0.0]);
    assert_eq!(o.arenas.work[6], sum_y);
}

#[test]
fn a_reject_inside_a_loop_sees_and_leaves_the_elements_it_added_to() {
    // The loop adds to `cell[0]` and `cell[1]` and rejects at i == 2 with a
    // message that prints the buffer: the message and the arenas after the
    // reject must show the three additions, as in the interpreter.
    let mut m = module();
    let y = buf(&mut m, "y", Arena::Data, 4);
    let cell = buf(&mut m, "cell", Arena::Work, 2);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, one, two, four) = (b.i(0), b.i(1), b.i(2), b.i(4));
    b.for_(z, four, |b, i| {
        let yi = b.load(y, i);
        b.acc(cell, z, yi);
        b.acc(cell, one, yi);
        b.acc(cell, one, yi);
        let stop = b.cmp(CmpOp::Eq, i, two);
        b.if_(stop, |b| b.reject(vec![MessagePart::Text("cells ".into()), MessagePart::Buffer(cell, Default::default())]), |_| {});
    });
    m.functions.push(b.finish());
    let mut a = arenas_for(&m);
    a.data = vec![1.0, 2.0, 4.0, 8.0];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    assert!(o.result.is_err());
    assert_eq!(o.arenas.work, vec![7.0, 14.0]);
}

#[test]
fn elements_at_an_outer_index_kept_in_variables_through_inner_loops() {
    // Inner loops add to elements named by the outer loop variable (the
    // gradient of `beta[g]` in a loop over group g's cells): `per[g]`,
    // `shift[g]` and `shift[g + 1]` (two elements); `both[g]` next to
    // `both[0]` (the same element when g = 0, so `both` stays in memory);
    // and `far[h]` with `h` read from data before the inner loop and
    // checked inside it, out of range at g = 2 (the check rejects; the
    // element loaded before the loop is clamped into the buffer).
    let mut m = module();
    let y = buf(&mut m, "y", Arena::Data, 4);
    let idx = buf(&mut m, "idx", Arena::IntData, 3);
    let per = buf(&mut m, "per", Arena::Work, 3);
    let shift = buf(&mut m, "shift", Arena::Work, 4);
    let both = buf(&mut m, "both", Arena::Work, 3);
    let far = buf(&mut m, "far", Arena::Work, 3);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, one, three, four) = (b.i(0), b.i(1), b.i(3), b.i(4));
    let mut inner_var = None;
    b.for_(z, three, |b, g| {
        let h = b.load(idx, g);
        b.for_(z, four, |b, k| {
            inner_var = Some(k);
            let yk = b.load(y, k);
            b.acc(per, g, yk);
            b.acc(shift, g, yk);
            let g1 = b.bin(BinaryOp::Add, g, one);
            let two_y = b.bin(BinaryOp::Add, yk, yk);
            b.acc(shift, g1, two_y);
            b.acc(both, g, yk);
            b.acc(both, z, yk);
            let bad = b.cmp(CmpOp::Ge, h, three);
            b.if_(bad, |b| b.reject(vec![MessagePart::Text("far index ".into()), MessagePart::Value(h)]), |_| {});
            b.acc(far, h, yk);
            let f = b.load(far, h);
            b.add_target(f);
        });
    });
    m.functions.push(b.finish());

    let func = &m.functions[0];
    let Some(Stmt::For { body: outer, .. }) = func.body.iter().find(|s| matches!(s, Stmt::For { .. })) else { panic!("the outer loop") };
    let Some(Stmt::For { var, body, .. }) = outer.iter().find(|s| matches!(s, Stmt::For { .. })) else { panic!("the inner loop") };
    assert_eq!(Some(*var), inner_var);
    let g = match &func.body.iter().find(|s| matches!(s, Stmt::For { .. })) {
        Some(Stmt::For { var, .. }) => *var,
        _ => unreachable!(),
    };
    let consts: HashMap<Value, i64> = [(z, 0), (one, 1), (three, 3), (four, 4)].into_iter().collect();
    let (offsets, _) = lower::constant_offsets(func);
    let found = cells::loop_cells(*var, body, &consts, &offsets);
    let h = match outer.iter().find(|s| matches!(s, Stmt::Let { expr: crate::ir::Expr::Load { .. }, .. })) {
        Some(Stmt::Let { dst, .. }) => *dst,
        _ => panic!("h"),
    };
    use cells::IndexBase::Value as At;
    assert_eq!(
        found,
        vec![(per, At(g), vec![(0, true)]), (shift, At(g), vec![(0, true), (1, true)]), (far, At(h), vec![(0, true)])],
        "y moves with k and `both` is named two ways"
    );

    let mut a = arenas_for(&m);
    a.data = vec![1.0, 2.0, 4.0, 8.0];
    a.int_data = vec![0, 2, 1];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    assert!(o.result.is_ok());
    assert_eq!(o.arenas.work[0..3], [15.0, 15.0, 15.0]);
    assert_eq!(o.arenas.work[3..7], [15.0, 45.0, 45.0, 30.0]);
    assert_eq!(o.arenas.work[7..10], [60.0, 15.0, 15.0]);
    a.int_data = vec![0, 2, 7];
    let o = check_both(&m, FunctionKind::LogDensity, &a, None);
    assert!(o.result.is_err(), "far index 7 rejects");
}
