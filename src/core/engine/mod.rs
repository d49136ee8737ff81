//! tract behind one door: loading ONNX bytes, optimising them into a plan, running it, and keeping
//! recent plans so a widget that re-runs the same layer on new pixels does not re-optimise.
//!
//! - this file: the [`Engine`] (plan cache, one-layer graphs for the lessons' convolutions,
//!   poolings and padding);
//! - [`model`]: a loaded [`Model`] (a trained CNN or the learner's file);
//! - [`onnx`]: reading ONNX files (size limit, unknown ops, weights, window attributes);
//! - [`layers`]: the layer table with shapes, parameters, multiply-adds, windows and receptive
//!   fields;
//! - [`maxpool`]: this crate's 2×2 max pool, put in place of tract's after optimisation;
//! - [`direct_conv`]: this crate's stride-1 convolution, put in place of tract's before code
//!   generation;
//! - [`gemm`]: this crate's 4×8 matrix-product kernel for tract on wasm, and which kernel tract
//!   picks;
//! - [`silu`]: this crate's SiLU, put in place of tract's after optimisation;
//! - [`optim`]: tract's optimiser driver, applying patches without tract's quadratic search;
//! - [`profile`]: each node's time in a run of a model's plan.

use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use tract_onnx::prelude::*;

use crate::core::error::Plainly;
use crate::core::geometry::{check_output_size, check_tensor, shape_text, AxisGeometry, AxisPad};
use crate::core::graph;
use crate::core::ops::{Conv, Output, Pool};

pub mod direct_conv;
pub mod gemm;
pub mod layers;
pub mod maxpool;
pub mod model;
pub mod onnx;
pub mod optim;
pub mod profile;
pub mod silu;
mod validate;

pub use layers::{analyse, LayerInfo, LayerWindow};
pub use model::{LoadPhases, Model, Structure};
pub use onnx::{conv_weights, strip_weights, MAX_MODEL_BYTES, MAX_RUN_BYTES};
pub use profile::NodeTime;

/// An optimised tract plan, ready to run.
pub type Plan = Arc<TypedRunnableModel>;

/// Whether `model` holds a 2D convolution that tract 0.23.9's wasm-only "blocked" convolution
/// would compute wrongly: a kernel one column wide with explicit zeros along the width. tract
/// picks that kernel for such convolutions (`Conv::try_blocked_conv`: kernel width 1, at most 8
/// output channels per group) without looking at the width padding, and optimising then fails
/// ("Trying to substitute a 1,4,20,15,F32 by 1,4,20,13,F32"). On wasm the kernel is on by
/// default; natively only with the knob `TRACT_ENABLE_BLOCKED_CONV`. Reproduced against plain
/// tract in `tests/native/week1_tract_vs_reference.rs`.
pub fn has_blocked_conv_hazard(model: &TypedModel) -> bool {
    use tract_onnx::tract_core::ops::cnn::{Conv, PaddingSpec};
    model.nodes().iter().any(|node| {
        let Some(conv) = node.op_as::<Conv>() else {
            return false;
        };
        let spec = &conv.pool_spec;
        let width_padded = match &spec.padding {
            PaddingSpec::Explicit(before, after)
            | PaddingSpec::ExplicitOnnxPool(before, after, _) => {
                before.get(1).is_some_and(|&p| p > 0) || after.get(1).is_some_and(|&p| p > 0)
            }
            // "Same" padding of a kernel one column wide adds no column.
            PaddingSpec::Valid | PaddingSpec::SameUpper | PaddingSpec::SameLower => false,
        };
        spec.rank() == 2 && spec.kernel_shape.get(1) == Some(&1) && width_padded
    })
}

/// The sentence above tract's error when it cannot infer a model's types and shapes.
pub(crate) const ANALYSE: &str =
    "tract cannot work out the shapes in this model: it holds an op, an attribute or sizes that tract does not support";
/// The sentence above tract's error when it cannot optimise a model.
pub(crate) const OPTIMISE: &str =
    "tract cannot prepare this model to run: it holds an op or sizes that tract does not support";

