# Usage: echo 'mundlak_logit mundlak_logit_100k' | python benches/peers/numpyro_cpu.py
# NumPyro gradient per call, as benches/peers/peers.py times it, but also in
# process CPU time (time.process_time), which descheduling does not inflate.
import sys, time
sys.argv = ['peers.py']
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers, jax, numpy as np
from numpyro.infer.util import initialize_model
for name in sys.stdin.read().split():
    model, data = peers.numpyro_case(name)
    info = initialize_model(jax.random.PRNGKey(0), model, model_kwargs=data)
    pe = info.potential_fn
    flat, unravel = jax.flatten_util.ravel_pytree(info.param_info.z)
    vg = jax.value_and_grad(lambda q: pe(unravel(q)))
    def loop(n, q):
        def body(i, carry):
            q, acc = carry
            v, g = vg(q + 1e-12 * acc)
            return q, acc + v + g[0]
        return jax.lax.fori_loop(0, n, body, (q, 0.0))[1]
    run = jax.jit(loop, static_argnums=0)
    n = 20 if "100k" in name else 2000
    run(n, flat).block_until_ready()
    wall, cpu = [], []
    for _ in range(11):
        t0, c0 = time.perf_counter(), time.process_time()
        run(n, flat).block_until_ready()
        wall.append((time.perf_counter() - t0) / n); cpu.append((time.process_time() - c0) / n)
    print(f"{name}: wall median {np.median(wall)*1e6:.2f} us, cpu median {np.median(cpu)*1e6:.2f} us, cpu min {min(cpu)*1e6:.2f} us", flush=True)
