//! Lecture 39, "what deep ConvNets learn": the inputs that excite one channel of a layer most, each
//! cut to the receptive field of its strongest position.

use std::ops::Range;

use anyhow::{ensure, Context, Result};

use crate::core::engine::Model;
use crate::core::geometry::shape_text;
use crate::core::image::window_rgba;

/// One of the strongest activations of a channel over a set of inputs (lecture 39): which input,
/// where in the feature map, how strong, and the patch of the input that position sees.
#[derive(Clone, Debug, PartialEq)]
pub struct TopActivation {
    /// Index of the input in the set.
    pub input: usize,
    /// Row and column of the strongest position of the channel in that input's feature map.
    pub at: [usize; 2],
    /// The activation there.
    pub value: f32,
    /// Input rows and columns that position sees (its receptive field; may reach into padding,
    /// i.e. below 0 or past the input's side).
    pub window: [Range<isize>; 2],
}

/// Lecture 39, "what deep ConvNets learn": over `count` inputs stored one after the other in
/// `inputs` (each of [`Model::input_shape`]), the `k` strongest activations of `channel` of
/// feature-map layer `layer`, at most one per input (its maximum over positions), strongest
/// first (`total_cmp`, so a NaN never ranks), with the input window each one sees.
///
/// Errors name the cause: inputs that are not a whole number of model inputs, a layer that is
/// not a `[1, c, h, w]` feature map, a channel past `c`. Their layer and channel numbers count
/// from 1, as the page does (`layer` and `channel` themselves are indices from 0).
pub fn top_activations(
    model: &Model,
    inputs: &[f32],
    layer: usize,
    channel: usize,
    k: usize,
) -> Result<Vec<TopActivation>> {
    let size: usize = model.input_shape().iter().product();
    ensure!(
        !inputs.is_empty() && inputs.len().is_multiple_of(size),
        "{} input values are not a whole number of inputs of {} ({size} values each)",
        inputs.len(),
        shape_text(model.input_shape())
    );
    let layers = model.layers()?;
    let info = layers.get(layer).with_context(|| {
        let n = layers.len();
        format!(
            "layer {} does not exist: the model has {n} layers, numbered 1 to {n}",
            layer + 1
        )
    })?;
    ensure!(
        info.feature_map,
        "layer {} ({} {}) outputs {}, not a stack of feature maps [1, c, h, w]",
        layer + 1,
        info.op,
        info.name,
        shape_text(&info.output_shape)
    );
    let [_, c, h, w] = info.output_shape[..] else {
        anyhow::bail!("layer {} is not 4-D", layer + 1);
    };
    ensure!(
        channel < c,
        "channel {} does not exist: layer {} ({}) has {c} channels, numbered 1 to {c}",
        channel + 1,
        layer + 1,
        info.name
    );
    let (ih, iw) = (
        model.input_shape()[model.input_shape().len().saturating_sub(2)],
        model.input_shape()[model.input_shape().len() - 1],
    );
    let mut best = Vec::with_capacity(inputs.len() / size);
    for (i, input) in inputs.chunks_exact(size).enumerate() {
        let out = model.layer_output(input, layer)?;
        let plane = &out.data[channel * h * w..(channel + 1) * h * w];
        let Some((at, &value)) = plane
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
        else {
            continue;
        };
        let (row, col) = (at / w, at % w);
        let window = match info.receptive_field {
            Some([r, c]) => [r.window(row), c.window(col)],
            None => [0..ih as isize, 0..iw as isize],
        };
        best.push(TopActivation {
            input: i,
            at: [row, col],
            value,
            window,
        });
    }
    best.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.input.cmp(&b.input)));
    best.truncate(k);
    Ok(best)
}

/// The part of an input a [`TopActivation`] sees, as RGBA (`width × height`, padding black).
#[derive(Clone, Debug, PartialEq)]
pub struct Patch {
    pub rgba: Vec<u8>,
    pub width: usize,
    pub height: usize,
}

/// [`top_activations`] with each one's patch: its receptive field cut from its input
/// ([`crate::core::image::window_rgba`]). The model's input must be an image `[1, c, h, w]`.
pub fn top_activation_patches(
    model: &Model,
    inputs: &[f32],
    layer: usize,
    channel: usize,
    k: usize,
) -> Result<Vec<(TopActivation, Patch)>> {
    let &[1, c, h, w] = model.input_shape() else {
        anyhow::bail!(
            "patches need an image input [1, c, h, w], not {}",
            shape_text(model.input_shape())
        );
    };
    let size = c * h * w;
    top_activations(model, inputs, layer, channel, k)?
        .into_iter()
        .map(|t| {
            let image = &inputs[t.input * size..(t.input + 1) * size];
            let (rgba, width, height) = window_rgba(image, [c, h, w], &t.window)?;
            Ok((
                t,
                Patch {
                    rgba,
                    width,
                    height,
                },
            ))
        })
        .collect()
}
