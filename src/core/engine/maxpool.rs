//! A 2×2 max pool for f32 channels-first tensors, put in place of tract's `OptMaxPool` after
//! optimisation ([`swap_max_pools`]).
//!
//! Profiled in Chromium (wasm, simd128), tract 0.23.9 spends 40 % of the face detector's run and
//! 24 % of the shapes detector's in `maxpool_2x2_f32`: for stride 2, and near any padding, it
//! visits one output at a time and calls `fmaxf` per tap (its vector path covers stride 1 on
//! aarch64 and AVX only). This op computes the same values four outputs at a time with wasm's
//! `f32x4.pmax` and lane shuffles, and with plain comparisons elsewhere. Differential tests against
//! tract's own op: `tests/native/week1_tract_vs_reference.rs` (native) and the pooling cases of
//! `tests/web/` (wasm).

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::cnn::OptMaxPool;
use tract_onnx::tract_core::ops::nn::DataFormat;

/// A 2×2 max pool over `[n?, c, h, w]` f32 with stride 1 or 2, no padding before and any padding
/// after: output `(oh, ow)`, each value the largest of the window's taps inside the image. Built
/// only by [`swap_max_pools`], from a concrete shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MaxPool2x2 {
    stride: usize,
    /// Input height and width.
    input: (usize, usize),
    /// Output height and width.
    output: (usize, usize),
}

impl Op for MaxPool2x2 {
    fn name(&self) -> StaticName {
        "MaxPool2x2".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!(
            "stride {}, {:?} -> {:?} (cnn-playground)",
            self.stride, self.input, self.output
        )])
    }

    op_as_typed_op!();
}

impl EvalOp for MaxPool2x2 {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let shape = input.shape();
        let (h, w) = self.input;
        let (oh, ow) = self.output;
        ensure!(
            shape.len() >= 3 && shape[shape.len() - 2..] == [h, w],
            "MaxPool2x2 planned for {h}x{w} got {shape:?}"
        );
        let out_shape = super::with_tail(shape, &[oh, ow])?;
        let mut output = Tensor::zero::<f32>(&out_shape)?;
        {
            let plain = input.try_as_plain_ram()?;
            let data = plain.as_slice::<f32>()?;
            let mut out_plain = output.try_as_plain_ram_mut()?;
            let out = out_plain.as_slice_mut::<f32>()?;
            for (plane, out_plane) in data.chunks_exact(h * w).zip(out.chunks_exact_mut(oh * ow)) {
                pool_plane(plane, out_plane, self);
            }
        }
        Ok(tvec!(output.into_tvalue()))
    }
}

impl TypedOp for MaxPool2x2 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let (oh, ow) = self.output;
        Ok(tvec!(super::tail_fact(inputs[0], &[oh, ow], "MaxPool2x2")?))
    }

    as_op!();
}

/// `a` or `b`, whichever is larger (`b` when `a < b`): wasm's `pmax`, one instruction, where
/// `f32::max` calls `fmaxf` for its NaN rule.
#[inline(always)]
fn pmax(a: f32, b: f32) -> f32 {
    if a < b {
        b
    } else {
        a
    }
}

/// One channel plane `h × w` → `oh × ow`.
fn pool_plane(input: &[f32], out: &mut [f32], op: &MaxPool2x2) {
    let (h, w) = op.input;
    let (oh, ow) = op.output;
    let s = op.stride;
    for oy in 0..oh {
        let y0 = oy * s;
        let row0 = &input[y0 * w..][..w];
        // With padding after, the last window row may lie outside: the row then counts once.
        let row1 = if y0 + 1 < h {
            &input[(y0 + 1) * w..][..w]
        } else {
            row0
        };
        let dst = &mut out[oy * ow..][..ow];
        // Outputs whose whole window lies inside the row (both columns).
        let full = if w >= 2 { ((w - 2) / s + 1).min(ow) } else { 0 };
        let done = rows_full(row0, row1, &mut dst[..full], s);
        for (ox, o) in dst.iter_mut().enumerate().skip(done) {
            let x0 = ox * s;
            let mut m = pmax(row0[x0], row1[x0]);
            if x0 + 1 < w {
                m = pmax(m, pmax(row0[x0 + 1], row1[x0 + 1]));
            }
            *o = m;
        }
    }
}

