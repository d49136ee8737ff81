//! A direct 2D convolution for f32 channels-first tensors with stride 1, put in place of tract's
//! `Conv` before tract declutters the graph, where it beats tract's own lowering ([`swap_convs`]).
//!
//! Profiled in Chromium (wasm, simd128; `Model.profile` in `scripts/bench.sh`), tract 0.23.9
//! spends 84 % of the face detector's run in `OptMatMul`, most of it in the first 3×3
//! convolution over 416×416 (3 → 16 channels) and the first pointwise one over 207×207
//! (16 → 32): alone (`examples/kernel_repro.rs`) they ran 3.1× and 2.1× slower than
//! onnxruntime-web, the shorter the inner dimension the further behind. Both pack the image for
//! a matrix product whose inner dimension (27 and 16) is too short to repay the packing. This op
//! reads the image where it lies: four output channels times eight neighbouring pixels are summed
//! in sixteen wasm vectors, one tap at a time, over the `C·kh·kw` taps. A leaky ReLU right after
//! the convolution is applied as the values are stored.
//!
//! Differential tests against tract's own op: `tests/native/week1_tract_vs_reference.rs`
//! (native) and `tests/web/differential.rs` (wasm, simd128 and relaxed SIMD).

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::*;
use tract_onnx::tract_core::ops::cast::Cast;
use tract_onnx::tract_core::ops::cnn::{Conv, KernelFormat};
use tract_onnx::tract_core::ops::element_wise::ElementWiseOp;
use tract_onnx::tract_core::ops::nn::{DataFormat, LeakyRelu};

/// Output channels summed together by the vector kernel.
const OB: usize = 4;
/// Neighbouring output pixels summed together by the vector kernel (two wasm vectors).
#[cfg(target_arch = "wasm32")]
const PX: usize = 8;

/// Input values (4 bytes each) in one tile of an unpadded 1×1 convolution's plane: 16 KB, within
/// a core's first-level data cache beside the weights and the outputs.
const TILE_VALUES: usize = 4096;

/// The most taps (`c·kh·kw`) of a convolution wider than 1×1 that the op takes; larger ones stay
/// with tract. Measured in Chromium (Dec 2026, every such convolution swapped): the 3×3
/// convolutions over 32-512 channels made ResNet-18 run 3.6× and the face encoder 2.4× slower than
/// onnxruntime-web (1.0× and 0.9× with tract's), and the shapes detector's over 8-96 channels 1.9×
/// (0.9×); the first convolutions (27 taps over 3 channels, 25 over one) ran 3× faster than
/// tract's. 1×1 convolutions are taken at any depth: the face detector's (16-512 channels),
/// MobileNetV2's and EfficientNet-B0's all ran faster.
pub const MAX_TAPS: usize = 32;

/// f32 values compared bit for bit, so that the op is `Eq` as tract's graph requires.
#[derive(Debug, Clone)]
struct Floats(Vec<f32>);

impl PartialEq for Floats {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}
impl Eq for Floats {}

/// A convolution of `[n?, c, h, w]` by `o` filters `c × kh × kw` with stride 1 and dilation 1,
/// zero padding `pad` = (top, left, bottom, right), then a bias per output channel and optionally
/// a leaky ReLU of slope `leaky` below zero: output `[n?, o, h + top + bottom − kh + 1, w + left +
/// right − kw + 1]`. Built only by [`swap_convs`], from a concrete shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectConv {
    /// Input channels, height and width of one image.
    input: (usize, usize, usize),
    /// Output channels, height and width of one image.
    output: (usize, usize, usize),
    /// Kernel height and width.
    kernel: (usize, usize),
    /// Zero padding: top, left, bottom, right.
    pad: [usize; 4],
    /// The weights by blocks of [`OB`] output channels, `[⌈o/4⌉][c·kh·kw][4]`, zeros past `o`.
    packed: Floats,
    /// One bias per output channel, zeros past `o` up to a multiple of [`OB`].
    bias: Floats,
    /// The slope of a fused leaky ReLU (its bits, for `Eq`), if any.
    leaky: Option<u32>,
}