/// tract's declutter passes without `ChangeAxes`, the pass that tries to move every axis change
/// (reshape, flatten, transpose) through the graph. Measured natively (Dec 2026, tract 0.23.9),
/// it was 62 of EfficientNet-B0's 118 ms of decluttering, and dropping it halved the load of
/// EfficientNet-B0 (126 → 55 ms) and MobileNetV2 (60 → 32 ms) while every bundled and
/// torchvision model gave bit-identical outputs at the same native run time. In the browser the
/// loads halved too (EfficientNet-B0 227 → 110 ms), but models with depthwise convolutions ran
/// slower there, so those keep the pass ([`has_grouped_conv`]). `tests/native/engine.rs` holds
/// the output claim, and fails if tract renames or drops the pass.
pub fn lean_declutter() -> tract_onnx::tract_core::optim::Optimizer {
    let mut optimizer = tract_onnx::tract_core::optim::Optimizer::declutter();
    optimizer
        .passes
        .retain(|pass| !is_change_axes(pass.as_ref()));
    optimizer
}

/// Whether `pass` is tract's `ChangeAxes` (known by its debug name: the pass types are private).
pub fn is_change_axes(pass: &dyn tract_onnx::tract_core::optim::TypedPass) -> bool {
    format!("{pass:?}").starts_with("ChangeAxes")
}

/// Whether `model` holds a grouped convolution (`group > 1`; depthwise convolutions are the
/// usual case). Such models are decluttered with `ChangeAxes`: once it has dropped the batch axis
/// of 1, tract's depthwise convolution ran 2-3x faster in the browser. Profiled node by node in
/// Chromium's wasm (Dec 2026, tract 0.23.9), the depthwise nodes took 11.2 against 3.7 ms of a
/// MobileNetV2 run and 13.2 against 4.2 ms of an EfficientNet-B0 run, without and with the pass;
/// natively their times were equal. The face detector's depthwise convolutions keep their batch
/// axis either way (nothing after them reshapes), so it only pays the pass's load time.
pub fn has_grouped_conv(model: &TypedModel) -> bool {
    use tract_onnx::tract_core::ops::cnn::Conv;
    model
        .nodes()
        .iter()
        .any(|node| node.op_as::<Conv>().is_some_and(|conv| conv.group > 1))
}

/// `model` with its convolutions swapped for [`direct_conv::DirectConv`] where that op computes
/// them ([`direct_conv::swap_convs`]), decluttered by [`lean_declutter`], then code generated by
/// tract (kernels chosen, weights packed), both driven by [`optim::run`]: what `into_optimized`
/// does, without the `ChangeAxes` pass. If tract cannot generate code for that graph, its full
/// `into_optimized` is tried. Models with a grouped convolution ([`has_grouped_conv`]) get
/// tract's full declutter.
fn into_optimized(model: TypedModel) -> TractResult<TypedModel> {
    let grouped = has_grouped_conv(&model);
    let declutter = if grouped {
        tract_onnx::tract_core::optim::Optimizer::declutter()
    } else {
        lean_declutter()
    };
    let ours = (|| {
        let mut ours = model.clone();
        direct_conv::swap_convs(&mut ours, grouped)?;
        optim::run(&declutter, &mut ours)?;
        optim::codegen(&mut ours)?;
        Ok(ours)
    })();
    ours.or_else(|_: TractError| model.into_optimized())
}

/// Optimises `model` into a plan. Every optimisation in the crate goes through here, so the
/// work-around for tract's blocked convolution ([`has_blocked_conv_hazard`]) applies to the graphs
/// the crate builds and to loaded models alike: such a model is optimised with that kernel switched
/// off (knobs scoped to this call, on every target); every other model keeps it. tract's declutter
/// runs without its `ChangeAxes` pass ([`lean_declutter`]) unless the model holds a grouped
/// convolution ([`has_grouped_conv`]), and first the stride-1 convolutions it covers become
/// [`direct_conv::DirectConv`]. After tract's optimisation, its 2×2 max pools are replaced by
/// [`maxpool::MaxPool2x2`] and its SiLUs by [`silu::Silu`]. First, gathers whose indices tract
/// would not check at run time are refused ([`validate::check_gathers`]). tract picks its
/// matrix-product kernels as it generates code, [`gemm`]'s where [`gemm::uses_own_kernel`].
/// tract's passes are driven by [`optim::run`], which applies their patches without comparing
/// each added node with every node of the model.
pub fn optimize(model: TypedModel) -> Result<Plan> {
    use tract_onnx::tract_core::knobs::KnobScope;
    gemm::keep_linked();
    validate::check_gathers(&model)?;
    let optimised = if has_blocked_conv_hazard(&model) {
        let scope = KnobScope::new([
            ("TRACT_DISABLE_BLOCKED_CONV", "true"),
            ("TRACT_ENABLE_BLOCKED_CONV", "false"),
        ])?;
        scope.enter(|| into_optimized(model))
    } else {
        into_optimized(model)
    };
    let mut optimised = optimised.plainly(|| OPTIMISE)?;
    maxpool::swap_max_pools(&mut optimised).plainly(|| OPTIMISE)?;
    silu::swap_silus(&mut optimised).plainly(|| OPTIMISE)?;
    optimised
        .into_runnable()
        .plainly(|| "tract cannot plan this model's run")
}

