//! Shapes and parameter counts of a stack of layers (lectures 07, 08, 10, 11), from the one
//! geometry in [`crate::core::geometry`].
//!
//! Activations are `[c, h, w]` (NCHW, batch of one) until a [`Layer::Flatten`], then `[n]`.

use anyhow::{bail, ensure, Context, Result};

use crate::core::geometry::{element_count, output_size, shape_text, AxisPad};
use crate::core::ops::PoolMode;

/// One layer of a simple ConvNet.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    /// `filters` filters of `f × f × c`, stride `stride`, padding `padding` (each side), with a
    /// bias per filter: `(f·f·c + 1)·filters` parameters.
    Conv {
        f: usize,
        stride: usize,
        padding: usize,
        filters: usize,
    },
    /// Max or average pooling, `f × f`, stride `stride`: no parameters.
    Pool {
        mode: PoolMode,
        f: usize,
        stride: usize,
    },
    /// `[c, h, w]` → `[c·h·w]`.
    Flatten,
    /// Fully connected to `units` units: `(n + 1)·units` parameters.
    Dense { units: usize },
}

/// How the course writes a layer: "conv 5×5, stride 1, padding 0, 6 filters", "max pool 2×2,
/// stride 2", "flatten", "dense, 84 units".
impl std::fmt::Display for Layer {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Layer::Conv {
                f,
                stride,
                padding,
                filters,
            } => write!(
                out,
                "conv {f}×{f}, stride {stride}, padding {padding}, {filters} filter{}",
                if *filters == 1 { "" } else { "s" }
            ),
            Layer::Pool { mode, f, stride } => {
                let mode = match mode {
                    PoolMode::Max => "max",
                    PoolMode::Average => "average",
                };
                write!(out, "{mode} pool {f}×{f}, stride {stride}")
            }
            Layer::Flatten => write!(out, "flatten"),
            Layer::Dense { units } => {
                write!(
                    out,
                    "dense, {units} unit{}",
                    if *units == 1 { "" } else { "s" }
                )
            }
        }
    }
}

/// What one layer does to the activation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerShape {
    /// The activation after the layer: `[c, h, w]` or `[n]`.
    pub output: Vec<usize>,
    /// Learned parameters of the layer (weights and biases).
    pub params: u64,
}

/// Runs `layers` over an input activation `input` (`[c, h, w]`) and returns, per layer, its output
/// shape and parameter count. Convolutions and pools use `floor((n + 2p - f) / s) + 1` per spatial
/// axis. Errors name the layer (from 1) and the numbers, e.g. a kernel larger than the padded
/// input or a dense layer before flattening.
pub fn shapes(input: [usize; 3], layers: &[Layer]) -> Result<Vec<LayerShape>> {
    let mut current = input.to_vec();
    let mut out = Vec::with_capacity(layers.len());
    for (i, layer) in layers.iter().enumerate() {
        let step = apply(&current, layer)
            .with_context(|| format!("layer {} ({layer}) on {}", i + 1, shape_text(&current)))?;
        current = step.output.clone();
        out.push(step);
    }
    Ok(out)
}

fn spatial(h: usize, w: usize, f: usize, p: usize, s: usize) -> Result<[usize; 2]> {
    let pad = AxisPad::symmetric(p);
    Ok([output_size(h, f, pad, s)?, output_size(w, f, pad, s)?])
}

fn apply(current: &[usize], layer: &Layer) -> Result<LayerShape> {
    let image = |what: &str| -> Result<[usize; 3]> {
        match current {
            &[c, h, w] => Ok([c, h, w]),
            _ => bail!(
                "a {what} layer needs a [c, h, w] activation, got {}",
                shape_text(current)
            ),
        }
    };
    Ok(match *layer {
        Layer::Conv {
            f,
            stride,
            padding,
            filters,
        } => {
            let [c, h, w] = image("convolution")?;
            ensure!(filters >= 1, "a convolution needs at least 1 filter");
            let [oh, ow] = spatial(h, w, f, padding, stride)?;
            LayerShape {
                output: vec![filters, oh, ow],
                params: weights(&[f, f, c], filters)?,
            }
        }
        Layer::Pool { f, stride, .. } => {
            let [c, h, w] = image("pooling")?;
            let [oh, ow] = spatial(h, w, f, 0, stride)?;
            LayerShape {
                output: vec![c, oh, ow],
                params: 0,
            }
        }
        Layer::Flatten => LayerShape {
            output: vec![product(current)?],
            params: 0,
        },
        Layer::Dense { units } => {
            let &[n] = current else {
                bail!(
                    "a dense layer needs a flat activation, got {}: flatten first",
                    shape_text(current)
                );
            };
            ensure!(units >= 1, "a dense layer needs at least 1 unit");
            LayerShape {
                output: vec![units],
                params: weights(&[n], units)?,
            }
        }
    })
}