impl Op for DirectConv {
    fn name(&self) -> StaticName {
        "DirectConv".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        let (c, h, w) = self.input;
        let (o, oh, ow) = self.output;
        let (kh, kw) = self.kernel;
        let leaky = self.leaky.map(f32::from_bits);
        Ok(vec![format!(
            "{c}x{h}x{w} * {o}x{c}x{kh}x{kw}, pad {:?}, leaky {leaky:?} -> {o}x{oh}x{ow} (cnn-playground)",
            self.pad
        )])
    }

    op_as_typed_op!();
}

impl EvalOp for DirectConv {
    op_out_of_plan!();

    fn eval(&self, _ctx: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let input = args_1!(inputs);
        let shape = input.shape();
        let (c, h, w) = self.input;
        let (o, oh, ow) = self.output;
        ensure!(
            shape.len() >= 3 && shape[shape.len() - 3..] == [c, h, w],
            "DirectConv planned for {c}x{h}x{w} got {shape:?}"
        );
        let out_shape = super::with_tail(shape, &[o, oh, ow])?;
        // SAFETY: `image` writes every value of `out` (block_row the first columns of every
        // channel of every segment, the loop after it the rest), so none is read unwritten.
        // Zeroing the output first cost a pass through it (5.5 MB for a 1×1 16 → 32 over 208×208).
        let mut output = unsafe { Tensor::uninitialized::<f32>(&out_shape)? };
        {
            let plain = input.try_as_plain_ram()?;
            let data = plain.as_slice::<f32>()?;
            let mut out_plain = output.try_as_plain_ram_mut()?;
            let out = out_plain.as_slice_mut::<f32>()?;
            // In test builds, a value `image` failed to write shows as NaN against tract's.
            if cfg!(debug_assertions) {
                out.fill(f32::NAN);
            }
            let mut scratch = Vec::new();
            for (image, out_image) in data
                .chunks_exact(c * h * w)
                .zip(out.chunks_exact_mut(o * oh * ow))
            {
                self.image(image, &mut scratch, out_image);
            }
        }
        Ok(tvec!(output.into_tvalue()))
    }
}

impl TypedOp for DirectConv {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let (o, oh, ow) = self.output;
        Ok(tvec!(super::tail_fact(
            inputs[0],
            &[o, oh, ow],
            "DirectConv"
        )?))
    }

    as_op!();
}

/// Where one image's pixels are read: rows of `row` values (the padded width), and each tap's
/// offset from an output pixel's first tap.
struct Source<'a> {
    data: &'a [f32],
    /// Where segment `s` starts in `data`: `s · row`.
    row: usize,
    /// The output as the kernels walk it: `rows` segments of `cols` pixels (the last one shorter
    /// when the plane is not a whole number of them); segment `s` starts at output pixel
    /// `s · cols`. An output row each, or for an unpadded 1×1 the plane cut into tiles.
    rows: usize,
    cols: usize,
    /// Output pixels in a plane.
    plane: usize,
    offsets: Vec<usize>,
}

impl DirectConv {
    /// Output channels rounded up to whole blocks.
    fn blocks(&self) -> usize {
        self.output.0.div_ceil(OB)
    }

    /// The image `input` `[c, h, w]` as the kernels read it: itself, or a zero-padded copy in
    /// `scratch`.
    fn source<'a>(&self, input: &'a [f32], scratch: &'a mut Vec<f32>) -> Source<'a> {
        let (c, h, w) = self.input;
        let (_, oh, ow) = self.output;
        let (kh, kw) = self.kernel;
        let [top, left, bottom, right] = self.pad;
        let (ph, pw) = (h + top + bottom, w + left + right);
        let data: &[f32] = if self.pad == [0; 4] {
            input
        } else {
            scratch.clear();
            scratch.resize(c * ph * pw, 0.0);
            for (plane, padded) in input
                .chunks_exact(h * w)
                .zip(scratch.chunks_exact_mut(ph * pw))
            {
                for (y, line) in plane.chunks_exact(w).enumerate() {
                    padded[(y + top) * pw + left..][..w].copy_from_slice(line);
                }
            }
            scratch
        };
        let offsets = (0..c)
            .flat_map(|ci| {
                (0..kh).flat_map(move |ky| (0..kw).map(move |kx| ci * ph * pw + ky * pw + kx))
            })
            .collect();
        // A 1×1 kernel without padding reads pixel p for output p: the plane is one long row,
        // cut into tiles whose c channels fill about 16 KB, so that a tile stays in the cache
        // while every block of output channels reads it.
        let (row, rows, cols) = if (kh, kw) == (1, 1) && self.pad == [0; 4] {
            let tile = (TILE_VALUES / c.max(1)).clamp(16, 1024) / 8 * 8;
            (tile, (oh * ow).div_ceil(tile), tile)
        } else {
            (pw, oh, ow)
        };
        Source {
            data,
            row,
            rows,
            cols,
            plane: oh * ow,
            offsets,
        }
    }