/// `a · b + c` on four f32 lanes, fused where the module is built with relaxed SIMD (rounded once
/// or twice, as the browser's engine chooses): the multiply-add of the wasm kernels in
/// [`direct_conv`], [`gemm`] and [`silu`].
#[cfg(target_arch = "wasm32")]
#[inline(always)]
pub(crate) fn madd(
    a: core::arch::wasm32::v128,
    b: core::arch::wasm32::v128,
    c: core::arch::wasm32::v128,
) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::*;
    #[cfg(target_feature = "relaxed-simd")]
    {
        f32x4_relaxed_madd(a, b, c)
    }
    #[cfg(not(target_feature = "relaxed-simd"))]
    {
        f32x4_add(f32x4_mul(a, b), c)
    }
}

/// `shape` with its last `tail.len()` sizes replaced by `tail`, the leading axes (a batch axis)
/// kept: the output shape of this crate's ops ([`maxpool::MaxPool2x2`],
/// [`direct_conv::DirectConv`]), which compute on the last axes only.
pub(crate) fn with_tail(shape: &[usize], tail: &[usize]) -> TractResult<TVec<usize>> {
    let lead = shape.len().checked_sub(tail.len()).with_context(|| {
        format!(
            "a shape of rank {} where {} axes were planned",
            shape.len(),
            tail.len()
        )
    })?;
    let mut out: TVec<usize> = shape.into();
    out[lead..].copy_from_slice(tail);
    Ok(out)
}

/// The f32 fact of [`with_tail`] applied to `input`'s concrete shape, for `op`'s `output_facts`.
pub(crate) fn tail_fact(input: &TypedFact, tail: &[usize], op: &str) -> TractResult<TypedFact> {
    let shape = input
        .shape
        .as_concrete()
        .with_context(|| format!("{op} needs a concrete shape"))?;
    Ok(f32::fact(with_tail(shape, tail)?))
}

/// Runs `plan` on one f32 `input` of `shape` and returns its first output.
pub(crate) fn run_plan(plan: &Plan, input: &[f32], shape: &[usize]) -> Result<Output> {
    let tensor = Tensor::from_shape(shape, input)?;
    let outputs = plan
        .run(tvec!(tensor.into_tvalue()))
        .plainly(|| "tract failed to run the model on this input")?;
    let first = outputs.first().context("the graph produced no output")?;
    let view = first
        .to_plain_array_view::<f32>()
        .context("the graph's output is not f32")?;
    Ok(Output {
        shape: view.shape().to_vec(),
        data: view.iter().copied().collect(),
    })
}

/// How many optimised plans the engine keeps (least recently used are dropped first).
pub const PLAN_CACHE_SIZE: usize = 8;

/// Runs ONNX graphs with tract and caches their optimised plans by model bytes.
///
/// The model bytes contain the input shape and every weight, so a cached plan is reused exactly
/// while shapes and weights are unchanged.
pub struct Engine {
    onnx: tract_onnx::Onnx,
    /// Most recently used last.
    plans: Vec<(Vec<u8>, Plan)>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine with an empty plan cache.
    pub fn new() -> Self {
        Engine {
            onnx: tract_onnx::onnx(),
            plans: Vec::new(),
        }
    }