/// The outputs `dst` whose windows lie wholly inside rows `row0` and `row1`, as many as a vector
/// loop covers; returns how many it wrote (the caller does the rest one by one).
#[cfg(target_arch = "wasm32")]
fn rows_full(row0: &[f32], row1: &[f32], dst: &mut [f32], stride: usize) -> usize {
    use core::arch::wasm32::*;
    let n = dst.len();
    let mut ox = 0;
    // SAFETY: every load reads 4 floats inside `row0`/`row1`: for stride 2 the loads of outputs
    // ox..ox+4 read columns 2·ox..2·ox+8, for stride 1 columns ox..ox+5, and the loops stop while
    // those lie within the rows (`w` columns); stores write outputs ox..ox+4 < n.
    unsafe {
        if stride == 2 {
            while ox + 4 <= n && 2 * ox + 8 <= row0.len() {
                let p0 = row0.as_ptr().add(2 * ox);
                let p1 = row1.as_ptr().add(2 * ox);
                let lo = f32x4_pmax(v128_load(p0 as *const v128), v128_load(p1 as *const v128));
                let hi = f32x4_pmax(
                    v128_load(p0.add(4) as *const v128),
                    v128_load(p1.add(4) as *const v128),
                );
                let even = i32x4_shuffle::<0, 2, 4, 6>(lo, hi);
                let odd = i32x4_shuffle::<1, 3, 5, 7>(lo, hi);
                v128_store(dst.as_mut_ptr().add(ox) as *mut v128, f32x4_pmax(even, odd));
                ox += 4;
            }
        } else {
            while ox + 4 <= n && ox + 5 <= row0.len() {
                let p0 = row0.as_ptr().add(ox);
                let p1 = row1.as_ptr().add(ox);
                let left = f32x4_pmax(v128_load(p0 as *const v128), v128_load(p1 as *const v128));
                let right = f32x4_pmax(
                    v128_load(p0.add(1) as *const v128),
                    v128_load(p1.add(1) as *const v128),
                );
                v128_store(
                    dst.as_mut_ptr().add(ox) as *mut v128,
                    f32x4_pmax(left, right),
                );
                ox += 4;
            }
        }
    }
    ox
}

/// The outputs `dst` whose windows lie wholly inside rows `row0` and `row1` (no vector loop on
/// this target: the compiler vectorises this one where it can).
#[cfg(not(target_arch = "wasm32"))]
fn rows_full(row0: &[f32], row1: &[f32], dst: &mut [f32], stride: usize) -> usize {
    for (ox, o) in dst.iter_mut().enumerate() {
        let x0 = ox * stride;
        *o = pmax(pmax(row0[x0], row1[x0]), pmax(row0[x0 + 1], row1[x0 + 1]));
    }
    dst.len()
}

/// Replaces every `OptMaxPool` of the optimised `model` that [`MaxPool2x2`] computes (f32,
/// channels first, kernel 2×2 without dilation, stride 1 or 2, no padding before, a concrete
/// input shape, no index output) by that op, in place; returns how many it replaced. The node's
/// output fact is unchanged, so nothing else in the graph moves.
pub fn swap_max_pools(model: &mut TypedModel) -> TractResult<usize> {
    let mut swapped = 0;
    for id in 0..model.nodes().len() {
        let node = &model.nodes()[id];
        let Some(pool) = node.op_as::<OptMaxPool>() else {
            continue;
        };
        let Some(fact) = node
            .inputs
            .first()
            .map(|i| model.outlet_fact(*i))
            .transpose()?
        else {
            continue;
        };
        let Some(shape) = fact.shape.as_concrete() else {
            continue;
        };
        let spec = &pool.pool_spec;
        let channels_first = matches!(spec.data_format, DataFormat::NCHW | DataFormat::CHW);
        let stride = spec.strides();
        let eligible = fact.datum_type == f32::datum_type()
            && pool.with_index_outputs.is_none()
            && channels_first
            && spec.kernel_shape[..] == [2, 2]
            && spec.dilations().iter().all(|&d| d == 1)
            && stride.len() == 2
            && stride[0] == stride[1]
            && (stride[0] == 1 || stride[0] == 2)
            && shape.len() >= 3;
        if !eligible {
            continue;
        }
        let hw = &shape[shape.len() - 2..];
        let padding = spec.computed_padding(hw);
        if padding.iter().any(|p| p.pad_before != 0) {
            continue;
        }
        let op = MaxPool2x2 {
            stride: stride[0],
            input: (hw[0], hw[1]),
            output: (padding[0].convoluted, padding[1].convoluted),
        };
        // The windows must start inside the image (the last one at most one row or column out).
        if op.output.0 == 0
            || op.output.1 == 0
            || (op.output.0 - 1) * op.stride >= hw[0]
            || (op.output.1 - 1) * op.stride >= hw[1]
        {
            continue;
        }
        model.node_mut(id).op = Box::new(op);
        swapped += 1;
    }
    Ok(swapped)
}