    /// One image `input` `[c, h, w]` → `out` `[o, oh, ow]`.
    fn image(&self, input: &[f32], scratch: &mut Vec<f32>, out: &mut [f32]) {
        let src = self.source(input, scratch);
        let o = self.output.0;
        let plane = src.plane;
        let taps = src.offsets.len();
        let leaky = self.leaky.map(f32::from_bits);
        // Rows outside, blocks of output channels inside: the taps of one output row stay in
        // the cache while every block of channels reads them. Blocks outside read the whole
        // input once per block; for a 1×1 conv 16 → 32 over 208×208 (2.7 MB of input) that
        // was 8 passes through memory.
        for y in 0..src.rows {
            let first = y * src.row;
            let at = y * src.cols;
            let cols = src.cols.min(plane - at);
            for b in 0..self.blocks() {
                let weights = &self.packed.0[b * taps * OB..][..taps * OB];
                let bias = &self.bias.0[b * OB..][..OB];
                let channels = (o - b * OB).min(OB);
                let done = block_row(
                    &src,
                    first,
                    cols,
                    weights,
                    bias,
                    leaky,
                    channels,
                    out,
                    b * OB * plane + at,
                    plane,
                );
                for x in done..cols {
                    for (j, &bj) in bias.iter().enumerate().take(channels) {
                        let mut sum = bj;
                        for (t, &off) in src.offsets.iter().enumerate() {
                            sum += weights[t * OB + j] * src.data[first + x + off];
                        }
                        out[(b * OB + j) * plane + at + x] = activate(sum, leaky);
                    }
                }
            }
        }
    }
}

/// `x`, or `x · slope` below zero when there is a leaky ReLU.
#[inline(always)]
fn activate(x: f32, leaky: Option<f32>) -> f32 {
    match leaky {
        Some(slope) if x < 0.0 => x * slope,
        _ => x,
    }
}

/// The blocks of [`PX`] outputs of one segment of `cols` outputs (a row or a tile) that the
/// vector kernel covers, for `channels` (≤ 4) output channels: the segment starting at `first`
/// in `src` → `out[at + j·plane + x]`. Returns how many columns it wrote (the caller does the rest
/// one by one).
#[cfg(target_arch = "wasm32")]
#[allow(clippy::too_many_arguments)]
fn block_row(
    src: &Source,
    first: usize,
    cols: usize,
    weights: &[f32],
    bias: &[f32],
    leaky: Option<f32>,
    channels: usize,
    out: &mut [f32],
    at: usize,
    plane: usize,
) -> usize {
    use super::madd;
    use core::arch::wasm32::*;
    let blocks = cols / PX;
    let taps = src.offsets.len();
    let last_tap = src.offsets.last().copied().unwrap_or(0);
    // Every load below reads data[first + x0 + off .. + 8] with x0 + 8 ≤ cols and off ≤ last_tap;
    // stores write out[at + j·plane + x0 .. + 8] for j < channels.
    assert!(first + blocks * PX + last_tap <= src.data.len() || blocks == 0);
    assert!(channels == 0 || at + (channels - 1) * plane + blocks * PX <= out.len() || blocks == 0);
    assert!(weights.len() == taps * OB && bias.len() == OB);
    // SAFETY: the bounds above cover every load and store.
    unsafe {
        let data = src.data.as_ptr().add(first);
        let offsets = src.offsets.as_ptr();
        let w = weights.as_ptr();
        let b = [
            f32x4_splat(bias[0]),
            f32x4_splat(bias[1]),
            f32x4_splat(bias[2]),
            f32x4_splat(bias[3]),
        ];
        let zero = f32x4_splat(0.0);
        let slope = f32x4_splat(leaky.unwrap_or(1.0));
        for block in 0..blocks {
            let x0 = block * PX;
            let p = data.add(x0);
            let mut acc = [b[0], b[0], b[1], b[1], b[2], b[2], b[3], b[3]];
            for t in 0..taps {
                let q = p.add(*offsets.add(t));
                let lo = v128_load(q as *const v128);
                let hi = v128_load(q.add(4) as *const v128);
                let wt = w.add(t * OB);
                for j in 0..OB {
                    let wj = v128_load32_splat(wt.add(j) as *const u32);
                    acc[2 * j] = madd(wj, lo, acc[2 * j]);
                    acc[2 * j + 1] = madd(wj, hi, acc[2 * j + 1]);
                }
            }
            for j in 0..channels {
                let dst = out.as_mut_ptr().add(at + j * plane + x0);
                for (k, &v) in acc[2 * j..2 * j + 2].iter().enumerate() {
                    let v = if leaky.is_some() {
                        v128_bitselect(v, f32x4_mul(v, slope), f32x4_ge(v, zero))
                    } else {
                        v
                    };
                    v128_store(dst.add(4 * k) as *mut v128, v);
                }
            }
        }
    }
    blocks * PX
}

