//! Interpreter-only behaviour: the oracle's checks that compiled code
//! cannot make.

use super::testutil::{buf, module, v, B};
use super::*;
use crate::ir::{BinaryOp, CallArg, Expr, Function, ScalarType, Stmt};

#[test]
fn out_of_range_index_names_the_buffer() {
    let mut m = module();
    let y = buf(&mut m, "y", Arena::Data, 3);
    let _other = buf(&mut m, "z", Arena::Data, 4);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, n) = (b.i(0), b.i(4));
    // for i in 0..4 { target += y[i] }: one past the end of y, although the
    // arena itself is long enough (it also holds z).
    b.for_(z, n, |b, i| {
        let x = b.load(y, i);
        b.add_target(x);
    });
    m.functions.push(b.finish());
    let mut a = Arenas::new(&m.arena_sizes);
    let e = run(&m, FunctionKind::LogDensity, &mut a, None).unwrap_err();
    assert_eq!(
        e,
        InterpError::OutOfBounds {
            buffer: "y".into(),
            arena: Arena::Data,
            index: 3,
            len: 3
        }
    );
    assert!(e.to_string().contains("buffer `y`"));
}

#[test]
fn negative_index_and_bad_pointer_offset() {
    let mut m = module();
    let w = buf(&mut m, "w", Arena::Work, 2);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (z, minus) = (b.i(0), b.i(-1));
    let one = b.f(1.0);
    b.if_(z, |_| {}, |b| b.store(w, minus, one));
    m.functions.push(b.finish());
    let mut a = Arenas::new(&m.arena_sizes);
    let e = run(&m, FunctionKind::LogDensity, &mut a, None).unwrap_err();
    assert!(
        matches!(e, InterpError::OutOfBounds { index: -1, .. }),
        "{e:?}"
    );

    let mut m = module();
    let w = buf(&mut m, "w", Arena::Work, 2);
    let mut b = B::new(FunctionKind::LogDensity, &m);
    let (two, n) = (b.i(2), b.i(2));
    let s = b.call1(
        "hbm_log_sum_exp_vec",
        vec![
            CallArg::Buffer {
                buf: w,
                offset: two,
            },
            v(n),
        ],
    );
    b.add_target(s);
    m.functions.push(b.finish());
    let mut a = Arenas::new(&m.arena_sizes);
    let e = run(&m, FunctionKind::LogDensity, &mut a, None).unwrap_err();
    assert!(
        matches!(e, InterpError::OutOfBounds { index: 2, .. }),
        "{e:?}"
    );
}

#[test]
fn malformed_ir_is_an_error_not_a_panic() {
    let m0 = module();
    // Use before definition.
    let mut f = Function::new(FunctionKind::LogDensity);
    let x = f.new_value(ScalarType::F64);
    f.body.push(Stmt::AddTarget(x));
    let mut m = m0.clone();
    m.functions.push(f);
    let e = run(&m, FunctionKind::LogDensity, &mut Arenas::default(), None).unwrap_err();
    assert!(matches!(e, InterpError::Malformed(_)), "{e:?}");

    // Mixed operand types.
    let mut f = Function::new(FunctionKind::LogDensity);
    let a = f.new_value(ScalarType::F64);
    let b = f.new_value(ScalarType::I64);
    let c = f.new_value(ScalarType::F64);
    f.body = vec![
        Stmt::Let {
            dst: a,
            expr: Expr::F64(1.0),
        },
        Stmt::Let {
            dst: b,
            expr: Expr::I64(1),
        },
        Stmt::Let {
            dst: c,
            expr: Expr::Binary(BinaryOp::Add, a, b),
        },
    ];
    let mut m = m0.clone();
    m.functions.push(f);
    let e = run(&m, FunctionKind::LogDensity, &mut Arenas::default(), None).unwrap_err();
    assert!(matches!(e, InterpError::Malformed(_)), "{e:?}");

    // Break outside a loop, missing function.
    let mut f = Function::new(FunctionKind::LogDensity);
    f.body.push(Stmt::Break);
    let mut m = m0.clone();
    m.functions.push(f);
    assert!(matches!(
        run(&m, FunctionKind::LogDensity, &mut Arenas::default(), None),
        Err(InterpError::Malformed(_))
    ));
    assert_eq!(
        run(&m, FunctionKind::Gradient, &mut Arenas::default(), None),
        Err(InterpError::NoFunction(FunctionKind::Gradient))
    );
}

#[test]
fn arenas_must_fit_the_layout() {
    let mut m = module();
    buf(&mut m, "y", Arena::Data, 3);
    m.functions.push(Function::new(FunctionKind::LogDensity));
    let e = run(&m, FunctionKind::LogDensity, &mut Arenas::default(), None).unwrap_err();
    assert!(matches!(e, InterpError::ArenaTooSmall(_)));
}
