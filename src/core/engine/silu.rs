//! SiLU (`x · sigmoid(x)`, EfficientNet's activation) on f32, put in place of tract's `Silu` after
//! optimisation ([`swap_silus`]).
//!
//! Profiled in Chromium (`Model.profile`, Dec 2026), tract 0.23.9 spent 21.6 of EfficientNet-B0's
//! 60.6 ms per run in `Silu`. Its wasm kernel (`WasmSilu4`) clamps with `f32x4.min` and
//! `f32x4.max`, whose NaN and signed-zero rules V8 turns into several instructions each on x86.
//! Alone over 1.2 M values (Chromium, relaxed SIMD) it took 2.7 ns per value; the same function
//! clamped with `f32x4.pmin`/`pmax` (one instruction each) took 1.25 ns, and with fused
//! multiply-adds 0.91 ns. This op computes tract's function — the same rational approximation of
//! the sigmoid, `p(x²)·x / q(x²) + ½` with `x` clamped to ±18.6 and the sigmoid to [0, 1], times
//! the input — that way. NaN in gives NaN out, as in tract's; −∞ gives −0, its limit, where tract's
//! wasm kernel gives NaN (−∞ times a sigmoid clamped to 0). Differential tests against tract's own
//! op: `tests/native/engine.rs` (the scalar path) and `tests/web/differential.rs` (wasm, simd128
//! and relaxed SIMD).

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::element_wise::{ElementWiseMiniOp, ElementWiseOp};

/// The clamp on the sigmoid's input: beyond ±18.6 the approximation is 0 or 1 in f32.
const LIMIT: f32 = 18.6;
/// The numerator's coefficients, highest power first, written as in tract-linalg 0.23.9's
/// `WasmSilu4` (more digits than an f32 holds; they round to the same f32 values).
#[allow(clippy::excessive_precision)]
const ALPHA: [f32; 7] = [
    -4.433153405e-18,
    1.169974371e-14,
    -1.875289645e-11,
    4.257889523e-8,
    0.00004811817576,
    0.008163842030,
    0.2499999971,
];
/// The denominator's coefficients, highest power first (as above).
#[allow(clippy::excessive_precision)]
const BETA: [f32; 4] = [3.922935744e-6, 0.001524872358, 0.1159886749, 1.0];

/// SiLU on f32, in place: `v · clamp(p(x²)·x / q(x²) + ½, 0, 1)` with `x = clamp(v, ±18.6)`
/// (−0 for −∞).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Silu;

impl ElementWiseMiniOp for Silu {
    fn name(&self) -> String {
        "Silu (pmin/pmax)".into()
    }

    fn eval_in_place(&self, t: &mut Tensor, out_dt: Option<DatumType>) -> TractResult<()> {
        ensure!(
            t.datum_type() == f32::datum_type() && out_dt.is_none_or(|dt| dt == f32::datum_type()),
            "this SiLU computes f32 only, got {:?}",
            t.datum_type()
        );
        let mut plain = t.try_as_plain_ram_mut()?;
        silu(plain.as_slice_mut::<f32>()?);
        Ok(())
    }
}

/// Replaces every tract `Silu` on f32 in the optimised `model` by [`Silu`]; returns how many.
pub fn swap_silus(model: &mut TypedModel) -> TractResult<usize> {
    use tract_onnx::tract_core::ops::nn::Silu as TractSilu;
    let mut swapped = 0;
    for id in 0..model.nodes().len() {
        let node = &model.nodes()[id];
        let Some(op) = node.op_as::<ElementWiseOp>() else {
            continue;
        };
        if !op.0.is::<TractSilu>() || op.1.is_some() {
            continue;
        }
        let Some(input) = node.inputs.first() else {
            continue;
        };
        if model.outlet_fact(*input)?.datum_type != f32::datum_type() {
            continue;
        }
        model.node_mut(id).op = Box::new(ElementWiseOp(Box::new(Silu), None));
        swapped += 1;
    }
    Ok(swapped)
}

/// `xs[i] ← xs[i] · sigmoid(xs[i])`, tract's approximation (see the module doc).
pub fn silu(xs: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let xs = {
        let vectors = xs.len() / 4 * 4;
        let (head, tail) = xs.split_at_mut(vectors);
        silu_vectors(head);
        tail
    };
    for x in xs {
        *x = silu_one(*x);
    }
}

/// One value of [`silu`]; the vector path computes the same operations four at a time.
fn silu_one(v: f32) -> f32 {
    // max/min that keep `lo`/`hi` for a NaN `v`, as wasm's pmax/pmin do.
    let x = if v > -LIMIT { v } else { -LIMIT };
    let x = if x < LIMIT { x } else { LIMIT };
    let x2 = x * x;
    let p = ALPHA[1..].iter().fold(ALPHA[0], |p, &a| x2 * p + a) * x;
    let q = BETA[1..].iter().fold(BETA[0], |q, &b| x2 * q + b);
    let sig = p / q + 0.5;
    let sig = if sig > 0.0 { sig } else { 0.0 };
    let sig = if sig < 1.0 { sig } else { 1.0 };
    if v == f32::NEG_INFINITY {
        -0.0
    } else {
        v * sig
    }
}

/// [`silu_one`] on `xs`, whose length is a multiple of 4, four values per wasm vector.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn silu_vectors(xs: &mut [f32]) {
    use super::madd;
    use std::arch::wasm32::*;
    let (lo, hi) = (f32x4_splat(-LIMIT), f32x4_splat(LIMIT));
    let alpha = ALPHA.map(|a| f32x4_splat(a));
    let beta = BETA.map(|b| f32x4_splat(b));
    let (zero, half, one) = (f32x4_splat(0.0), f32x4_splat(0.5), f32x4_splat(1.0));
    let (minus_zero, minus_infinity) = (f32x4_splat(-0.0), f32x4_splat(f32::NEG_INFINITY));
    for chunk in xs.chunks_exact_mut(4) {
        let at = chunk.as_mut_ptr() as *mut v128;
        // SAFETY: `chunk` is four f32 values, one unaligned v128 load and store.
        let v = unsafe { v128_load(at) };
        // pmax(lo, v) is `lo < v ? v : lo`: lo for a NaN v, like silu_one.
        let x = f32x4_pmin(hi, f32x4_pmax(lo, v));
        let x2 = f32x4_mul(x, x);
        let mut p = alpha[0];
        for a in &alpha[1..] {
            p = madd(x2, p, *a);
        }
        let p = f32x4_mul(p, x);
        let mut q = beta[0];
        for b in &beta[1..] {
            q = madd(x2, q, *b);
        }
        let sig = f32x4_add(f32x4_div(p, q), half);
        let sig = f32x4_pmin(one, f32x4_pmax(zero, sig));
        let y = f32x4_mul(v, sig);
        let y = v128_bitselect(minus_zero, y, f32x4_eq(v, minus_infinity));
        // SAFETY: as above.
        unsafe { v128_store(at, y) };
    }
}
