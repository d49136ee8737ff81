//! Lectures 25-26: sliding windows. The naive loop crops every window and runs the small classifier
//! on each; the convolutional implementation runs the same network, made fully convolutional, once
//! over the whole image and shares the computation the windows have in common. Both give the same
//! numbers; the comparison shows it, with the time each took.

use anyhow::{ensure, Context, Result};

use crate::core::engine::Model;
use crate::core::geometry::shape_text;
use crate::core::image::crop;
use crate::core::ops::Output;

/// The naive loop against the one convolutional pass over one image (see [`compare`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The one pass: `[1, k, rows, cols]`, class scores of every window.
    pub pass: Output,
    /// The naive loop's outputs, window by window, rearranged as `[1, k, rows, cols]`.
    pub naive: Output,
    /// Windows cropped and classified by the loop: `rows · cols`.
    pub crops: usize,
    /// The window `[height, width]` (the small model's input) and the stride between windows (the
    /// jump of the pass's receptive field).
    pub window: [usize; 2],
    pub stride: usize,
    /// `max |naive − pass|` over all values.
    pub largest_difference: f32,
    /// Milliseconds the pass and the loop took, by the caller's clock.
    pub pass_ms: f64,
    pub naive_ms: f64,
}

/// Runs `big` (the fully convolutional classifier at the image's size, input `[1, c, h, w]`) once
/// on `input`, then `small` (the same weights at one window's size, input `[1, c, f_h, f_w]`, output
/// `[1, k, 1, 1]`) on each of the `rows · cols` crops at stride `s`, the window `(r, c)` being rows
/// `s·r .. s·r + f_h`, columns `s·c .. s·c + f_w`. The stride is read from the last layer's
/// receptive field of `big` ([`crate::core::engine::LayerInfo::receptive_field`]), so it is the
/// network's own (the product of its strides). `now()` is a clock in milliseconds (the page passes
/// `performance.now`).
///
/// Errors when the two models do not fit each other: different channels, a window larger than the
/// image, an output grid that the window and stride do not produce.
pub fn compare(
    small: &Model,
    big: &Model,
    input: &[f32],
    now: &mut dyn FnMut() -> f64,
) -> Result<Comparison> {
    let (&[1, c, h, w], &[1, sc, fh, fw]) = (big.input_shape(), small.input_shape()) else {
        anyhow::bail!(
            "sliding windows need image inputs [1, c, h, w], not {} and {}",
            shape_text(big.input_shape()),
            shape_text(small.input_shape())
        );
    };
    ensure!(
        c == sc && fh <= h && fw <= w,
        "a {} window does not fit the {} image",
        shape_text(small.input_shape()),
        shape_text(big.input_shape())
    );
    let stride = big
        .layers()?
        .iter()
        .rev()
        .find_map(|l| l.receptive_field)
        .context("the model's receptive field is unknown, so its stride is too")?[0]
        .jump;

    let t0 = now();
    let pass = big.run(input)?;
    let t1 = now();
    let &[1, k, rows, cols] = &pass.shape[..] else {
        anyhow::bail!(
            "the pass gave {}, not [1, k, rows, cols]",
            shape_text(&pass.shape)
        );
    };
    ensure!(
        stride >= 1 && (rows - 1) * stride + fh == h && (cols - 1) * stride + fw == w,
        "{rows}×{cols} windows of {fh}×{fw} at stride {stride} do not tile a {h}×{w} image"
    );
    let mut naive = vec![0.0; k * rows * cols];
    for r in 0..rows {
        for col in 0..cols {
            let window = crop(input, [c, h, w], stride * r, stride * col, fh, fw)?;
            let out = small.run(&window)?;
            ensure!(
                out.data.len() == k,
                "the window model gave {}, not [1, {k}, 1, 1]",
                shape_text(&out.shape)
            );
            for (class, v) in out.data.into_iter().enumerate() {
                naive[class * rows * cols + r * cols + col] = v;
            }
        }
    }
    let t2 = now();
    let largest_difference = naive
        .iter()
        .zip(&pass.data)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    Ok(Comparison {
        naive: Output {
            shape: pass.shape.clone(),
            data: naive,
        },
        pass,
        crops: rows * cols,
        window: [fh, fw],
        stride,
        largest_difference,
        pass_ms: t1 - t0,
        naive_ms: t2 - t1,
    })
}
