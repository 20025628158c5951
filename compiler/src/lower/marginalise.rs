//! Library calls that sum discrete states out of a density: `log_mix` of
//! containers (a finite mixture per column of log densities) and Stan's
//! hidden Markov model functions (`hmm_marginal`, and in generated
//! quantities `hmm_hidden_state_prob` and `hmm_latent_rng`). Each is one
//! stdlib call on the arguments' buffers (`stdlib::mixture`,
//! `stdlib::hmm`), with the sizes checked here, where they are known;
//! arguments Stan rejects at run time reject the evaluation.

use super::call::PtrArg;
use super::{LowerError, LowerResult, Lowerer, Storage};
use crate::check::typed::TypedExpr;
use crate::ir::{CallArg, CmpOp, ScalarType, Value};

/// What `hmm_*` rejects, for its messages.
const HMM_RULES: &str = "rho and every row of Gamma must be simplexes and log_omega may not hold NaN or +inf";

impl Lowerer<'_> {
    /// `log_mix(theta, lp)` with `lp` a vector, row vector or real array of
    /// one log density per component, or an array of such vectors (the
    /// sum of the mixture's log density over them).
    pub(super) fn log_mix_containers(&mut self, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<Value> {
        let theta = self.pointer_arg(&args[0])?;
        let lp = self.pointer_arg(&args[1])?;
        let k: usize = theta.shape.iter().product();
        let (n, per) = match lp.shape[..] {
            [per] => (1, per),
            [n, per] => (n, per),
            _ => return Err(LowerError::unsupported(e.span, format!("`log_mix` of log densities of shape {:?}", lp.shape))),
        };
        if per != k {
            let msg = format!("`log_mix` of {k} mixing proportions and {per} log densities per mixture (they must be as many)");
            return Err(LowerError::sizes(e.span, msg));
        }
        let (kv, nv) = (self.fb.i64(k as i64), self.fb.i64(n as i64));
        let f = self.func("hbm_log_mix_vec", e)?;
        let v = self.fb.call(f, vec![theta.arg(), lp.arg(), CallArg::Value(kv), CallArg::Value(nv)]);
        self.reject_if_nan(v, "log_mix: every mixing proportion must be in [0, 1] and every log density finite");
        Ok(v)
    }

    /// `hmm_marginal(log_omega, Gamma, rho)`.
    pub(super) fn hmm_marginal(&mut self, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<Value> {
        let call_args = self.hmm_args("hmm_marginal", args, e)?;
        let f = self.func("hbm_hmm_marginal", e)?;
        let v = self.fb.call(f, call_args);
        self.reject_if_nan(v, &format!("hmm_marginal: {HMM_RULES}"));
        Ok(v)
    }

    /// `hmm_hidden_state_prob(log_omega, Gamma, rho)` into `dst` (K × N).
    pub(super) fn fill_hmm_hidden_state_prob(&mut self, dst: &Storage, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<()> {
        let mut call_args = self.hmm_args("hmm_hidden_state_prob", args, e)?;
        call_args.push(CallArg::Buffer { buf: dst.buf, offset: self.fb.i64(0) });
        let f = self.func("hbm_hmm_hidden_state_prob", e)?;
        let status = self.fb.call(f, call_args);
        self.reject_unless_zero(status, &format!("hmm_hidden_state_prob: {HMM_RULES}, and some state path must be possible"));
        Ok(())
    }

    /// `hmm_latent_rng(log_omega, Gamma, rho)` into the int array `dst`:
    /// the library writes the N states as reals, converted here.
    pub(super) fn fill_hmm_latent_draw(&mut self, dst: &Storage, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<()> {
        let hmm = self.hmm_args("hmm_latent_rng", args, e)?;
        let n = dst.shape.iter().product();
        let states = self.temp_buffer("hmm_states", ScalarType::F64, n);
        let mut call_args = vec![CallArg::Rng];
        call_args.extend(hmm);
        call_args.push(CallArg::Buffer { buf: states, offset: self.fb.i64(0) });
        let f = self.func("hbm_hmm_latent_rng", e)?;
        let status = self.fb.call(f, call_args);
        self.reject_unless_zero(status, &format!("hmm_latent_rng: {HMM_RULES}, and some state path must be possible"));
        let to_int = self.func("hbm_to_int", e)?;
        self.loop_n(n, |this, t| {
            let x = this.fb.load(states, t, ScalarType::F64);
            let s = this.fb.call(to_int.clone(), vec![CallArg::Value(x)]);
            this.fb.store(dst.buf, t, s);
            Ok(())
        })
    }

    /// The call arguments `log_omega, Gamma, rho, K, N` of an `hmm_*`
    /// function, refusing sizes that disagree (log_omega K × N with N ≥ 1,
    /// Gamma K × K, rho K).
    fn hmm_args(&mut self, func: &str, args: &[TypedExpr], e: &TypedExpr) -> LowerResult<Vec<CallArg>> {
        let parts: Vec<PtrArg> = args.iter().map(|a| self.pointer_arg(a)).collect::<LowerResult<_>>()?;
        let (k, n) = match (parts.len(), parts.first().map(|p| &p.shape[..])) {
            (3, Some(&[k, n])) => (k, n),
            _ => (0, 0),
        };
        if k == 0 || n == 0 || parts[1].shape != [k, k] || parts[2].shape != [k] {
            let shapes: Vec<_> = parts.iter().map(|p| p.shape.clone()).collect();
            let msg = format!("`{func}` with sizes {shapes:?}: log_omega must be K x N (K, N at least 1), Gamma K x K and rho K");
            return Err(LowerError::sizes(e.span, msg));
        }
        let mut call_args: Vec<CallArg> = parts.iter().map(PtrArg::arg).collect();
        call_args.push(CallArg::Value(self.fb.i64(k as i64)));
        call_args.push(CallArg::Value(self.fb.i64(n as i64)));
        Ok(call_args)
    }

    /// Rejects the evaluation with `message` when the real `v` is NaN.
    fn reject_if_nan(&mut self, v: Value, message: &str) {
        let nan = self.fb.cmp(CmpOp::Ne, v, v);
        self.reject_if(nan, message);
    }
}