/// No vector kernel on this target: the caller computes every column one by one.
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::too_many_arguments)]
fn block_row(
    _src: &Source,
    _first: usize,
    _cols: usize,
    _weights: &[f32],
    _bias: &[f32],
    _leaky: Option<f32>,
    _channels: usize,
    _out: &mut [f32],
    _at: usize,
    _plane: usize,
) -> usize {
    0
}

/// The [`DirectConv`] computing `model`'s node `id`, if it is a convolution the op covers: f32,
/// channels first, one group, OIHW weights and a bias held as constants, stride and dilation 1,
/// a concrete input shape, and a 1×1 kernel or at most [`MAX_TAPS`] taps.
fn plan(model: &TypedModel, id: usize) -> TractResult<Option<DirectConv>> {
    let node = &model.nodes()[id];
    let Some(conv) = node.op_as::<Conv>() else {
        return Ok(None);
    };
    let spec = &conv.pool_spec;
    if conv.q_params.is_some()
        || conv.group != 1
        || conv.kernel_fmt != KernelFormat::OIHW
        || !matches!(spec.data_format, DataFormat::NCHW | DataFormat::CHW)
        || spec.rank() != 2
        || spec.strides().iter().any(|&s| s != 1)
        || spec.dilations().iter().any(|&d| d != 1)
        || node.inputs.len() != 3
    {
        return Ok(None);
    }
    let fact = model.outlet_fact(node.inputs[0])?;
    let (Some(shape), Some(kernel), Some(bias)) = (
        fact.shape.as_concrete(),
        constant(model, node.inputs[1])?,
        constant(model, node.inputs[2])?,
    ) else {
        return Ok(None);
    };
    if fact.datum_type != f32::datum_type()
        || kernel.datum_type() != f32::datum_type()
        || bias.datum_type() != f32::datum_type()
        || shape.len() < 3
        || kernel.rank() != 4
    {
        return Ok(None);
    }
    let (c, h, w) = (
        shape[shape.len() - 3],
        shape[shape.len() - 2],
        shape[shape.len() - 1],
    );
    let k = kernel.shape();
    let (o, kh, kw) = (k[0], k[2], k[3]);
    if k[1] != c || !(bias.len() == o || bias.len() == 1) {
        return Ok(None);
    }
    if (kh, kw) != (1, 1) && c * kh * kw > MAX_TAPS {
        return Ok(None);
    }
    let padding = spec.computed_padding(&[h, w]);
    let (oh, ow) = (padding[0].convoluted, padding[1].convoluted);
    if oh == 0 || ow == 0 {
        return Ok(None);
    }
    let weights = kernel.try_as_plain_ram()?;
    let weights = weights.as_slice::<f32>()?;
    let bias = bias.try_as_plain_ram()?;
    let bias = bias.as_slice::<f32>()?;
    let taps = c * kh * kw;
    let blocks = o.div_ceil(OB);
    let mut packed = vec![0.0; blocks * taps * OB];
    for oc in 0..o {
        for t in 0..taps {
            packed[(oc / OB) * taps * OB + t * OB + oc % OB] = weights[oc * taps + t];
        }
    }
    let bias = (0..blocks * OB)
        .map(|oc| match bias.len() {
            1 => bias[0],
            _ => bias.get(oc).copied().unwrap_or(0.0),
        })
        .collect();
    Ok(Some(DirectConv {
        input: (c, h, w),
        output: (o, oh, ow),
        kernel: (kh, kw),
        pad: [
            padding[0].pad_before,
            padding[1].pad_before,
            padding[0].pad_after,
            padding[1].pad_after,
        ],
        packed: Floats(packed),
        bias: Floats(bias),
        leaky: None,
    }))
}