/// The sum of the layers' parameters. Errors instead of overflowing.
pub fn total_params(steps: &[LayerShape]) -> Result<u64> {
    steps
        .iter()
        .try_fold(0u64, |acc, s| acc.checked_add(s.params))
        .context("the total parameter count overflows")
}

/// `Π dims`, or an error instead of overflowing.
fn product(dims: &[usize]) -> Result<usize> {
    element_count(dims).with_context(|| format!("the size of {dims:?} overflows"))
}

/// `(Π fan_in + 1) · outputs`: weights and biases of `outputs` units that each see `fan_in`
/// inputs, in 64 bits (wasm32's `usize` has 32, and VGG-sized layers pass 2^32). Errors instead
/// of overflowing.
fn weights(fan_in: &[usize], outputs: usize) -> Result<u64> {
    fan_in
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .and_then(|n| n.checked_add(1))
        .and_then(|n| n.checked_mul(outputs as u64))
        .with_context(|| format!("the parameter count of {fan_in:?} × {outputs} overflows"))
}

/// Parameters of a fully connected layer from `[c, h, w]` to `[c', h', w']` (lecture 11):
/// `(c·h·w + 1)·(c'·h'·w')`. Errors instead of overflowing.
pub fn dense_params_between(from: [usize; 3], to: [usize; 3]) -> Result<u64> {
    weights(&from, product(&to)?)
}

/// Multiplications of a "same" convolution of an `h × w × c_in` activation with `filters` filters
/// of `f × f × c_in` (lectures 16-17): `h · w · filters · f · f · c_in`, one per weight and output.
pub fn conv_multiplications(
    h: usize,
    w: usize,
    c_in: usize,
    f: usize,
    filters: usize,
) -> Result<u64> {
    [h, w, filters, f, f, c_in]
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .context("the number of multiplications overflows")
}

/// The cost of lecture 17's bottleneck: a direct `f × f` same convolution to `filters` channels,
/// against a 1×1 convolution to `reduce` channels followed by the `f × f` one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BottleneckCost {
    /// Multiplications of the direct convolution.
    pub direct: u64,
    /// Of the 1×1 reduction.
    pub reduce: u64,
    /// Of the `f × f` convolution on the reduced activation.
    pub conv: u64,
    /// `reduce + conv`.
    pub total: u64,
}

/// Lecture 17: 28×28×192 with 32 filters of 5×5 costs 120,422,400 multiplications directly and
/// 2,408,448 + 10,035,200 = 12,443,648 through a 16-channel bottleneck. Every size must be at
/// least 1.
pub fn bottleneck_cost(
    h: usize,
    w: usize,
    c_in: usize,
    f: usize,
    filters: usize,
    reduce: usize,
) -> Result<BottleneckCost> {
    for (what, v) in [
        ("the height", h),
        ("the width", w),
        ("the number of input channels", c_in),
        ("the filter size f", f),
        ("the number of output channels", filters),
        ("the number of bottleneck channels", reduce),
    ] {
        ensure!(v >= 1, "{what} must be at least 1, not {v}");
    }
    let direct = conv_multiplications(h, w, c_in, f, filters)?;
    let reduce_cost = conv_multiplications(h, w, c_in, 1, reduce)?;
    let conv = conv_multiplications(h, w, reduce, f, filters)?;
    Ok(BottleneckCost {
        direct,
        reduce: reduce_cost,
        conv,
        total: reduce_cost
            .checked_add(conv)
            .context("the number of multiplications overflows")?,
    })
}