    /// Parses ONNX `bytes`, optimises the graph for the shapes it declares and returns the plan.
    /// Errors (not panics) for bytes that are not an ONNX model or a graph tract cannot run.
    pub fn load(&self, bytes: &[u8]) -> Result<Plan> {
        let model = self
            .onnx
            .model_for_read(&mut &bytes[..])
            .plainly(|| onnx::unreadable(bytes.len()))?;
        optimize(model.into_typed().plainly(|| ANALYSE)?)
    }

    /// The plan for `bytes`, from the cache or freshly loaded.
    fn plan(&mut self, bytes: &[u8]) -> Result<Plan> {
        if let Some(i) = self.plans.iter().position(|(k, _)| k == bytes) {
            let entry = self.plans.remove(i);
            let plan = entry.1.clone();
            self.plans.push(entry);
            return Ok(plan);
        }
        let plan = self.load(bytes)?;
        if self.plans.len() == PLAN_CACHE_SIZE {
            self.plans.remove(0);
        }
        self.plans.push((bytes.to_vec(), plan.clone()));
        Ok(plan)
    }

    /// Number of plans currently cached.
    pub fn cached_plans(&self) -> usize {
        self.plans.len()
    }

    /// Runs the single-input, single-output ONNX model `bytes` (cached by bytes) on `input` of
    /// `shape` and returns its first output with its shape.
    pub fn run(&mut self, bytes: &[u8], input: &[f32], shape: &[usize]) -> Result<Output> {
        check_tensor("input", input, shape)?;
        let plan = self.plan(bytes)?;
        run_plan(&plan, input, shape)
    }

    /// Runs a one-layer graph built for an input `[c, spatial…]` (batch of one added here) and
    /// checks that tract's output shape is the one the geometry predicts, `expected`
    /// (`[c', spatial'…]`).
    fn run_layer(
        &mut self,
        model: &tract_onnx::pb::ModelProto,
        input: &[f32],
        input_shape: &[usize],
        expected: Vec<usize>,
    ) -> Result<Output> {
        let batched: Vec<usize> = std::iter::once(1)
            .chain(input_shape.iter().copied())
            .collect();
        let out = self.run(&graph::encode(model), input, &batched)?;
        ensure!(
            out.shape[1..] == expected[..] && out.shape[0] == 1,
            "tract produced shape {} but the geometry says {}",
            shape_text(&out.shape),
            shape_text(&expected)
        );
        Ok(Output {
            shape: expected,
            data: out.data,
        })
    }

    /// The convolution `conv` (see [`Conv`]; 1, 2 or 3 spatial axes) computed by tract on an ONNX
    /// `Conv` graph. Returns `[k, spatial'…]`.
    pub fn conv(&mut self, conv: &Conv) -> Result<Output> {
        let geometry = conv.validate()?;
        let expected = conv.output_shape(&geometry);
        self.run_layer(
            &graph::conv(conv, &geometry),
            conv.input,
            conv.input_shape,
            expected,
        )
    }

    /// The pooling `pool` (see [`Pool`]; 1, 2 or 3 spatial axes) computed by tract on an ONNX
    /// `MaxPool` or `AveragePool` graph. Returns `[c, spatial'…]`.
    pub fn pool(&mut self, pool: &Pool) -> Result<Output> {
        let geometry = pool.validate()?;
        let expected = pool.output_shape(&geometry);
        self.run_layer(
            &graph::pool(pool, &geometry),
            pool.input,
            pool.input_shape,
            expected,
        )
    }

    /// Zero padding of a `[c, h, w]` input by `pads` (`[rows, columns]`) computed by tract on an
    /// ONNX `Pad` graph. Returns `[c, h + top + bottom, w + left + right]`.
    pub fn pad2d(
        &mut self,
        input: &[f32],
        input_shape: [usize; 3],
        pads: [AxisPad; 2],
    ) -> Result<Output> {
        check_tensor("input", input, &input_shape)?;
        let [c, h, w] = input_shape;
        // Padding is a 1x1 window at stride 1 over the padded input: the geometry applies the
        // limits and gives the padded sides.
        let rows = AxisGeometry::new(h, 1, pads[0], 1)?;
        let cols = AxisGeometry::new(w, 1, pads[1], 1)?;
        let expected = vec![c, rows.output, cols.output];
        check_output_size("padded", &expected)?;
        self.run_layer(
            &graph::pad2d(input_shape, pads),
            input,
            &input_shape,
            expected,
        )
    }
}