/// The value of `outlet` if it is a constant, or a constant cast to f32: before declutter, tract
/// wires an ONNX convolution's bias through a `Cast`.
fn constant(model: &TypedModel, outlet: OutletId) -> TractResult<Option<Arc<Tensor>>> {
    if let Some(value) = &model.outlet_fact(outlet)?.konst {
        return Ok(Some(value.clone()));
    }
    let node = &model.nodes()[outlet.node];
    let (Some(cast), [input]) = (node.op_as::<Cast>(), &node.inputs[..]) else {
        return Ok(None);
    };
    match &model.outlet_fact(*input)?.konst {
        Some(value) if cast.to == f32::datum_type() => {
            Ok(Some(value.cast_to::<f32>()?.into_owned().into_arc_tensor()))
        }
        _ => Ok(None),
    }
}

/// The slope of the leaky ReLU that alone reads node `id`'s output, if so (and that output is not
/// one of the model's): the node to fuse.
fn leaky_after(model: &TypedModel, id: usize) -> Option<(usize, f32)> {
    let outlet = OutletId::new(id, 0);
    if model.outputs.contains(&outlet) {
        return None;
    }
    let [next] = model.outlet_successors(outlet) else {
        return None;
    };
    let node = &model.nodes()[next.node];
    let slope = node
        .op_as::<ElementWiseOp>()?
        .0
        .downcast_ref::<LeakyRelu>()?
        .alpha;
    Some((next.node, slope))
}

/// Replaces every convolution of `model` (typed, not yet decluttered: tract's declutter turns a
/// 1×1 convolution into a matrix product) that [`DirectConv`] computes, with the leaky ReLU that
/// follows it if any, by that op; returns how many it replaced. Each output fact is unchanged, so
/// nothing else in the graph moves.
///
/// With `drop_batch`, a batch axis of 1 is removed before the op and added back after it, as
/// tract's own lowering of a 1×1 convolution does: its `ChangeAxes` pass then moves those changes
/// through the graph and drops the axis from the depthwise convolutions in between, which tract
/// runs 2-3× faster without it in the browser ([`super::has_grouped_conv`]). Without it,
/// MobileNetV2's depthwise convolutions kept their batch axis and took 7.4 against 3.7 ms a run.
pub fn swap_convs(model: &mut TypedModel, drop_batch: bool) -> TractResult<usize> {
    let mut swapped = 0;
    for id in model.eval_order()? {
        let Some(mut op) = plan(model, id)? else {
            continue;
        };
        let mut last = id;
        if let Some((relu, slope)) = leaky_after(model, id) {
            op.leaky = Some(slope.to_bits());
            last = relu;
        }
        let node = &model.nodes()[id];
        let shape = model.outlet_fact(node.inputs[0])?.shape.to_tvec();
        let batch = drop_batch && shape.len() == 4 && shape[0] == 1.to_dim();
        let mut patch = TypedModelPatch::default();
        let mut x = patch.tap_model(model, node.inputs[0])?;
        if batch {
            x = patch.wire_node(format!("{}.rm_batch", node.name), AxisOp::Rm(0), &[x])?[0];
        }
        let mut y = patch.wire_node(&node.name, op, &[x])?[0];
        if batch {
            y = patch.wire_node(format!("{}.add_batch", node.name), AxisOp::Add(0), &[y])?[0];
        }
        patch.shunt_outside(model, OutletId::new(last, 0), y)?;
        super::optim::apply(patch, model)?;
        swapped += 1;
    }
    if swapped > 0 {
        model.compact()?;
    }
    Ok(swapped)
}
